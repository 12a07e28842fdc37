// A user's question as an FTS5 MATCH expression. The question never reaches FTS5 as syntax: it is
// cut into tokens by the knowledge base's own tokenizer (text_tokens.h), and each token becomes
// one double-quoted string, so `a" OR "b`, `NEAR(`, `*`, `-` or `col:` are only words or nothing.
#pragma once

#include <string>
#include <string_view>

namespace qe::knowledge {

// At most this many terms, so that a pasted page cannot make one query scan the whole index
// once per word.
inline constexpr size_t kMaxQueryTerms = 64;

// The expression: the distinct query tokens (words, CJK pairs, lone CJK characters as prefix
// queries: "报" *) joined by OR, and each CJK run of three or more characters also as one phrase,
// which ranks the chunks that hold it unbroken above those that hold only its pairs. Empty when the
// question holds no words (then nothing matches, and the caller must not run the query).
std::string fts_match_expression(std::string_view question);

// `s` as an FTS5 string: in double quotes, each double quote doubled.
std::string fts_quote(std::string_view s);

}  // namespace qe::knowledge
