// The engine's view of a grammar::DocumentConstraint: the TokenConstraint of a job whose answer
// keeps to a grammar (response_format, the grammar extra, forced tool calls).
#pragma once

#include <memory>
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
    void rewind(size_t n) override { c_.rewind(n); }
    std::unique_ptr<TokenConstraint> clone() const override {
        return std::make_unique<GrammarConstraint>(c_);  // the matcher and budget copied
    }

  private:
    grammar::DocumentConstraint c_;
};

}  // namespace qe
