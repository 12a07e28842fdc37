// Text files in the encodings Chinese users have: UTF-8 (with or without a BOM), UTF-16 LE/BE
// with a BOM, and GB18030 (a superset of GBK and GB2312). Detection: a BOM decides; else bytes
// that are valid UTF-8 are UTF-8; else bytes that are valid GB18030 are GB18030; else the file is
// not text (SkipReason::kNotText). Decoded text with NULs or many control characters is binary
// junk under a text name, and refused the same way.
#pragma once

#include <string>
#include <string_view>

namespace qe::documents {

enum class TextEncoding { kUtf8, kUtf16Le, kUtf16Be, kGb18030 };

// The encoding of `bytes` by the rules above; throws DocumentError(kNotText) when none fits.
TextEncoding detect_encoding(std::string_view bytes);

// `bytes` in UTF-8 with its BOM removed and line ends as '\n'. Throws DocumentError(kNotText).
std::string decode_text(std::string_view bytes);

// `bytes` converted from `charset` (an iconv name, e.g. "GBK") to UTF-8; throws kNotText when
// the charset is unknown or the bytes are not valid in it.
std::string convert_to_utf8(std::string_view bytes, const char* charset);

// '\r\n' and lone '\r' as '\n'.
std::string normalize_line_ends(std::string_view text);

}  // namespace qe::documents
