// Runs a shell command and captures its standard output and exit code (for CLI tests).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace qe::test {

struct CommandResult {
    int exit_code = -1;  // -1 when the command did not exit normally
    std::string output;  // standard output (stderr too when the command redirects it)
};

inline CommandResult run_command(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        result.output.append(buf.data(), n);
    const int status = ::pclose(pipe);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    return result;
}

// Single-quotes a path for the shell.
inline std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Writes `text` to a file of the test directory (a command's standard input); returns its path.
inline std::string write_input(const std::string& name, const std::string& text) {
    const std::string path = std::string(QE_TEST_TMP_DIR) + "/" + name;
    std::ofstream(path) << text;
    return path;
}

// A command's JSON-lines output, one value per line.
inline std::vector<nlohmann::json> output_lines(const std::string& output) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

}  // namespace qe::test
