// The per-ISA tables (internal). Each ISA file defines its accessor; dispatch.cpp picks one.
#pragma once

#include "kernels/kernels.h"

namespace qe {

const KernelTable& generic_table();
const KernelTable& avx2_table();        // x86/avx2.cpp: AVX2 + FMA + F16C
const KernelTable& avx512_table();      // x86/avx512.cpp: AVX-512 F/BW/VL/DQ + VNNI
const KernelTable& neon_table();        // arm/neon.cpp: ARMv8.2 NEON + dotprod
const KernelTable& neon_plain_table();  // arm/neon_plain.cpp: ARMv8.0 NEON (no dotprod)

}  // namespace qe
