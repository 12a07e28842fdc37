// Python string semantics that chat templates rely on, over UTF-8 byte strings: code-point
// length and slicing, str.isspace / strip / split, case mapping, repr() of strings and floats,
// and json.dumps string escaping.
//
// Bytes that are not valid UTF-8 decode to U+DC80..U+DCFF (Python's "surrogateescape") and encode
// back to the same byte, so no operation here loses or invents bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qe::jinja {

std::u32string decode_utf8(std::string_view s);
std::string encode_utf8(std::u32string_view code_points);
void append_utf8(std::string& out, char32_t cp);
size_t count_code_points(std::string_view s);
bool is_ascii(std::string_view s);

// Python's str.isspace() for one code point.
bool is_space(char32_t cp);

// str.upper() / str.lower() with Unicode simple case mapping (Python also applies the few
// multi-character mappings of SpecialCasing.txt, such as "ß".upper() == "SS"; those differ).
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
std::string capitalize(std::string_view s);  // str.capitalize()
std::string title_case(std::string_view s);  // str.title()

// str.strip / lstrip / rstrip: `chars` absent strips whitespace.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                  bool right);

// str.split(sep, maxsplit) and str.rsplit: `sep` absent splits on runs of whitespace and drops
// empty parts. An empty `sep` is an error in Python; callers check it.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               long max_split, bool from_right);

// str.splitlines(): breaks at \n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028 and U+2029.
std::vector<std::string> split_lines(std::string_view s);

// Python's repr() of a str: single quotes unless the text has a ' and no ".
std::string repr_string(std::string_view s);

// Python's repr() of a float: shortest round-trip digits, "1e+16", "1e-05", "1.0", "inf", "nan".
std::string format_float(double v);

// json.dumps string: quotes, \" \\ \n \r \t \b \f, other controls as \u00XX; with ensure_ascii
// every non-ASCII code point as \uXXXX (surrogate pairs above U+FFFF).
void append_json_string(std::string& out, std::string_view s, bool ensure_ascii);

}  // namespace qe::jinja
