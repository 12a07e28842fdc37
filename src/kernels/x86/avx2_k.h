// The AVX2 K-type kernels (x86/avx2_k.cpp), added to the AVX2 table by avx2.cpp.
#pragma once

#include "kernels/kernels.h"

namespace qe {

void add_avx2_k_kernels(KernelTable& t);

}  // namespace qe
