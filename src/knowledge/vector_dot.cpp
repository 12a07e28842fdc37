#include "knowledge/vector_dot.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu_features.h"

namespace qe::knowledge {

#if defined(QE_KNOWLEDGE_X86)
int32_t dot_i8_avx2(const int8_t* a, const int8_t* b, size_t n);  // x86/vector_dot_avx2.cpp
#elif defined(QE_KNOWLEDGE_ARM)
int32_t dot_i8_neon(const int8_t* a, const int8_t* b, size_t n);     // arm/vector_dot_neon.cpp
int32_t dot_i8_dotprod(const int8_t* a, const int8_t* b, size_t n);  // arm/vector_dot_dotprod.cpp
#endif

QuantizedVector quantize_i8(std::span<const float> x) {
    QuantizedVector q;
    float max_abs = 0;
    for (float v : x) max_abs = std::max(max_abs, std::isfinite(v) ? std::fabs(v) : 0.0f);
    q.scale = max_abs / 127.0f;
    q.values.resize(x.size());
    const float inverse = max_abs > 0 ? 127.0f / max_abs : 0.0f;
    for (size_t i = 0; i < x.size(); ++i) {
        const float v = std::isfinite(x[i]) ? x[i] * inverse : 0.0f;
        q.values[i] = int8_t(std::clamp(std::lround(v), -127L, 127L));
    }
    return q;
}

int32_t dot_i8_reference(const int8_t* a, const int8_t* b, size_t n) {
    int32_t sum = 0;
    for (size_t i = 0; i < n; ++i) sum += int32_t(a[i]) * int32_t(b[i]);
    return sum;
}

std::vector<DotKernel> dot_i8_kernels() {
    std::vector<DotKernel> kernels{{"generic", dot_i8_reference}};
#if defined(QE_KNOWLEDGE_X86)
    if (cpu_features().avx2_fma_f16c) kernels.push_back({"avx2", dot_i8_avx2});
#elif defined(QE_KNOWLEDGE_ARM)
    kernels.push_back({"neon", dot_i8_neon});
    if (cpu_features().neon_dotprod) kernels.push_back({"dotprod", dot_i8_dotprod});
#endif
    return kernels;
}

DotI8 dot_i8() {
    static const DotI8 best = dot_i8_kernels().back().fn;
    return best;
}

}  // namespace qe::knowledge
