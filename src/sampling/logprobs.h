// Log-probabilities of one position: the log-softmax of the model's raw logits (before
// temperature and penalties, as vLLM reports them by default), so a value means the same at any
// temperature. The most likely tokens are found in one pass over the vocabulary, without sorting
// it.
#pragma once

#include <span>
#include <vector>

namespace qe {

struct TokenLogprob {
    int id = -1;
    float logprob = 0;
};

struct PositionLogprobs {
    double log_norm = 0;            // log(sum(exp(logits))): a token's logprob is logit - this
    std::vector<TokenLogprob> top;  // the `top_n` most likely, best first; `banned` left out
};

// `top_n` >= 0. Banned tokens (ones the request forbids) are never among the top.
PositionLogprobs position_logprobs(std::span<const float> logits, int top_n,
                                   std::span<const int> banned = {});

}  // namespace qe
