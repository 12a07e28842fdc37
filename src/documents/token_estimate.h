// Chunk sizes in tokens without a tokenizer: Qwen's vocabulary spends about one token on a CJK
// character and about one on four bytes of other text (English words, digits, punctuation).
// estimate_tokens() counts CJK characters (Han, kana, Hangul, CJK and full-width punctuation) as
// one token each and rounds the other bytes up to quarters. An estimate for sizing, not a count.
#pragma once

#include <string_view>

namespace qe::documents {

bool is_cjk(char32_t cp);

int estimate_tokens(std::string_view utf8);

}  // namespace qe::documents
