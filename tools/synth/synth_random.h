// Seeded, platform-independent random numbers for synthetic weights. std::normal_distribution is
// implementation-defined, so the same seed could give other weights with another standard
// library; this generator gives the same bits everywhere.
#pragma once

#include <cstdint>
#include <string_view>

namespace qe::synth {

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

inline uint64_t hash_name(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

// One stream per (seed, tensor, row): rows can be generated in any order, on any thread.
class RowRandom {
  public:
    RowRandom(uint64_t seed, uint64_t tensor_hash, uint64_t row)
        : state_(splitmix64(seed ^ splitmix64(tensor_hash + splitmix64(row)))) {}

    uint64_t next() {
        state_ += 0x9e3779b97f4a7c15ull;
        uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    // Approximately standard normal: the sum of four uniform 16-bit draws (Irwin-Hall), centred
    // and scaled to unit variance. Bounded at about +-3.5: no stray huge weights.
    float normal() {
        const uint64_t r = next();
        const int64_t sum = int64_t(r & 0xffff) + int64_t((r >> 16) & 0xffff) +
                            int64_t((r >> 32) & 0xffff) + int64_t(r >> 48);
        constexpr double kMean = 2.0 * 65535.0;
        constexpr double kScale = 1.0 / 37837.227;  // 1 / sqrt(4 * (65536^2 - 1) / 12)
        return float((double(sum) - kMean) * kScale);
    }

  private:
    uint64_t state_;
};

}  // namespace qe::synth
