// UTF-8 decoding, validation and lossy repair, as the Unicode standard defines them.
//
// Well-formed sequences (Unicode Table 3-7):
//   00..7F | C2..DF 80..BF | E0 A0..BF 80..BF | E1..EC 80..BF 80..BF | ED 80..9F 80..BF
//   | EE..EF 80..BF 80..BF | F0 90..BF 80..BF 80..BF | F1..F3 80..BF ×3 | F4 80..8F 80..BF 80..BF
// Ill-formed input is replaced one "maximal subpart" at a time by U+FFFD, the practice that
// Rust's String::from_utf8_lossy (and so Hugging Face's decoder) follows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qe::utf8 {

// What the bytes at the start of a buffer hold.
struct Sequence {
    enum Kind : uint8_t {
        kComplete,    // a whole character of `length` bytes, decoded into `cp`
        kIncomplete,  // the buffer ends inside a character that could still be completed
        kInvalid,     // `length` bytes (a maximal subpart, >= 1) that no character can start with
    };
    Kind kind;
    uint8_t length;
    char32_t cp;
};

// Examines the first character of s[0..n); n must be >= 1.
inline Sequence examine(const unsigned char* s, size_t n) {
    const unsigned char b0 = s[0];
    if (b0 < 0x80) return {Sequence::kComplete, 1, b0};
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    char32_t cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3, cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4, cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;  // no overlong forms
        if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return {Sequence::kInvalid, 1, 0};
    }
    for (size_t i = 1; i < need; ++i) {
        if (i >= n) return {Sequence::kIncomplete, uint8_t(i), 0};
        const unsigned char b = s[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) {
            return {Sequence::kInvalid, uint8_t(i), 0};
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    return {Sequence::kComplete, uint8_t(need), cp};
}

inline Sequence examine(std::string_view s) {
    return examine(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

// Appends the UTF-8 form of a code point (which must be a Unicode scalar value).
inline void append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Byte offset of the first ill-formed or truncated sequence, or npos when s is valid UTF-8.
size_t find_invalid(std::string_view s);

// Appends s to out with every maximal ill-formed subpart (a truncated tail included) replaced
// by U+FFFD.
void append_lossy(std::string_view s, std::string& out);

}  // namespace qe::utf8
