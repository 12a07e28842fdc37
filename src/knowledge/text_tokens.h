// The words of a knowledge base's text, the same for its documents and for a user's question, so
// that both meet in the FTS5 index (fts_tokenizer.h) and the query builder (fts_query.h).
//
// The text is folded with NFKC and case folding (full-width "Ｑ３" is the word "q3"). Letters,
// digits and marks make words; a run of CJK characters (Han, kana) makes one token per character
// and one per overlapping pair, since Chinese has no spaces and Debian packages no segmenter:
//   document "报销流程": 报 报销 | 销 销流 | 流 流程 | 程   (a pair shares its first character's
//   position, so the pairs of a run sit at consecutive positions and a phrase of pairs matches)
//   query    "报销流程": 报销 销流 流程                    (pairs only; a lone character: itself)
// Everything else (spaces, punctuation, symbols, emoji, invalid UTF-8) separates tokens.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace qe::knowledge {

enum class TokenMode {
    kDocument,  // characters and pairs of each CJK run
    kQuery,     // pairs of each CJK run, or its character when it stands alone
};

struct TextToken {
    std::string text;     // folded (NFKC + case fold)
    size_t begin = 0;     // byte range of the source text it came from
    size_t end = 0;
    bool colocated = false;  // at the same position as the token before it (a CJK pair)
    bool cjk = false;        // a CJK character or pair, not a word
};

// Calls `emit` for each token of `text` in order. Any bytes are accepted.
void tokenize_text(std::string_view text, TokenMode mode,
                   const std::function<void(const TextToken&)>& emit);

std::vector<TextToken> tokenize_text(std::string_view text, TokenMode mode);

// The folded form of one source slice (NFKC + case fold, default-ignorables dropped).
std::string fold_text(std::string_view text);

}  // namespace qe::knowledge
