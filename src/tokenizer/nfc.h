// Unicode Normalization Form C, exactly as Hugging Face's tokenizers computes it: with the
// character data of Unicode 9.0 (its unicode-normalization-alignments crate). Characters assigned
// after 9.0 are left alone there (combining class 0, no decomposition, no composition), so they
// are masked here too; everything else comes from utf8proc's data.
#pragma once

#include <string>
#include <string_view>

namespace qe::unicode {

// NFC of UTF-8 text (callers validate it first: an ill-formed byte next to a combining mark may
// come back as U+FFFD). Returns `text` itself when no character can change (the common case,
// checked with one table lookup per character); otherwise builds the result in `scratch` and
// returns a view of it.
std::string_view nfc(std::string_view text, std::string& scratch);

// The full algorithm on code points (decompose, reorder, recompose), used for the parts of a
// text that need it and by the table builder.
void nfc_code_points(std::u32string_view in, std::u32string& out);

// Canonical combining class as the Unicode 9.0 normalizer sees it.
int combining_class(char32_t cp);

}  // namespace qe::unicode
