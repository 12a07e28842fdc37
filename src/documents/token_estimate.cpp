#include "documents/token_estimate.h"

#include "core/utf8.h"

namespace qe::documents {

bool is_cjk(char32_t cp) {
    return (cp >= 0x2E80 && cp <= 0x9FFF) ||  // radicals, CJK punctuation, kana, Han
           (cp >= 0xAC00 && cp <= 0xD7AF) ||  // Hangul syllables
           (cp >= 0xF900 && cp <= 0xFAFF) ||  // compatibility ideographs
           (cp >= 0xFF00 && cp <= 0xFFEF) ||  // full-width forms
           (cp >= 0x20000 && cp <= 0x3FFFF);  // Han extensions B..H
}

int estimate_tokens(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    size_t cjk = 0, other_bytes = 0;
    for (size_t i = 0; i < text.size();) {
        const utf8::Sequence seq = utf8::examine(s + i, text.size() - i);
        if (seq.kind == utf8::Sequence::kComplete && is_cjk(seq.cp)) {
            ++cjk;
        } else {
            other_bytes += seq.length;
        }
        i += seq.length;
    }
    return int(cjk + (other_bytes + 3) / 4);
}

}  // namespace qe::documents
