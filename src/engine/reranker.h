// Reranking: whole prompts of (query, document) pairs in (rerank_prompt.h), one relevance score
// each out: the RankHead's sigmoid(logit("yes") - logit("no")) of the final-normed hidden state
// at the prompt's last position.
//
// The prompts of one request differ only after the query, so the longest run of ids they all
// begin with is evaluated once, into a state of its own; each prompt's state then takes a copy
// of those positions (SequenceState::copy_prefix, a memcpy of the KV rows) and only the rest of
// each prompt is evaluated, many prompts in one forward pass. Batch invariance makes a score the
// same, bit for bit, as the prompt's evaluated whole and alone.
//
// Like the Embedder, a Reranker runs on the caller's thread over a Runtime of its own (never the
// chat Scheduler's); calls are serialised by a mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "model/rank_head.h"
#include "model/runtime.h"

namespace qe {

struct RerankerOptions {
    int n_ctx = 0;  // longest prompt in tokens; 0: the model's context length
    DType kv_type = DType::F16;
    int max_pass_tokens = 4096;  // positions per forward pass (prompts are never split)
    bool share_prefix = true;    // off: every prompt evaluated whole (tests compare the two)
};

struct RerankScores {
    std::vector<double> scores;  // one per prompt, in order, each in [0, 1]
    int64_t tokens = 0;          // the prompts' tokens, each prompt counted whole
    int64_t evaluated = 0;       // the tokens the model ran over (the shared prefix once)
};

// A prompt that is empty or longer than the context: `index` is its place in the request.
class RerankInputError : public Error {
  public:
    RerankInputError(size_t index, const std::string& message) : Error(message), index(index) {}
    size_t index;
};

class Reranker {
  public:
    // The runtime must outlive the reranker; nothing else may run it meanwhile.
    Reranker(Runtime& runtime, RankHead head, const RerankerOptions& options = {});

    // The score of each prompt. Throws RerankInputError for an empty prompt or one longer than
    // n_ctx() (before any work), qe::Error for ids out of the vocabulary.
    RerankScores score(std::span<const std::vector<int>> prompts);

    int n_ctx() const { return n_ctx_; }
    const RankHead& head() const { return head_; }

  private:
    Runtime& runtime_;
    RankHead head_;
    RerankerOptions options_;
    int n_ctx_;
    std::mutex mutex_;
};

// How many ids every prompt begins with, leaving each at least its last id of its own (the
// position its score is read at).
size_t shared_prefix_length(std::span<const std::vector<int>> prompts);

}  // namespace qe
