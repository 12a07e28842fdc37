// Unicode data that utf8proc (Unicode 15.0 in Debian 12) does not carry, needed to match the
// Unicode versions inside Hugging Face tokenizers exactly (see docs/TOKENIZER.md):
//   - its split regex (Oniguruma) knows Unicode 16.0 categories;
//   - its NFC normalizer knows only Unicode 9.0 characters.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qe::unicode {

// Code points assigned in Unicode 9.0, as an inversion list (generated: unicode9_table.cpp).
extern const char32_t kAssignedInUnicode9[];
extern const size_t kAssignedInUnicode9Size;

bool assigned_in_unicode9(char32_t cp);

// Letters and numbers of Unicode 15.1 and 16.0 that Unicode 15.0 leaves unassigned.
struct CategoryRange {
    char32_t first, last;
    bool letter;  // \p{L}; otherwise \p{N}
};
extern const CategoryRange kUnicode16Additions[];
extern const size_t kUnicode16AdditionsSize;

}  // namespace qe::unicode
