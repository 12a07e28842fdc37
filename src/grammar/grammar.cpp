#include "grammar/grammar.h"

#include <algorithm>
#include <functional>
#include <string>

#include "core/error.h"
#include "grammar/grammar_limits.h"

namespace qe::grammar {

uint32_t GrammarBuilder::rule(std::string_view name) {
    if (const auto it = ids_.find(std::string(name)); it != ids_.end()) return it->second;
    if (names_.size() >= kMaxRules) {
        throw Error("grammar: more than " + std::to_string(kMaxRules) + " rules");
    }
    names_.emplace_back(name);
    ids_.emplace(names_.back(), uint32_t(names_.size() - 1));
    rules_.emplace_back();
    defined_.push_back(false);
    return uint32_t(names_.size() - 1);
}

uint32_t GrammarBuilder::fresh_rule(std::string_view hint) {
    // A suffix no GBNF name can have ('#'), so a fresh rule never takes a user's name.
    return rule(std::string(hint) + "#" + std::to_string(names_.size()));
}

void GrammarBuilder::define(uint32_t id, std::vector<Sequence> alternatives) {
    if (defined_[id]) throw Error("grammar: rule '" + names_[id] + "' is defined twice");
    for (const Sequence& s : alternatives) elements_ += s.size() + 1;
    if (elements_ > kMaxElements) {
        throw Error("grammar: larger than " + std::to_string(kMaxElements) + " elements");
    }
    rules_[id] = std::move(alternatives);
    defined_[id] = true;
}

Element GrammarBuilder::bytes(const ByteSet& set) {
    // Few distinct sets exist in practice; sharing them keeps the grammar small.
    for (size_t i = 0; i < byte_sets_.size(); ++i) {
        if (byte_sets_[i] == set) return {ElementKind::kBytes, uint32_t(i)};
    }
    byte_sets_.push_back(set);
    return {ElementKind::kBytes, uint32_t(byte_sets_.size() - 1)};
}

Sequence GrammarBuilder::literal(std::string_view text) {
    Sequence s;
    for (char c : text) s.push_back(bytes(ByteSet::of(uint8_t(c))));
    return s;
}

uint32_t GrammarBuilder::group(std::vector<Sequence> alternatives, std::string_view hint) {
    const uint32_t id = fresh_rule(hint);
    define(id, std::move(alternatives));
    return id;
}

uint32_t GrammarBuilder::repeat(const Sequence& item, int min, int max, std::string_view hint) {
    if (min < 0 || min > kMaxRepeat || max > kMaxRepeat || (max != kUnbounded && max < min)) {
        throw Error("grammar: repetition {" + std::to_string(min) + "," + std::to_string(max) +
                    "} out of range (counts up to " + std::to_string(kMaxRepeat) + ")");
    }
    // One element per item keeps the chains below small.
    const Element one = item.size() == 1 ? item[0] : ref(group({item}, hint));
    // The optional part: x* as R ::= x R | "" (right recursion, so the matcher's stack stays
    // flat), or at most k more as R_k ::= x R_{k-1} | "".
    uint32_t tail;
    if (max == kUnbounded) {
        tail = fresh_rule(hint);
        define(tail, {{one, ref(tail)}, {}});
    } else {
        tail = group({{}}, hint);
        for (int k = 1; k <= max - min; ++k) {
            const uint32_t next = fresh_rule(hint);
            define(next, {{one, ref(tail)}, {}});
            tail = next;
        }
    }
    // The required part: x{min} as a chain R_k ::= x R_{k-1}, ending in the optional part.
    uint32_t head = tail;
    for (int k = 0; k < min; ++k) {
        const uint32_t next = fresh_rule(hint);
        define(next, {{one, ref(head)}});
        head = next;
    }
    return head;
}

namespace {

// The fewest bytes each rule matches, by fixpoint; kNever for a rule that never finishes.
std::vector<uint32_t> rule_minimums(const std::vector<std::vector<Sequence>>& rules) {
    std::vector<uint32_t> min(rules.size(), kNever);
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t r = 0; r < rules.size(); ++r) {
            for (const Sequence& alt : rules[r]) {
                uint32_t n = 0;
                for (const Element& e : alt) {
                    n = add_saturated(n, e.kind == ElementKind::kBytes ? 1 : min[e.index]);
                }
                if (n < min[r]) {
                    min[r] = n;
                    changed = true;
                }
            }
        }
    }
    return min;
}

// Throws when a rule can reach itself without consuming a byte (through nullable prefixes).
void refuse_left_recursion(const std::vector<std::vector<Sequence>>& rules,
                           const std::vector<uint32_t>& min,
                           const std::vector<std::string>& names) {
    enum Mark : uint8_t { kNew, kOpen, kDone };
    std::vector<Mark> mark(rules.size(), kNew);
    std::function<void(uint32_t)> visit = [&](uint32_t r) {
        mark[r] = kOpen;
        for (const Sequence& alt : rules[r]) {
            for (const Element& e : alt) {
                if (e.kind != ElementKind::kRule) break;
                if (mark[e.index] == kOpen) {
                    throw Error("grammar: rule '" + names[e.index] +
                                "' is left-recursive (it can reach itself without reading a "
                                "byte)");
                }
                if (mark[e.index] == kNew) visit(e.index);
                if (min[e.index] != 0) break;
            }
        }
        mark[r] = kDone;
    };
    for (uint32_t r = 0; r < rules.size(); ++r) {
        if (mark[r] == kNew) visit(r);
    }
}

}  // namespace

Grammar GrammarBuilder::build(uint32_t root) && {
    for (size_t r = 0; r < rules_.size(); ++r) {
        if (!defined_[r]) throw Error("grammar: rule '" + names_[r] + "' is used but not defined");
    }
    const std::vector<uint32_t> min = rule_minimums(rules_);
    for (size_t r = 0; r < rules_.size(); ++r) {
        if (min[r] == kNever) {
            throw Error("grammar: rule '" + names_[r] +
                        "' can never finish (every alternative needs itself again)");
        }
    }
    refuse_left_recursion(rules_, min, names_);

    Grammar g;
    g.root = root;
    g.names = std::move(names_);
    g.byte_sets = std::move(byte_sets_);
    g.alts.resize(rules_.size());
    for (uint32_t r = 0; r < rules_.size(); ++r) {
        for (const Sequence& alt : rules_[r]) {
            g.alts[r].push_back(uint32_t(g.program.size()));
            const size_t start = g.program.size();
            g.program.insert(g.program.end(), alt.begin(), alt.end());
            g.program.push_back({ElementKind::kEnd, r});
            // The rest from each position, summed from the end of the alternative back.
            g.min_rest.resize(g.program.size());
            uint32_t rest = 0;
            g.min_rest[g.program.size() - 1] = 0;
            for (size_t p = g.program.size() - 1; p-- > start;) {
                const Element& e = g.program[p];
                rest = add_saturated(rest, e.kind == ElementKind::kBytes ? 1 : min[e.index]);
                g.min_rest[p] = rest;
            }
        }
    }
    return g;
}

}  // namespace qe::grammar
