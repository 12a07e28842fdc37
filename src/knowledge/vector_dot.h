// The int8 vectors of a knowledge base and their dot products. A vector is stored as int8 values
// with one scale (value ≈ scale * int8), so a 1024-dim embedding takes 1 KiB + 4 bytes; the query
// is quantized the same way, and the sum of int8 products is exact in int32, so every ISA's
// kernel returns the same bits as the scalar reference (vector_dot_reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace qe::knowledge {

struct QuantizedVector {
    float scale = 0;             // max |x| / 127
    std::vector<int8_t> values;  // (dims)
};

QuantizedVector quantize_i8(std::span<const float> x);

// Σ a[i] * b[i] over n elements. n <= 2^17 keeps the int32 sum from overflowing (127² * n).
using DotI8 = int32_t (*)(const int8_t* a, const int8_t* b, size_t n);

// The fastest kernel this CPU runs (picked once).
DotI8 dot_i8();
int32_t dot_i8_reference(const int8_t* a, const int8_t* b, size_t n);
// The kernels this CPU runs, with their names, slowest first (dot_i8() picks the last): for the
// tests that compare each with the reference. x86: generic, avx2; ARM64: generic, neon, dotprod.
struct DotKernel {
    const char* name;
    DotI8 fn;
};
std::vector<DotKernel> dot_i8_kernels();

}  // namespace qe::knowledge
