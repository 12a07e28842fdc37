// Per-code-point flags for the tokenizer's hot loops: the split pattern's classes (\p{L}, \p{N},
// \s, \p{M}) as Hugging Face's regex engine sees them (Unicode 16.0), and whether NFC can change a
// character (Unicode 9.0, as Hugging Face's normalizer sees it). Built once from utf8proc plus
// the tables in unicode_tables.h into a two-stage lookup table (about 100 KB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qe::unicode {

enum CharFlag : uint8_t {
    kLetter = 1,  // \p{L}
    kNumber = 2,  // \p{N}
    // \s in Oniguruma's Unicode mode: U+0009..U+000D, U+0085 and the categories Zs, Zl, Zp
    // (the White_Space property). U+200B, U+FEFF and U+180E are not.
    kSpace = 4,
    // NFC may change this character or merge it with its neighbours: a non-zero combining class,
    // a possible second half of a composition, or a decomposition that does not recompose.
    // Characters without this flag are "inert": text made of them alone is already NFC.
    kNfcActive = 8,
    kMark = 16,  // \p{M} (Mn, Mc, Me): Qwen3.5's split pattern joins marks to letters
};

class CharTable {
  public:
    uint8_t operator()(char32_t cp) const {
        if (cp < 0x80) return ascii_[cp];
        if (cp >= 0x110000) return 0;
        return blocks_[size_t(stage1_[cp >> 8]) * 256 + (cp & 0xFF)];
    }

    // Builds a table (about 10 ms); char_table() is the shared one.
    CharTable();

  private:
    uint8_t ascii_[128];
    uint16_t stage1_[0x110000 >> 8];  // block number of each 256-code-point block
    std::vector<uint8_t> blocks_;     // distinct blocks of 256 flag bytes
};

// The process-wide table, built on first use (thread-safe).
const CharTable& char_table();

}  // namespace qe::unicode
