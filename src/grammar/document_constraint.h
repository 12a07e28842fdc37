// One generation under a grammar: masks the logits before each sampling step and follows the
// sampled tokens. Owns the per-job state (a Matcher and the budget); the masks come from the
// TokenMasker shared by every job of the same grammar.
//
// The output always completes: a token is allowed only when the document can still be finished
// in the tokens left after it (one byte per token at worst; every byte is a token of a byte-level
// vocabulary), so when max_tokens runs out the document is whole. Only when max_tokens is below
// the fewest bytes to finish from the start can it end unfinished (finish_reason "length").
// End tokens are allowed once the document is complete, and whenever nothing else is (a
// vocabulary that cannot continue the document stops instead of hanging).
//
// A thinking model reasons freely first: with `open_after` (the id of </think>), the document
// starts after that token; until then every token is allowed, but once the budget left is no
// more than the document needs, </think> is the only one.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "grammar/matcher.h"
#include "grammar/token_mask.h"

namespace qe::grammar {

class DocumentConstraint {
  public:
    DocumentConstraint(std::shared_ptr<TokenMasker> masker, std::vector<int32_t> end_ids,
                       uint32_t max_tokens, int32_t open_after = -1);

    // The allowed token ids of the next step as bits (end tokens included).
    const TokenBits& allowed();
    // Sets the logits of the tokens not allowed to -infinity (logits.size() >= vocabulary).
    void mask(std::span<float> logits);
    // Follows a sampled token; returns false (and changes nothing) for a token the grammar
    // refuses. An end token ends the document.
    bool accept(int32_t token);
    // Undoes the last n accepted tokens, end tokens included (speculative decoding). A copy of
    // a DocumentConstraint is an independent state (the masker is shared).
    void rewind(size_t n);
    size_t accepted_count() const { return history_.size(); }

    bool complete() const { return !waiting_ && matcher_.accepting(); }
    // Still before `open_after`: the document has not started.
    bool waiting() const { return waiting_; }
    uint32_t remaining() const { return remaining_; }
    const Matcher& matcher() const { return matcher_; }

  private:
    bool is_end(int32_t token) const;

    std::shared_ptr<TokenMasker> masker_;
    std::vector<int32_t> end_ids_;
    Matcher matcher_;
    uint32_t remaining_;
    int32_t open_after_;
    bool waiting_;
    // What each accepted token did, to undo it: thinking, open_after, a document token, an end.
    enum class Step : uint8_t { kThinking, kOpened, kDocument, kEnd };
    struct Accepted {
        Step step;
        bool took_budget;  // remaining_ went down (it stays at 0 once there)
    };
    std::vector<Accepted> history_;
    TokenBits bits_;
    bool bits_fresh_ = false;
};

}  // namespace qe::grammar
