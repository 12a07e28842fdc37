// GPT-2's byte-level alphabet: the vocabulary spells every byte as one printable character.
// Bytes 0x21..0x7E, 0xA1..0xAC and 0xAE..0xFF stand for themselves (as code points); the other 68
// bytes map, in increasing order, to U+0100, U+0101, ... (so a space is U+0120 'Ġ', a newline
// U+010A 'Ċ'). qwen-edge converts the vocabulary to raw bytes once at load and then works on bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace qe::byte_level {

// The character that stands for byte b.
char32_t char_of(uint8_t b);

// The byte that code point cp stands for, or -1 when cp is not in the alphabet.
int byte_of(char32_t cp);

// Raw bytes of a vocabulary entry written in the alphabet; false when it holds a character
// outside the alphabet or is not UTF-8.
bool decode(std::string_view token, std::string& bytes);

// The vocabulary spelling of raw bytes (UTF-8 of the alphabet characters).
std::string encode(std::string_view bytes);

}  // namespace qe::byte_level
