// The int8 dot product with NEON (every ARMv8-A CPU): 16 elements per step, multiplied into int16
// (exact: |a*b| <= 127²) and added in pairs into int32 lanes.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

namespace qe::knowledge {

int32_t dot_i8_neon(const int8_t* a, const int8_t* b, size_t n) {
    int32x4_t acc = vdupq_n_s32(0);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
        acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(va), vget_low_s8(vb)));
        acc = vpadalq_s16(acc, vmull_high_s8(va, vb));
    }
    int32_t total = vaddvq_s32(acc);
    for (; i < n; ++i) total += int32_t(a[i]) * int32_t(b[i]);
    return total;
}

}  // namespace qe::knowledge
