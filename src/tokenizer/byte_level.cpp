#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

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
    const Tables& t = tables();
    bytes.clear();
    const auto* s = reinterpret_cast<const unsigned char*>(token.data());
    for (size_t i = 0; i < token.size();) {
        const utf8::Sequence seq = utf8::examine(s + i, token.size() - i);
        if (seq.kind != utf8::Sequence::kComplete || seq.cp >= t.byte_of.size() ||
            t.byte_of[seq.cp] < 0) {
            return false;
        }
        bytes.push_back(char(t.byte_of[seq.cp]));
        i += seq.length;
    }
    return true;
}

std::string encode(std::string_view bytes) {
    std::string out;
    for (unsigned char b : bytes) utf8::append(out, char_of(b));
    return out;
}

}  // namespace qe::byte_level
