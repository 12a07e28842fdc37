// Tensor element types. The numeric ids are GGUF's (ggml_type), so a GGUF tensor's type field maps
// directly; safetensors' names map through dtype_from_safetensors_name().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qe {

enum class DType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    BF16 = 30,
};

struct DTypeInfo {
    DType type;
    std::string_view name;  // as GGUF tools print it: "f32", "q4_k", ...
    int64_t block_elems;    // elements per block (1 for plain floats)
    size_t block_bytes;     // bytes per block
};

// nullptr for an id this program does not know (the caller reports it with context).
const DTypeInfo* dtype_info(uint32_t id);
const DTypeInfo& dtype_info(DType t);
std::string_view dtype_name(DType t);
std::optional<DType> dtype_from_name(std::string_view name);  // "q8_0", "bf16", ...

// Bytes of a row of n elements; nullopt when n is not a whole number of blocks.
std::optional<size_t> row_bytes(DType t, int64_t n);

}  // namespace qe
