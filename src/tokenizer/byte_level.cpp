#include "tokenizer/byte_level.h"

#include <array>

#include "core/utf8.h"  // append

namespace qe::byte_level {

namespace {

bool stands_for_itself(int b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Tables {
    std::array<char32_t, 256> char_of{};
    std::array<int16_t, 0x144> byte_of{};  // alphabet characters are all below U+0144

    Tables() {
        byte_of.fill(-1);
        char32_t next = 0x100;
        for (int b = 0; b < 256; ++b) {
            char_of[b] = stands_for_itself(b) ? char32_t(b) : next++;
            byte_of[char_of[b]] = int16_t(b);
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

char32_t char_of(uint8_t b) {
    return tables().char_of[b];
}

int byte_of(char32_t cp) {
    return cp < tables().byte_of.size() ? tables().byte_of[cp] : -1;
}

bool decode(std::string_view token, std::string& bytes) {
    // Every alphabet character is below U+0144: one byte, or two of the form 110xxxxx 10xxxxxx.
    const Tables& t = tables();
    const auto* s = reinterpret_cast<const unsigned char*>(token.data());
    const size_t n = token.size();
    bytes.resize(n);
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        char32_t cp;
        if (c < 0x80) {
            cp = c;
            i += 1;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
            cp = char32_t(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
            if (cp < 0x80) return false;  // overlong form
            i += 2;
        } else {
            return false;
        }
        if (cp >= t.byte_of.size() || t.byte_of[cp] < 0) return false;
        bytes[out++] = char(t.byte_of[cp]);
    }
    bytes.resize(out);
    return true;
}

std::string encode(std::string_view bytes) {
    std::string out;
    for (unsigned char b : bytes) utf8::append(out, char_of(b));
    return out;
}

}  // namespace qe::byte_level
