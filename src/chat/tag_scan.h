// Small text helpers of the streaming splitters (thinking, tool calls): they hold back a tail
// that may still become a tag, and the whitespace around tags.
#pragma once

#include <algorithm>
#include <string_view>

namespace qe {

inline bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline size_t first_non_space(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    return i;
}

// The length of `s` without its trailing whitespace.
inline size_t trimmed_end(std::string_view s) {
    size_t n = s.size();
    while (n > 0 && is_space(s[n - 1])) --n;
    return n;
}

// Length of the longest tail of `s` that is a proper prefix of `tag`.
inline size_t partial_tag(std::string_view s, std::string_view tag) {
    for (size_t len = std::min(tag.size() - 1, s.size()); len > 0; --len)
        if (s.substr(s.size() - len) == tag.substr(0, len)) return len;
    return 0;
}

}  // namespace qe
