// The AVX2 attention, softmax and SiLU kernels (x86/avx2_attention.cpp), added to the AVX2 table
// by avx2.cpp.
#pragma once

#include "kernels/kernels.h"

namespace qe {

void add_avx2_attention_kernels(KernelTable& t);

}  // namespace qe
