// The scoring head of a Qwen3-Reranker. The model is a causal LM asked whether a document meets
// a query; its score is the probability of "yes" against "no" at the prompt's last position:
//   score = sigmoid(logit("yes") - logit("no"))
// where each logit is one row of the output head times the final-normed hidden state h [dim].
// Only those two rows are needed, never the whole vocabulary.
//
// Files come in two forms:
//   - the causal LM as converted (no `<arch>.pooling_type`): the rows of the output head (or of
//     token_embd when tied) at the vocabulary's "yes" and "no" tokens;
//   - llama.cpp's reranker conversion (pooling_type 4, "rank"): a 2-row `cls.output.weight`
//     [2, dim], row 0 "yes" and row 1 "no" (as its `<arch>.classifier.output_labels` say), with an
//     optional `cls.output.bias` [2]. llama.cpp takes the softmax of the two and returns the
//     first: the same sigmoid of the difference.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace qe {

class LoadedModel;

struct RankHead {
    std::vector<float> yes, no;  // [dim] each
    float yes_bias = 0, no_bias = 0;
    std::string source;  // where the rows came from, for messages and `info`

    // sigmoid(logit_yes - logit_no) for a final-normed hidden state [dim], in [0, 1].
    double score(std::span<const float> hidden) const;
};

// The head of `model`. Throws qe::Error naming what is not supported: an architecture other than
// qwen3, a pooling type other than none or rank, a classifier that is not the 2-row yes/no head
// (more rows, a dense layer before it, labels other than yes and no), or a vocabulary without
// single "yes" and "no" tokens (the full-head form).
RankHead read_rank_head(const LoadedModel& model);

}  // namespace qe
