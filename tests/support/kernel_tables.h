// The kernel tables the forward-pass tests run each model on: every table this CPU can run; in
// the sanitizer build (QE_SANITIZED, tests/CMakeLists.txt) only the one it uses, since every
// table's kernels stay checked there by kernels_test and the whole matrix runs in the release
// build.
#pragma once

#include <vector>

#include "kernels/kernels.h"

namespace qe::test {

inline std::vector<Isa> forward_tables() {
#ifdef QE_SANITIZED
    return {kernels().isa};
#else
    std::vector<Isa> isas;
    for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512, Isa::Neon})
        if (kernel_table(isa)) isas.push_back(isa);
    return isas;
#endif
}

}  // namespace qe::test
