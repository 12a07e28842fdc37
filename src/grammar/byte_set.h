// A set of byte values: what one grammar element accepts at one position of the text.
#pragma once

#include <array>
#include <cstdint>

namespace qe::grammar {

class ByteSet {
  public:
    bool has(uint8_t b) const { return (bits_[b >> 6] >> (b & 63)) & 1; }
    void add(uint8_t b) { bits_[b >> 6] |= uint64_t(1) << (b & 63); }
    void add_range(uint8_t lo, uint8_t hi) {
        for (int b = lo; b <= hi; ++b) add(uint8_t(b));
    }
    bool empty() const { return (bits_[0] | bits_[1] | bits_[2] | bits_[3]) == 0; }
    bool operator==(const ByteSet&) const = default;

    static ByteSet of(uint8_t b) {
        ByteSet s;
        s.add(b);
        return s;
    }
    static ByteSet range(uint8_t lo, uint8_t hi) {
        ByteSet s;
        s.add_range(lo, hi);
        return s;
    }

  private:
    std::array<uint64_t, 4> bits_{};
};

}  // namespace qe::grammar
