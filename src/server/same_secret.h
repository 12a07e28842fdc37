// Key comparison for the API and admin keys.
#pragma once

#include <cstdint>
#include <string_view>

namespace qe {

// Constant-time comparison, so a key can't be guessed byte by byte from response times.
inline bool same_secret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i)
        diff |= uint8_t(a[i]) ^ uint8_t(b[i % (b.size() ? b.size() : 1)]);
    return diff == 0 && !b.empty();
}

}  // namespace qe
