#include "core/dtype.h"

#include <array>

namespace qe {
namespace {

constexpr std::array kTypes = {
    DTypeInfo{DType::F32, "f32", 1, 4},       DTypeInfo{DType::F16, "f16", 1, 2},
    DTypeInfo{DType::BF16, "bf16", 1, 2},     DTypeInfo{DType::Q4_0, "q4_0", 32, 18},
    DTypeInfo{DType::Q4_1, "q4_1", 32, 20},   DTypeInfo{DType::Q5_0, "q5_0", 32, 22},
    DTypeInfo{DType::Q5_1, "q5_1", 32, 24},   DTypeInfo{DType::Q8_0, "q8_0", 32, 34},
    DTypeInfo{DType::Q8_1, "q8_1", 32, 36},   DTypeInfo{DType::Q2_K, "q2_k", 256, 84},
    DTypeInfo{DType::Q3_K, "q3_k", 256, 110}, DTypeInfo{DType::Q4_K, "q4_k", 256, 144},
    DTypeInfo{DType::Q5_K, "q5_k", 256, 176}, DTypeInfo{DType::Q6_K, "q6_k", 256, 210},
    DTypeInfo{DType::Q8_K, "q8_k", 256, 292},
};

}  // namespace

const DTypeInfo* dtype_info(uint32_t id) {
    for (const auto& t : kTypes)
        if (uint32_t(t.type) == id) return &t;
    return nullptr;
}

const DTypeInfo& dtype_info(DType t) {
    return *dtype_info(uint32_t(t));
}

std::string_view dtype_name(DType t) {
    return dtype_info(t).name;
}

std::optional<DType> dtype_from_name(std::string_view name) {
    for (const auto& t : kTypes)
        if (t.name == name) return t.type;
    return std::nullopt;
}

std::optional<size_t> row_bytes(DType t, int64_t n) {
    const auto& info = dtype_info(t);
    if (n < 0 || n % info.block_elems != 0) return std::nullopt;
    return size_t(n / info.block_elems) * info.block_bytes;
}

}  // namespace qe
