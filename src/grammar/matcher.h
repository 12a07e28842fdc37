// Where a document is in a grammar: advanced by the bytes of each accepted token, asked whether
// the document is complete and how many bytes at least would complete it. Copying it is cheap
// and each accept can be undone (rewind), for speculative decoding that tries several tokens.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/stacks.h"

namespace qe::grammar {

class Matcher {
  public:
    explicit Matcher(std::shared_ptr<const Grammar> grammar);

    // Advances over `bytes` when they keep the text a prefix of a document and returns true;
    // otherwise returns false and changes nothing.
    bool accept(std::string_view bytes);
    // Undoes the last `n` successful accepts (at most accepted_count()).
    void rewind(size_t n);
    size_t accepted_count() const { return history_.size(); }

    // The text so far is a whole document.
    bool accepting() const { return accepting_; }
    // Some byte may still follow.
    bool can_continue() const { return !tops_.empty(); }
    // The fewest bytes that make the text a whole document: 0 when it is one.
    uint32_t distance() const;

    const Stacks& stacks() const { return stacks_; }
    const std::vector<int32_t>& tops() const { return tops_; }
    const Grammar& grammar() const { return *grammar_; }
    const std::shared_ptr<const Grammar>& shared_grammar() const { return grammar_; }

  private:
    struct Saved {
        size_t frames;
        std::vector<int32_t> tops;
        bool accepting;
    };

    std::shared_ptr<const Grammar> grammar_;
    Stacks stacks_;
    std::vector<int32_t> tops_;
    bool accepting_ = false;
    std::vector<Saved> history_;
    std::vector<int32_t> scratch_;
};

}  // namespace qe::grammar
