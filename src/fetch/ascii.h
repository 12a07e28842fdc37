// ASCII case folding for names (repositories, files, quantizations), which are ASCII.
#pragma once

#include <cctype>
#include <string>

namespace qe::fetch {

inline std::string ascii_lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace qe::fetch
