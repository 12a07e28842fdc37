#include "sampling/loop_guard.h"

#include <algorithm>

namespace qe {

bool ends_in_loop(std::span<const int> generated, const LoopGuardParams& params) {
    if (!params.enabled) return false;
    const int n = int(generated.size());
    for (int period = 1; period <= params.max_period; ++period) {
        const int span = std::max(params.min_span, period * params.min_repeats);
        if (span > n) break;  // longer periods need even longer spans
        // The tail of `span` tokens has this period when each token equals the one a period back.
        bool periodic = true;
        for (int i = n - span + period; i < n && periodic; ++i)
            periodic = generated[i] == generated[i - period];
        if (periodic) return true;
    }
    return false;
}

}  // namespace qe
