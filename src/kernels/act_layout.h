// Byte layout of one quantized activation row (internal to the kernels).
//
// Q8_32 (cols = 32 nb):  qs int8 [cols] | d f32 [nb] | sum int32 [nb]          x ~ d * q
// Q8_256 (cols = 256 nb): qs int8 [cols] | d f32 [nb] | bsums int16 [nb * 16]  (sums of 16 q)
// F32:                   x f32 [cols]
// Rows are padded to 64 bytes; qs starts at the row start, so it is 64-byte aligned.
#pragma once

#include <cstddef>
#include <cstdint>

// Internal linkage on purpose: this header is included by files compiled with different ISA
// flags, and one shared out-of-line copy could carry instructions that the running CPU lacks.
namespace qe::act {
namespace {

inline size_t pad64(size_t n) {
    return (n + 63) & ~size_t(63);
}

struct Q8_32Row {
    const int8_t* qs;
    const float* d;
    const int32_t* sum;
};

inline size_t q8_32_bytes(int64_t cols) {
    return pad64(size_t(cols) + size_t(cols / 32) * 8);
}
inline Q8_32Row q8_32_row(const uint8_t* p, int64_t cols) {
    const int64_t nb = cols / 32;
    return {reinterpret_cast<const int8_t*>(p), reinterpret_cast<const float*>(p + cols),
            reinterpret_cast<const int32_t*>(p + cols + 4 * nb)};
}

struct Q8_256Row {
    const int8_t* qs;
    const float* d;
    const int16_t* bsums;
};

inline size_t q8_256_bytes(int64_t cols) {
    return pad64(size_t(cols) + size_t(cols / 256) * 36);
}
inline Q8_256Row q8_256_row(const uint8_t* p, int64_t cols) {
    const int64_t nb = cols / 256;
    return {reinterpret_cast<const int8_t*>(p), reinterpret_cast<const float*>(p + cols),
            reinterpret_cast<const int16_t*>(p + cols + 4 * nb)};
}

inline size_t f32_bytes(int64_t cols) {
    return pad64(size_t(cols) * 4);
}

}  // namespace
}  // namespace qe::act
