// The AVX2 kernel of Gated DeltaNet's recurrent step (x86/avx2_delta_net.cpp), added to the AVX2
// table by avx2.cpp.
#pragma once

#include "kernels/kernels.h"

namespace qe {

void add_avx2_delta_net_kernels(KernelTable& t);

}  // namespace qe
