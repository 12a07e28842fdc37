// The grammar IR that the GBNF parser and the JSON-schema compiler produce and the matcher runs:
// rules made of alternatives, each a sequence of elements that match one byte from a set or a
// whole rule. It works on UTF-8 bytes, not characters, because tokens are byte strings and a
// token may end inside a character; character classes are compiled to byte sequences
// (utf8_ranges.h). Repetitions are lowered to rules by the builder.
//
// All alternatives are flattened into one `program`; a position is an index into it, which is
// what the matcher's stacks hold. Every alternative ends with a kEnd element.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "grammar/byte_set.h"

namespace qe::grammar {

enum class ElementKind : uint8_t { kBytes, kRule, kEnd };

struct Element {
    ElementKind kind;
    uint32_t index;  // kBytes: into Grammar::byte_sets; kRule: the rule id; kEnd: the rule id
};

using Sequence = std::vector<Element>;

inline constexpr uint32_t kNever = std::numeric_limits<uint32_t>::max();

// min(a + b, kNever): distances saturate instead of wrapping.
inline uint32_t add_saturated(uint32_t a, uint32_t b) {
    return a >= kNever - b ? kNever : a + b;
}

struct Grammar {
    std::vector<Element> program;             // every alternative, each closed by kEnd
    std::vector<std::vector<uint32_t>> alts;  // [rule] -> start positions in program
    std::vector<std::string> names;           // [rule] for messages
    std::vector<ByteSet> byte_sets;
    // [position] the fewest bytes that finish the alternative from this position on: what the
    // matcher adds up to know how far any state is from a complete document.
    std::vector<uint32_t> min_rest;
    uint32_t root = 0;
};

// Builds a Grammar rule by rule and checks it: every referenced rule defined, none
// left-recursive (the matcher would loop), every rule able to finish. Throws qe::Error naming
// the rule.
class GrammarBuilder {
  public:
    // The rule called `name`, created (undefined) on first use.
    uint32_t rule(std::string_view name);
    // A new rule with a unique name derived from `hint`.
    uint32_t fresh_rule(std::string_view hint);
    bool defined(uint32_t rule) const { return defined_[rule]; }
    // Gives `rule` its alternatives; throws qe::Error when it has some already.
    void define(uint32_t rule, std::vector<Sequence> alternatives);

    Element bytes(const ByteSet& set);
    Element ref(uint32_t rule) const { return {ElementKind::kRule, rule}; }
    Sequence literal(std::string_view text);
    // A rule matching `item` between min and max times (max = kUnbounded for no limit); for
    // large counts, a chain of rules, so its size is linear in the count.
    static constexpr int kUnbounded = -1;
    uint32_t repeat(const Sequence& item, int min, int max, std::string_view hint);
    // A rule whose alternatives are `alternatives` (for groups inside a sequence).
    uint32_t group(std::vector<Sequence> alternatives, std::string_view hint);

    size_t size() const { return elements_; }
    size_t rule_count() const { return names_.size(); }

    Grammar build(uint32_t root) &&;

  private:
    std::vector<std::string> names_;
    std::unordered_map<std::string, uint32_t> ids_;
    std::vector<std::vector<Sequence>> rules_;
    std::vector<bool> defined_;
    std::vector<ByteSet> byte_sets_;
    size_t elements_ = 0;
};

}  // namespace qe::grammar
