// Every #include "..." of src/ and tools/ against the layer table of docs/ARCHITECTURE.md
// ("## Layers": | folder | may include |): a file of folder F may include "G/header.h" only when
// G is in F's row, and G must be a folder of the table. A failure names the file, the line and
// the folder it may not include.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = QE_SOURCE_DIR;

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t`");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t`") - b + 1);
}

// The rows of the table in the "## Layers" section: folder -> the folders it may include.
std::map<std::string, std::set<std::string>> read_layer_table(const fs::path& doc) {
    std::ifstream in(doc);
    std::map<std::string, std::set<std::string>> table;
    bool in_section = false;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            in_section = trim(line.substr(3)) == "Layers";
            continue;
        }
        if (!in_section || line.empty() || line[0] != '|') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(trim(cell));
        if (cells.size() < 2 || cells[0].empty() || cells[0] == "folder" ||
            cells[0].find_first_not_of("-: ") == std::string::npos) {
            continue;  // the header row or the separator row
        }
        std::set<std::string>& allowed = table[cells[0]];
        std::stringstream deps(cells[1]);
        for (std::string dep; std::getline(deps, dep, ',');) allowed.insert(trim(dep));
    }
    return table;
}

bool is_source(const fs::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".h" || ext == ".cpp" || ext == ".in";
}

// The folders of src/ and tools/ that hold C++ sources, by name.
std::map<std::string, fs::path> source_folders() {
    std::map<std::string, fs::path> folders;
    for (const char* top : {"src", "tools"}) {
        for (const auto& dir : fs::directory_iterator(kRoot / top)) {
            if (!dir.is_directory()) continue;
            for (const auto& f : fs::recursive_directory_iterator(dir.path())) {
                if (f.is_regular_file() && is_source(f.path())) {
                    folders[dir.path().filename().string()] = dir.path();
                    break;
                }
            }
        }
    }
    return folders;
}

// `line`'s quoted include ("folder/header.h"), or "" when it has none.
std::string quoted_include(const std::string& line) {
    const size_t hash = line.find_first_not_of(" \t");
    if (hash == std::string::npos || line[hash] != '#') return "";
    const size_t word = line.find_first_not_of(" \t", hash + 1);
    if (word == std::string::npos || line.compare(word, 7, "include") != 0) return "";
    const size_t open = line.find('"', word + 7);
    if (open == std::string::npos) return "";
    const size_t close = line.find('"', open + 1);
    if (close == std::string::npos) return "";
    return line.substr(open + 1, close - open - 1);
}

// What of `folder`'s files breaks the table: "file:line: ..." lines.
std::vector<std::string> violations(const std::string& folder, const fs::path& dir,
                                    const std::map<std::string, std::set<std::string>>& table) {
    std::vector<std::string> out;
    const std::set<std::string>& allowed = table.at(folder);
    for (const auto& f : fs::recursive_directory_iterator(dir)) {
        if (!f.is_regular_file() || !is_source(f.path())) continue;
        std::ifstream in(f.path());
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            const std::string header = quoted_include(line);
            if (header.empty()) continue;
            const std::string where =
                fs::relative(f.path(), kRoot).string() + ":" + std::to_string(n) + ": ";
            // Without a folder, a header is found beside the file or in a private include
            // directory of its target (the test build's SIMDe shim), never in another library.
            const size_t slash = header.find('/');
            if (slash == std::string::npos) continue;
            const std::string target = header.substr(0, slash);
            if (!table.count(target)) {
                out.push_back(where + "\"" + header + "\": " + target +
                              " is not a folder of the layer table");
            } else if (!allowed.count(target)) {
                out.push_back(where + "\"" + header + "\": " + folder + " may not include " +
                              target + " (docs/ARCHITECTURE.md, Layers)");
            }
        }
    }
    return out;
}

TEST(Layering, TableNamesEveryFolderAndOnlyKnownOnes) {
    const auto table = read_layer_table(kRoot / "docs" / "ARCHITECTURE.md");
    ASSERT_FALSE(table.empty()) << "no layer table under \"## Layers\" in docs/ARCHITECTURE.md";
    const auto folders = source_folders();
    for (const auto& [name, dir] : folders) {
        EXPECT_TRUE(table.count(name))
            << fs::relative(dir, kRoot).string() << " has no row in docs/ARCHITECTURE.md";
    }
    for (const auto& [name, allowed] : table) {
        EXPECT_TRUE(folders.count(name))
            << "the layer table names " << name << ", which is no folder of src/ or tools/";
        EXPECT_TRUE(allowed.count(name)) << name << "'s row does not name itself";
        for (const auto& dep : allowed) {
            EXPECT_TRUE(table.count(dep)) << name << "'s row names " << dep << ", which has no row";
        }
    }
}

TEST(Layering, EveryIncludeIsAllowedByTheTable) {
    const auto table = read_layer_table(kRoot / "docs" / "ARCHITECTURE.md");
    ASSERT_FALSE(table.empty());
    std::vector<std::string> all;
    for (const auto& [name, dir] : source_folders()) {
        if (!table.count(name)) continue;  // reported by the test above
        for (auto& v : violations(name, dir, table)) all.push_back(std::move(v));
    }
    std::string report;
    for (const auto& v : all) report += v + "\n";
    EXPECT_TRUE(all.empty()) << all.size() << " include(s) against the layers:\n" << report;
}

}  // namespace
