#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "core/error.h"

namespace qe {

void SamplingParams::validate() const {
    auto bad = [](const std::string& what) { throw Error("invalid sampling parameter: " + what); };
    if (!(temperature >= 0.0f) || temperature > 100.0f) bad("temperature must be in [0, 100]");
    if (top_k < 0) bad("top_k must be >= 0");
    if (!(top_p > 0.0f && top_p <= 1.0f)) bad("top_p must be in (0, 1]");
    if (!(min_p >= 0.0f && min_p <= 1.0f)) bad("min_p must be in [0, 1]");
    if (!(repetition_penalty > 0.0f) || repetition_penalty > 10.0f)
        bad("repetition_penalty must be in (0, 10]");
    if (!(std::fabs(presence_penalty) <= 2.0f)) bad("presence_penalty must be in [-2, 2]");
    if (!(std::fabs(frequency_penalty) <= 2.0f)) bad("frequency_penalty must be in [-2, 2]");
    if (penalty_window < 0) bad("penalty_window must be >= 0");
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {
    params_.validate();
}

double Sampler::uniform() {
    return double(rng_() >> 11) * 0x1.0p-53;
}

// Keeps the k largest candidates (unordered beyond that), by partial selection.
void Sampler::keep_top(size_t k) {
    if (k >= candidates_.size()) return;
    std::nth_element(candidates_.begin(), candidates_.begin() + k, candidates_.end(),
                     [](const Candidate& a, const Candidate& b) { return a.value > b.value; });
    candidates_.resize(k);
}

void Sampler::apply_penalties(std::span<const int> history) {
    const size_t window = std::min(history.size(), size_t(params_.penalty_window));
    std::unordered_map<int, int> counts;
    for (size_t i = history.size() - window; i < history.size(); ++i) ++counts[history[i]];
    for (const auto& [id, count] : counts) {
        if (id < 0 || size_t(id) >= scratch_.size()) continue;
        float& logit = scratch_[id];
        if (params_.repetition_penalty != 1.0f)
            logit =
                logit > 0 ? logit / params_.repetition_penalty : logit * params_.repetition_penalty;
        logit -= params_.presence_penalty + params_.frequency_penalty * float(count);
    }
}

int Sampler::distribution(std::span<const float> logits, std::span<const int> history,
                          double& total) {
    if (logits.empty()) throw Error("sampler: no logits");
    const bool penalise = params_.penalty_window > 0 && !history.empty() &&
                          (params_.repetition_penalty != 1.0f || params_.presence_penalty != 0 ||
                           params_.frequency_penalty != 0);
    if (penalise || !banned_.empty()) {
        scratch_.assign(logits.begin(), logits.end());
        if (penalise) apply_penalties(history);
        for (const int id : banned_)
            if (id >= 0 && size_t(id) < scratch_.size()) scratch_[size_t(id)] = -INFINITY;
        logits = scratch_;
    }

    if (params_.temperature == 0.0f || params_.top_k == 1) {
        candidates_.clear();
        return int(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }

    const float inv_t = 1.0f / params_.temperature;
    candidates_.resize(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) candidates_[i] = {int(i), logits[i] * inv_t};
    if (params_.top_k > 0) keep_top(size_t(params_.top_k));

    // Softmax over the remaining candidates.
    float max_logit = -INFINITY;
    for (const auto& c : candidates_) max_logit = std::max(max_logit, c.value);
    double sum = 0;
    for (auto& c : candidates_) {
        c.value = std::exp(c.value - max_logit);
        sum += c.value;
    }
    for (auto& c : candidates_) c.value = float(c.value / sum);

    if (params_.top_p < 1.0f) {
        // Smallest set whose mass reaches top_p: grow a partially selected prefix until it does.
        size_t k = std::min<size_t>(64, candidates_.size());
        for (;;) {
            std::partial_sort(
                candidates_.begin(), candidates_.begin() + k, candidates_.end(),
                [](const Candidate& a, const Candidate& b) { return a.value > b.value; });
            double mass = 0;
            size_t n = 0;
            while (n < k && mass < params_.top_p) mass += candidates_[n++].value;
            if (mass >= params_.top_p || k == candidates_.size()) {
                candidates_.resize(std::max<size_t>(n, 1));
                break;
            }
            k = std::min(k * 4, candidates_.size());
        }
    }

    if (params_.min_p > 0.0f) {
        float top = 0;
        for (const auto& c : candidates_) top = std::max(top, c.value);
        const float floor = params_.min_p * top;
        std::erase_if(candidates_, [&](const Candidate& c) { return c.value < floor; });
    }

    total = 0;
    for (const auto& c : candidates_) total += c.value;
    return -1;
}

int Sampler::sample(std::span<const float> logits, std::span<const int> history) {
    double total = 0;
    if (const int greedy = distribution(logits, history, total); greedy >= 0) return greedy;
    double r = uniform() * total;
    for (const auto& c : candidates_) {
        r -= c.value;
        if (r < 0) return c.id;
    }
    return candidates_.back().id;
}

int Sampler::verify(std::span<const float> logits, std::span<const int> history, int proposal) {
    double total = 0;
    if (const int greedy = distribution(logits, history, total); greedy >= 0) return greedy;
    double p = 0;  // the proposal's share of `total`; 0 when it was cut or banned
    for (const auto& c : candidates_)
        if (c.id == proposal) p = c.value;
    if (p > 0 && uniform() * total < p) return proposal;
    // Rejected: a draw from the rest, each token in proportion to its probability.
    double r = uniform() * (total - p);
    int last = proposal;
    for (const auto& c : candidates_) {
        if (c.id == proposal) continue;
        last = c.id;
        r -= c.value;
        if (r < 0) return c.id;
    }
    return last;  // rounding left r >= 0: the last token of the rest
}

}  // namespace qe
