// The words of a knowledge base's text, the same for its documents and for a user's question, so
// that both meet in the FTS5 index (fts_tokenizer.h) and the query builder (fts_query.h).
//
// The text is folded with NFKC and case folding (full-width "Ｑ３" is the word "q3"). Letters,
// digits and marks make words; a run of CJK characters (Han, kana) makes overlapping pairs, since
// Chinese has no spaces and Debian packages no segmenter:
//   document "报销流程": 报销 销流 流程 程   (and the run's last character alone, so that every
//                                           character begins a token)
//   query    "报销流程": 报销 销流 流程      (a lone character: itself)
// The pairs sit at consecutive positions, so a question's run is a phrase of its pairs. A
// one-character question is a prefix query ("报" *, fts_query.h), which finds the character
// wherever it stands: every place a character stands begins a pair or is a run's last character.
// (Indexing each character beside each pair would do the same with an index about twice as big.)
// Everything else (spaces, punctuation, symbols, emoji, invalid UTF-8) separates tokens.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace qe::knowledge {

enum class TokenMode {
    kDocument,  // the pairs of each CJK run and its last character
    kQuery,     // the pairs of each CJK run, or its character when it stands alone
};

struct TextToken {
    enum Kind { kWord, kCjkChar, kCjkPair };
    std::string text;  // folded (NFKC + case fold)
    size_t begin = 0;  // byte range of the source text it came from
    size_t end = 0;
    Kind kind = kWord;
};

// Calls `emit` for each token of `text` in order. Any bytes are accepted.
void tokenize_text(std::string_view text, TokenMode mode,
                   const std::function<void(const TextToken&)>& emit);

std::vector<TextToken> tokenize_text(std::string_view text, TokenMode mode);

// The folded form of one source slice (NFKC + case fold, default-ignorables dropped).
std::string fold_text(std::string_view text);

}  // namespace qe::knowledge
