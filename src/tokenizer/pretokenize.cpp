#include "tokenizer/pretokenize.h"

#include "core/utf8.h"
#include "tokenizer/unicode_class.h"

namespace qe {

namespace {

using unicode::kLetter;
using unicode::kMark;
using unicode::kNumber;
using unicode::kSpace;

struct Char {
    uint8_t flags;
    uint8_t len;
    char32_t cp;
};

class Reader {
  public:
    explicit Reader(std::string_view text)
        : s_(reinterpret_cast<const unsigned char*>(text.data())),
          n_(text.size()),
          table_(unicode::char_table()) {}

    size_t size() const { return n_; }

    // The character at byte i < size(). Ill-formed bytes (callers validate first) read as
    // one-byte characters of no class, so the loop always advances.
    Char at(size_t i) const {
        const unsigned char b = s_[i];
        if (b < 0x80) return {table_(b), 1, b};
        const utf8::Sequence seq = utf8::examine(s_ + i, n_ - i);
        if (seq.kind != utf8::Sequence::kComplete) return {0, seq.length, 0xFFFD};
        return {table_(seq.cp), seq.length, seq.cp};
    }

    bool is_cr_or_lf(size_t i) const { return s_[i] == '\r' || s_[i] == '\n'; }

    // End of the run of characters starting at i that have (or, with `without`, lack) `flags`.
    size_t run_end(size_t i, uint8_t flags, bool without = false) const {
        while (i < n_) {
            const Char c = at(i);
            if (((c.flags & flags) != 0) == without) break;
            i += c.len;
        }
        return i;
    }

  private:
    const unsigned char* s_;
    size_t n_;
    const unicode::CharTable& table_;
};

// Oniguruma's case folding of the contraction letters: ASCII case, and U+017F LATIN SMALL LETTER
// LONG S folds to 's'.
char32_t fold(char32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + ('a' - 'A');
    if (cp == 0x17F) return 's';
    return cp;
}

// Length of (?i:'s|'t|'re|'ve|'m|'ll|'d) at i (where an apostrophe is), or 0.
size_t contraction_length(const Reader& r, size_t i) {
    const size_t j = i + 1;
    if (j >= r.size()) return 0;
    const Char c1 = r.at(j);
    char32_t second = 0;
    switch (fold(c1.cp)) {
        case 's':
        case 't':
        case 'm':
        case 'd':
            return 1 + c1.len;
        case 'r':
        case 'v':
            second = 'e';
            break;
        case 'l':
            second = 'l';
            break;
        default:
            return 0;
    }
    const size_t k = j + c1.len;
    if (k >= r.size()) return 0;
    const Char c2 = r.at(k);
    return fold(c2.cp) == second ? 1 + c1.len + c2.len : 0;
}

// End of the piece that starts at `start`: the first alternative of the pattern that matches.
// `letters` is what runs of letters are made of: \p{L}, or [\p{L}\p{M}] in Qwen3.5's pattern.
size_t piece_end(const Reader& r, size_t start, uint8_t letters) {
    const Char c = r.at(start);
    const size_t after = start + c.len;

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    if (c.cp == '\'') {
        if (const size_t len = contraction_length(r, start)) return start + len;
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+     (Qwen3.5: [^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+)
    if (c.flags & letters) return r.run_end(after, letters);
    if (!(c.flags & (kNumber | kLetter)) && c.cp != '\r' && c.cp != '\n' && after < r.size() &&
        (r.at(after).flags & letters)) {
        return r.run_end(after, letters);
    }
    // \p{N}
    if (c.flags & kNumber) return after;
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'     (Qwen3.5: ' ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*')
    {
        size_t i = c.cp == ' ' ? after : start;
        const uint8_t stop = kSpace | letters | kNumber;
        if (i < r.size() && !(r.at(i).flags & stop)) {
            i = r.run_end(i, stop, /*without=*/true);
            while (i < r.size() && r.is_cr_or_lf(i)) ++i;
            return i;
        }
    }
    // Only whitespace is left; find its run, the last CR/LF in it and where its last char starts.
    size_t end = after, last_break = r.is_cr_or_lf(start) ? start : std::string_view::npos;
    size_t last_start = start;
    while (end < r.size()) {
        const Char w = r.at(end);
        if (!(w.flags & kSpace)) break;
        if (r.is_cr_or_lf(end)) last_break = end;
        last_start = end;
        end += w.len;
    }
    // \s*[\r\n]+ : greedy \s* backs off to the last line break of the run.
    if (last_break != std::string_view::npos) return last_break + 1;
    // \s+(?!\S) : the whole run at the end of the text, else all but its last character.
    if (end == r.size()) return end;
    if (last_start > start) return last_start;
    // \s+
    return end;
}

}  // namespace

bool Qwen2Splitter::next(std::string_view& piece) {
    if (pos_ >= text_.size()) return false;
    const uint8_t letters = pattern_ == SplitPattern::Qwen35 ? kLetter | kMark : kLetter;
    const size_t end = piece_end(Reader(text_), pos_, letters);
    piece = text_.substr(pos_, end - pos_);
    pos_ = end;
    return true;
}

std::vector<std::string_view> split_qwen2(std::string_view text, SplitPattern pattern) {
    std::vector<std::string_view> pieces;
    Qwen2Splitter splitter(text, pattern);
    std::string_view piece;
    while (splitter.next(piece)) pieces.push_back(piece);
    return pieces;
}

}  // namespace qe
