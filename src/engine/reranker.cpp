#include "engine/reranker.h"

#include <algorithm>
#include <memory>

namespace qe {

size_t shared_prefix_length(std::span<const std::vector<int>> prompts) {
    if (prompts.empty()) return 0;
    size_t n = prompts[0].size();
    for (const auto& p : prompts) {
        n = std::min(n, p.empty() ? 0 : p.size() - 1);
        n = size_t(
            std::mismatch(prompts[0].begin(), prompts[0].begin() + ptrdiff_t(n), p.begin()).first -
            prompts[0].begin());
    }
    return n;
}

Reranker::Reranker(Runtime& runtime, RankHead head, const RerankerOptions& options)
    : runtime_(runtime),
      head_(std::move(head)),
      options_(options),
      n_ctx_(effective_context(runtime.config(), options.n_ctx > 0 ? options.n_ctx : 1 << 30)) {
    if (options_.max_pass_tokens < 1) throw Error("max_pass_tokens must be at least 1");
    if (head_.yes.size() != size_t(runtime.config().dim) ||
        head_.no.size() != size_t(runtime.config().dim))
        throw Error("the rank head's rows do not match the model's dim " +
                    std::to_string(runtime.config().dim));
}

RerankScores Reranker::score(std::span<const std::vector<int>> prompts) {
    RerankScores out;
    for (size_t i = 0; i < prompts.size(); ++i) {
        const size_t n = prompts[i].size();
        if (n == 0) throw RerankInputError(i, "prompt " + std::to_string(i) + " is empty");
        if (n > size_t(n_ctx_))
            throw RerankInputError(i, "prompt " + std::to_string(i) + " has " + std::to_string(n) +
                                          " tokens; the reranker's context holds " +
                                          std::to_string(n_ctx_));
        out.tokens += int64_t(n);
    }

    std::lock_guard lock(mutex_);
    ForwardModel& model = runtime_.model();
    const size_t dim = size_t(runtime_.config().dim);
    // A prefix shared by one prompt only saves nothing.
    const size_t shared =
        options_.share_prefix && prompts.size() > 1 ? shared_prefix_length(prompts) : 0;
    std::unique_ptr<SequenceState> prefix;
    if (shared > 0) {
        prefix = model.new_sequence(int(shared), options_.kv_type);
        const SequenceChunk chunk{prefix.get(), std::span(prompts[0]).first(shared), 0, false};
        model.forward({&chunk, 1}, ForwardOutput::Hidden);
        out.evaluated += int64_t(shared);
    }

    out.scores.reserve(prompts.size());
    // Passes of whole prompts (their own ids) up to max_pass_tokens positions; a longer one
    // alone.
    for (size_t first = 0; first < prompts.size();) {
        size_t last = first, tokens = 0;
        while (last < prompts.size() && (last == first || tokens + prompts[last].size() - shared <=
                                                              size_t(options_.max_pass_tokens)))
            tokens += prompts[last++].size() - shared;
        std::vector<std::unique_ptr<SequenceState>> states;
        std::vector<SequenceChunk> chunks;
        for (size_t i = first; i < last; ++i) {
            states.push_back(model.new_sequence(int(prompts[i].size()), options_.kv_type));
            if (prefix) states.back()->copy_prefix(*prefix, int(shared));
            chunks.push_back(
                {states.back().get(), std::span(prompts[i]).subspan(shared), int(shared), false});
        }
        const std::span<const float> hidden = model.forward(chunks, ForwardOutput::Hidden);
        for (size_t i = first; i < last; ++i)
            out.scores.push_back(head_.score(hidden.subspan((i - first) * dim, dim)));
        out.evaluated += int64_t(tokens);
        first = last;
    }
    return out;
}

}  // namespace qe
