// Type dispatch for the scalar codecs, and the plain float types.
#include "quant/quant.h"

#include <cassert>
#include <cstring>

#include "core/half.h"
#include "quant/codecs.h"

namespace qe {

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
    const int64_t nb = n / dtype_info(t).block_elems;
    assert(nb * dtype_info(t).block_elems == n);
    switch (t) {
        case DType::F32:
            std::memcpy(dst, src, size_t(n) * sizeof(float));
            return;
        case DType::F16: {
            const auto* h = static_cast<const uint16_t*>(src);
            for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(h[i]);
            return;
        }
        case DType::BF16: {
            const auto* h = static_cast<const uint16_t*>(src);
            for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(h[i]);
            return;
        }
        case DType::Q4_0:
            return dequantize_q4_0(static_cast<const BlockQ4_0*>(src), dst, nb);
        case DType::Q4_1:
            return dequantize_q4_1(static_cast<const BlockQ4_1*>(src), dst, nb);
        case DType::Q5_0:
            return dequantize_q5_0(static_cast<const BlockQ5_0*>(src), dst, nb);
        case DType::Q5_1:
            return dequantize_q5_1(static_cast<const BlockQ5_1*>(src), dst, nb);
        case DType::Q8_0:
            return dequantize_q8_0(static_cast<const BlockQ8_0*>(src), dst, nb);
        case DType::Q8_1:
            return dequantize_q8_1(static_cast<const BlockQ8_1*>(src), dst, nb);
        case DType::Q2_K:
            return dequantize_q2_k(static_cast<const BlockQ2_K*>(src), dst, nb);
        case DType::Q3_K:
            return dequantize_q3_k(static_cast<const BlockQ3_K*>(src), dst, nb);
        case DType::Q4_K:
            return dequantize_q4_k(static_cast<const BlockQ4_K*>(src), dst, nb);
        case DType::Q5_K:
            return dequantize_q5_k(static_cast<const BlockQ5_K*>(src), dst, nb);
        case DType::Q6_K:
            return dequantize_q6_k(static_cast<const BlockQ6_K*>(src), dst, nb);
        case DType::Q8_K:
            return dequantize_q8_k(static_cast<const BlockQ8_K*>(src), dst, nb);
    }
}

void quantize_row(DType t, const float* src, void* dst, int64_t n) {
    const int64_t nb = n / dtype_info(t).block_elems;
    assert(nb * dtype_info(t).block_elems == n);
    switch (t) {
        case DType::F32:
            std::memcpy(dst, src, size_t(n) * sizeof(float));
            return;
        case DType::F16: {
            auto* h = static_cast<uint16_t*>(dst);
            for (int64_t i = 0; i < n; ++i) h[i] = f32_to_f16(src[i]);
            return;
        }
        case DType::BF16: {
            auto* h = static_cast<uint16_t*>(dst);
            for (int64_t i = 0; i < n; ++i) h[i] = f32_to_bf16(src[i]);
            return;
        }
        case DType::Q4_0:
            return quantize_q4_0(src, static_cast<BlockQ4_0*>(dst), nb);
        case DType::Q4_1:
            return quantize_q4_1(src, static_cast<BlockQ4_1*>(dst), nb);
        case DType::Q5_0:
            return quantize_q5_0(src, static_cast<BlockQ5_0*>(dst), nb);
        case DType::Q5_1:
            return quantize_q5_1(src, static_cast<BlockQ5_1*>(dst), nb);
        case DType::Q8_0:
            return quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), nb);
        case DType::Q8_1:
            return quantize_q8_1(src, static_cast<BlockQ8_1*>(dst), nb);
        case DType::Q2_K:
            return quantize_q2_k(src, static_cast<BlockQ2_K*>(dst), nb);
        case DType::Q3_K:
            return quantize_q3_k(src, static_cast<BlockQ3_K*>(dst), nb);
        case DType::Q4_K:
            return quantize_q4_k(src, static_cast<BlockQ4_K*>(dst), nb);
        case DType::Q5_K:
            return quantize_q5_k(src, static_cast<BlockQ5_K*>(dst), nb);
        case DType::Q6_K:
            return quantize_q6_k(src, static_cast<BlockQ6_K*>(dst), nb);
        case DType::Q8_K:
            return quantize_q8_k(src, static_cast<BlockQ8_K*>(dst), nb);
    }
}

}  // namespace qe
