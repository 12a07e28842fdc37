// Small, fast hashes for the tokenizer's open-addressing tables (not for untrusted-key DoS
// resistance: table sizes are fixed by the vocabulary and the cache is bounded).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace qe {

// A strong 64-bit finalizer (splitmix64's).
inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

// Hash of a byte string, eight bytes at a time.
inline uint64_t hash_bytes(std::string_view s) {
    const char* p = s.data();
    size_t n = s.size();
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    return mix64(h ^ w);
}

}  // namespace qe
