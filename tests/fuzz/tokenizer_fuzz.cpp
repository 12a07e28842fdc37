// Any bytes as text to tokenize, with a small built-in vocabulary (all 256 bytes, some merges,
// two added tokens): invalid UTF-8 must be refused with qe::Error; valid text must split into
// pieces that cover its NFC form, and decode back to it in both modes, whole and streamed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/nfc.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"

namespace {

qe::Vocab fuzz_vocab() {
    qe::Vocab v;
    v.source = "fuzz";
    for (int b = 0; b < 256; ++b) {
        v.tokens.push_back(std::string(1, char(b)));
        v.kinds.push_back(qe::TokenKind::kNormal);
    }
    auto merge = [&](std::string l, std::string r) {
        v.tokens.push_back(l + r);
        v.kinds.push_back(qe::TokenKind::kNormal);
        v.merges.emplace_back(std::move(l), std::move(r));
    };
    merge(" ", " ");
    merge("t", "h");
    merge("th", "e");
    merge(" ", "the");
    merge("\xE4", "\xB8");
    merge("\xE4\xB8", "\xAD");
    merge("'", "s");
    merge("\n", "\n");
    merge("e", "\xCC");
    for (const char* literal : {"<|im_end|>", "<x>"}) {
        v.tokens.push_back(literal);
        v.kinds.push_back(qe::TokenKind::kControl);
    }
    return v;
}

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const qe::Tokenizer tokenizer(fuzz_vocab());
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (qe::utf8::find_invalid(text) != std::string::npos) {
        try {
            tokenizer.encode(text);
            check(false);
        } catch (const qe::Error&) {
        }
        return 0;
    }
    std::string scratch;
    const std::string normal(qe::unicode::nfc(text, scratch));
    // Both split patterns (Qwen2's, Qwen3.5's with marks joined to letters) cover the text.
    for (const auto pattern : {qe::SplitPattern::Qwen2, qe::SplitPattern::Qwen35}) {
        size_t covered = 0;
        for (std::string_view piece : qe::split_qwen2(normal, pattern)) {
            check(!piece.empty() && piece.data() == normal.data() + covered);
            covered += piece.size();
        }
        check(covered == normal.size());
    }
    for (const auto mode : {qe::SpecialTokens::kParse, qe::SpecialTokens::kAsText}) {
        const std::vector<int32_t> ids = tokenizer.encode(text, mode);
        const std::string decoded = tokenizer.decode(ids);
        qe::StreamDecoder stream(tokenizer, false);
        std::string streamed;
        for (int32_t id : ids) streamed += stream.push(id);
        streamed += stream.finish();
        check(streamed == decoded);
        // Literals are cut out before normalization, so compare piecewise only without them.
        if (mode == qe::SpecialTokens::kAsText) check(decoded == normal);
    }
    return 0;
}
