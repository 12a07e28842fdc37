#include "cli/json_lines.h"

#include <cstdio>
#include <iostream>

#include "core/error.h"

namespace qe::cli {

void for_each_json_line(const std::function<nlohmann::json(const nlohmann::json& input,
                                                           const std::string& where)>& answer) {
    std::string line;
    for (size_t number = 1; std::getline(std::cin, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = "stdin line " + std::to_string(number) + ": ";
        nlohmann::json input;
        try {
            input = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
            throw Error(where + "not JSON (" + e.what() + ")");
        }
        std::printf("%s\n", answer(input, where).dump().c_str());
        std::fflush(stdout);
    }
}

}  // namespace qe::cli
