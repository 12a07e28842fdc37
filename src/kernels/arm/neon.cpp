// The NEON table with the dot-product extension (ARMv8.2-A + dotprod): Raspberry Pi 5
// (Cortex-A76) and most 64-bit ARM cores since 2018. The kernels are in arm/neon_kernels.h.
#include <arm_neon.h>

#include "kernels/tables.h"

namespace qe {
namespace {

// sdot: each int32 lane gains the dot product of 4 consecutive int8 pairs.
inline int32x4_t dot_i8(int32x4_t acc, int8x16_t a, int8x16_t b) {
    return vdotq_s32(acc, a, b);
}

}  // namespace
}  // namespace qe

#include "kernels/arm/neon_kernels.h"

namespace qe {

const KernelTable& neon_table() {
    static const KernelTable table = make_neon_table(Isa::Neon, "neon");
    return table;
}

}  // namespace qe
