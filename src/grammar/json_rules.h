// The JSON lexical pieces that the schema compiler assembles, as grammar rules: whitespace,
// strings of bounded length, numbers, integer ranges and string formats. Whitespace and numbers
// are bounded (a newline and at most kMaxIndent blanks; at most 16 integer and 15 fraction
// digits), so that every state can be finished in a known number of bytes.
#pragma once

#include <cstdint>
#include <string>

#include "grammar/grammar.h"

namespace qe::grammar {

inline constexpr int kMaxIndent = 24;
inline constexpr int kMaxIntegerDigits = 16;
inline constexpr int kMaxFractionDigits = 15;
inline constexpr int64_t kLargestInteger = 9999999999999999;  // kMaxIntegerDigits nines

class JsonRules {
  public:
    explicit JsonRules(GrammarBuilder& b) : b_(b) {}

    uint32_t ws();          // "" | " " | "\n" [ \t]{0,kMaxIndent}
    uint32_t any_value();   // any JSON value (objects and arrays of any depth)
    uint32_t any_object();  // any JSON object
    // A string of min..max characters (max = GrammarBuilder::kUnbounded for any length).
    uint32_t string(int min_length, int max_length);
    uint32_t number();                         // any number within the digit bounds
    uint32_t integer(int64_t lo, int64_t hi);  // an integer in [lo, hi], lo <= hi
    // A number in [lo, hi]: the integers of the range, and decimals whose integer part k has
    // [k, k+1) inside it (a subset of the range that is simple to generate).
    uint32_t bounded_number(int64_t lo_int, int64_t frac_lo, int64_t frac_hi, int64_t hi_int);
    // "date", "time", "date-time", "uuid", "email" in quotes; kNever for another format.
    uint32_t formatted_string(const std::string& format);
    // The JSON text of `json_text` as bytes, exactly.
    Sequence literal(const std::string& json_text) { return b_.literal(json_text); }

  private:
    uint32_t character();  // one character of a string's content, escapes included
    Sequence digits(int n);
    std::vector<Sequence> nonnegative(uint64_t lo, uint64_t hi);
    uint32_t date();
    uint32_t time();

    GrammarBuilder& b_;
    uint32_t ws_ = kNever, value_ = kNever, object_ = kNever, char_ = kNever, number_ = kNever;
    uint32_t date_ = kNever, time_ = kNever;
};

}  // namespace qe::grammar
