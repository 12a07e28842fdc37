// The engine's view of a grammar::DocumentConstraint: the TokenConstraint of a job whose answer
// keeps to a grammar (response_format, the grammar extra, forced tool calls).
#pragma once

#include <span>
#include <utility>

#include "engine/job.h"
#include "grammar/document_constraint.h"

namespace qe {

class GrammarConstraint : public TokenConstraint {
  public:
    explicit GrammarConstraint(grammar::DocumentConstraint c) : c_(std::move(c)) {}
    void mask(std::span<float> logits) override { c_.mask(logits); }
    bool accept(int token) override { return c_.accept(token); }

  private:
    grammar::DocumentConstraint c_;
};

}  // namespace qe
