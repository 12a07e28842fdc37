// Finds added-token literals (<|im_start|>, <tool_call>, ...) in raw text, leftmost-longest, as
// Hugging Face's added vocabulary does before normalization and splitting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qe {

class LiteralMatcher {
  public:
    struct Literal {
        std::string text;
        int32_t id;
    };
    explicit LiteralMatcher(std::vector<Literal> literals);

    struct Match {
        size_t pos;  // byte offset; npos when there is none
        size_t len;
        int32_t id;
    };
    // The leftmost literal at or after `from`; among those starting there, the longest.
    Match find(std::string_view text, size_t from) const;

    bool empty() const { return literals_.empty(); }

  private:
    std::vector<Literal> literals_;  // longest first
    bool starts_[256] = {};          // which bytes can begin a literal
    int single_start_ = -1;          // the one possible first byte, when there is only one
};

}  // namespace qe
