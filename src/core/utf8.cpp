#include "core/utf8.h"

namespace qe::utf8 {

namespace {

// Length of the leading run of ASCII bytes, eight at a time.
size_t ascii_prefix(const unsigned char* s, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        __builtin_memcpy(&word, s + i, 8);
        if (word & 0x8080808080808080ull) break;
    }
    while (i < n && s[i] < 0x80) ++i;
    return i;
}

}  // namespace

size_t find_invalid(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        i += ascii_prefix(s + i, n - i);
        if (i == n) break;
        const Sequence seq = examine(s + i, n - i);
        if (seq.kind != Sequence::kComplete) return i;
        i += seq.length;
    }
    return std::string_view::npos;
}

void append_lossy(std::string_view text, std::string& out) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const size_t ascii = ascii_prefix(s + i, n - i);
        out.append(text.data() + i, ascii);
        i += ascii;
        if (i == n) break;
        const Sequence seq = examine(s + i, n - i);
        if (seq.kind == Sequence::kComplete) {
            out.append(text.data() + i, seq.length);
        } else {
            out.append(kReplacement);
        }
        i += seq.length;
    }
}

}  // namespace qe::utf8
