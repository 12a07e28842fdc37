// Turns one position's logits into the next token id.
//
// Order of operations (as Hugging Face's generate applies them): penalties over the recent
// history -> temperature -> top-k -> softmax -> top-p -> min-p -> draw. Temperature 0 is greedy.
// No full sort of the vocabulary: candidates are found by partial selection.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace qe {

struct SamplingParams {
    // Defaults are Qwen2.5-Instruct's generation_config.json.
    float temperature = 0.7f;
    int top_k = 20;                   // 0 = off
    float top_p = 0.8f;               // 1 = off
    float min_p = 0.0f;               // 0 = off; relative to the most likely token
    float repetition_penalty = 1.1f;  // 1 = off; divides positive logits, multiplies negative
    float presence_penalty = 0.0f;    // subtracted once from every token seen in the window
    float frequency_penalty = 0.0f;   // subtracted per occurrence in the window
    int penalty_window = 64;          // how many recent tokens the penalties look at; 0 = none
    uint64_t seed = 0;

    // Throws qe::Error naming the first parameter out of range.
    void validate() const;
};

class Sampler {
  public:
    explicit Sampler(const SamplingParams& params);

    // `history` holds the tokens so far (prompt and generated); only the last
    // penalty_window of them are penalised. `logits` is not modified.
    int sample(std::span<const float> logits, std::span<const int> history);

    // Speculative decoding's acceptance rule for a deterministic proposal: with p the
    // distribution sample() draws from (same penalties, temperature, cuts and bans), keeps
    // `proposal` with probability p(proposal), otherwise draws from p without it (renormalised).
    // The result is distributed as p, so verified output is distributed as sampled output.
    // Greedy: the argmax, as sample() gives it. Deterministic for a seed.
    int verify(std::span<const float> logits, std::span<const int> history, int proposal);

    // Tokens never drawn, whatever their logits (e.g. a tool-call tag the request forbids). Ids
    // outside the vocabulary are ignored.
    void ban(std::vector<int> ids) { banned_ = std::move(ids); }

    const SamplingParams& params() const { return params_; }

  private:
    struct Candidate {
        int id;
        float value;  // a logit, then a probability
    };

    // Sets candidates_ to the final distribution for `logits` (probabilities summing to `total`);
    // returns the token itself, or -1 when it is not drawn (greedy: the argmax).
    int distribution(std::span<const float> logits, std::span<const int> history, double& total);
    void apply_penalties(std::span<const int> history);
    void keep_top(size_t k);
    double uniform();  // [0, 1), the same sequence on every platform for a seed

    SamplingParams params_;
    std::mt19937_64 rng_;
    std::vector<Candidate> candidates_;
    std::vector<float> scratch_;  // penalised logits, when penalties or bans apply
    std::vector<int> banned_;
};

}  // namespace qe
