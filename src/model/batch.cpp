#include "model/batch.h"

#include <string>

#include "core/error.h"

namespace qe {

void check_batch(const ModelConfig& config, int n_ctx, std::span<const int> ids, int start_pos) {
    if (ids.empty()) throw Error("no tokens to evaluate (the batch is empty)");
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= config.vocab_size)
            throw Error("token id " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                        " is out of range: the vocabulary has ids 0.." +
                        std::to_string(config.vocab_size - 1));
    }
    if (start_pos < 0 || int64_t(start_pos) + int64_t(ids.size()) > n_ctx)
        throw Error(std::to_string(ids.size()) + " tokens after " + std::to_string(start_pos) +
                    " already in the context do not fit in the context of " +
                    std::to_string(n_ctx) + " tokens (hint: a shorter prompt or a larger --ctx)");
}

void check_verify(const SequenceChunk& chunk) {
    if (!chunk.verify) return;
    if (chunk.ids.size() > size_t(kMaxVerifyChunk))
        throw Error("a verification chunk has at most " + std::to_string(kMaxVerifyChunk) +
                    " positions, not " + std::to_string(chunk.ids.size()));
    if (chunk.keep) throw Error("a verification chunk cannot keep a checkpoint (keep)");
}

}  // namespace qe
