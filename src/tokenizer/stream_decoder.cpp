#include "tokenizer/stream_decoder.h"

#include "core/utf8.h"

namespace qe {

std::string StreamDecoder::push(int32_t id) {
    const std::string_view bytes = tokenizer_.token_bytes(id);  // throws before any change
    if (skip_control_ && tokenizer_.kind(id) == TokenKind::kControl) return {};
    pending_.append(bytes);

    std::string out;
    const auto* s = reinterpret_cast<const unsigned char*>(pending_.data());
    const size_t n = pending_.size();
    size_t i = 0;
    while (i < n) {
        const utf8::Sequence seq = utf8::examine(s + i, n - i);
        if (seq.kind == utf8::Sequence::kIncomplete) break;  // wait for the next token
        if (seq.kind == utf8::Sequence::kComplete) {
            out.append(pending_, i, seq.length);
        } else {
            out.append(utf8::kReplacement);
        }
        i += seq.length;
    }
    pending_.erase(0, i);
    return out;
}

std::string StreamDecoder::finish() {
    std::string out;
    utf8::append_lossy(pending_, out);
    pending_.clear();
    return out;
}

}  // namespace qe
