// Any bytes as knowledge base text, through the FTS5 tokenizer's tokens (knowledge/text_tokens.h)
// in both modes: tokens are non-empty valid UTF-8 with byte ranges inside the text, in order; a
// query has a lone CJK character only where no pair ends with it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/utf8.h"
#include "knowledge/text_tokens.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace qe::knowledge;
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (const TokenMode mode : {TokenMode::kDocument, TokenMode::kQuery}) {
        size_t last_begin = 0;
        TextToken last;
        tokenize_text(text, mode, [&](const TextToken& t) {
            check(!t.text.empty());
            check(qe::utf8::find_invalid(t.text) == std::string::npos);
            check(t.begin < t.end && t.end <= text.size());
            check(t.begin >= last_begin);
            if (mode == TokenMode::kQuery && t.kind == TextToken::kCjkChar) {
                check(!(last.kind == TextToken::kCjkPair && last.end == t.end));
            }
            last_begin = t.begin;
            last = t;
        });
    }
    return 0;
}
