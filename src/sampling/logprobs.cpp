#include "sampling/logprobs.h"

#include <algorithm>
#include <cmath>

namespace qe {

PositionLogprobs position_logprobs(std::span<const float> logits, int top_n,
                                   std::span<const int> banned) {
    PositionLogprobs out;
    if (logits.empty()) return out;
    // Summed in double from the largest logit down: exact to float precision over 152k terms.
    const float max_logit = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (const float l : logits) sum += std::exp(double(l - max_logit));
    out.log_norm = double(max_logit) + std::log(sum);

    // The best top_n so far, in a heap whose front is the worst of them: one pass, top_n <= 20.
    const auto better = [](const TokenLogprob& a, const TokenLogprob& b) {
        return a.logprob > b.logprob || (a.logprob == b.logprob && a.id < b.id);
    };
    std::vector<TokenLogprob>& heap = out.top;
    heap.reserve(size_t(std::max(top_n, 0)) + 1);
    for (size_t i = 0; i < logits.size() && top_n > 0; ++i) {
        const TokenLogprob t{int(i), logits[i]};
        if (heap.size() == size_t(top_n) && !better(t, heap.front())) continue;
        if (std::find(banned.begin(), banned.end(), t.id) != banned.end()) continue;
        heap.push_back(t);
        std::push_heap(heap.begin(), heap.end(), better);
        if (heap.size() > size_t(top_n)) {
            std::pop_heap(heap.begin(), heap.end(), better);
            heap.pop_back();
        }
    }
    std::sort_heap(heap.begin(), heap.end(), better);
    for (auto& t : heap) t.logprob = float(double(t.logprob) - out.log_norm);
    return out;
}

}  // namespace qe
