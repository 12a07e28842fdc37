// Shared by the grammar tests: whole-text matching and grammars from GBNF text.
#pragma once

#include <memory>
#include <string>

#include "grammar/gbnf_parser.h"
#include "grammar/matcher.h"

namespace qe::testing {

inline std::shared_ptr<const grammar::Grammar> gbnf(const std::string& text) {
    return std::make_shared<const grammar::Grammar>(grammar::parse_gbnf(text));
}

// `text` is a whole document of `g`.
inline bool matches(std::shared_ptr<const grammar::Grammar> g, const std::string& text) {
    grammar::Matcher m(std::move(g));
    return m.accept(text) && m.accepting();
}

// `text` is a prefix of some document of `g`.
inline bool prefix(std::shared_ptr<const grammar::Grammar> g, const std::string& text) {
    grammar::Matcher m(std::move(g));
    return m.accept(text);
}

}  // namespace qe::testing
