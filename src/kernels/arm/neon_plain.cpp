// The NEON table for cores without the dot-product extension (ARMv8.0-A): Raspberry Pi 4
// (Cortex-A72). The same kernels as arm/neon.cpp (arm/neon_kernels.h), with the int8 dot product
// built from widening multiplies.
#include <arm_neon.h>

#include "kernels/tables.h"

namespace qe {
namespace {

// int8 x int8 -> int16 products (exact: |a * b| <= 128 * 128 fits int16), added pairwise into the
// int32 lanes.
inline int32x4_t dot_i8(int32x4_t acc, int8x16_t a, int8x16_t b) {
    const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    const int16x8_t hi = vmull_high_s8(a, b);
    return vpadalq_s16(vpadalq_s16(acc, lo), hi);
}

}  // namespace
}  // namespace qe

#include "kernels/arm/neon_kernels.h"

namespace qe {

const KernelTable& neon_plain_table() {
    static const KernelTable table = make_neon_table(Isa::Neon, "neon-plain");
    return table;
}

}  // namespace qe
