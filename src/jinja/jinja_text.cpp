#include "jinja/jinja_text.h"

#include <utf8proc.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace qe::jinja {

namespace {

constexpr char32_t kEscapeBase = 0xDC00;  // invalid byte b decodes to kEscapeBase + b

bool is_continuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (overlong,
// surrogate, beyond U+10FFFF or truncated).
size_t valid_sequence_length(std::string_view s, size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    size_t len = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (!is_continuation(b)) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

bool is_cased(char32_t cp) {
    if (cp > 0x10FFFF) return false;
    const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
           cat == UTF8PROC_CATEGORY_LT;
}

// Python's str.isprintable() for one code point: not a control, format, surrogate, private-use,
// unassigned or separator character (the plain space excepted).
bool is_printable(char32_t cp) {
    if (cp == ' ') return true;
    if (cp > 0x10FFFF) return false;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
        case UTF8PROC_CATEGORY_CC:
        case UTF8PROC_CATEGORY_CF:
        case UTF8PROC_CATEGORY_CS:
        case UTF8PROC_CATEGORY_CO:
        case UTF8PROC_CATEGORY_CN:
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
        case UTF8PROC_CATEGORY_ZS:
            return false;
        default:
            return true;
    }
}

char32_t map_case(char32_t cp, utf8proc_int32_t (*fn)(utf8proc_int32_t)) {
    if (cp >= 0xD800 && cp <= 0xDFFF) return cp;  // escaped bytes stay as they are
    return static_cast<char32_t>(fn(static_cast<utf8proc_int32_t>(cp)));
}

std::string map_each(std::string_view s, utf8proc_int32_t (*fn)(utf8proc_int32_t)) {
    std::string out;
    out.reserve(s.size());
    for (char32_t cp : decode_utf8(s)) append_utf8(out, map_case(cp, fn));
    return out;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
    if (cp >= kEscapeBase + 0x80 && cp <= kEscapeBase + 0xFF) {
        out.push_back(static_cast<char>(cp - kEscapeBase));
    } else if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const size_t len = valid_sequence_length(s, i, cp);
        if (len == 0) {
            out.push_back(kEscapeBase + static_cast<unsigned char>(s[i]));
            i += 1;
        } else {
            out.push_back(cp);
            i += len;
        }
    }
    return out;
}

std::string encode_utf8(std::u32string_view code_points) {
    std::string out;
    out.reserve(code_points.size());
    for (char32_t cp : code_points) append_utf8(out, cp);
    return out;
}

size_t count_code_points(std::string_view s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++n) {
        char32_t cp = 0;
        const size_t len = valid_sequence_length(s, i, cp);
        i += len == 0 ? 1 : len;
    }
    return n;
}

bool is_ascii(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

bool is_space(char32_t cp) {
    if (cp <= 0x20) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C);
    switch (cp) {
        case 0x85:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200A;
    }
}

std::string to_upper(std::string_view s) {
    return map_each(s, utf8proc_toupper);
}
std::string to_lower(std::string_view s) {
    return map_each(s, utf8proc_tolower);
}

std::string capitalize(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool first = true;
    for (char32_t cp : decode_utf8(s)) {
        append_utf8(out, map_case(cp, first ? utf8proc_totitle : utf8proc_tolower));
        first = false;
    }
    return out;
}

std::string title_case(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool previous_cased = false;
    for (char32_t cp : decode_utf8(s)) {
        const bool cased = is_cased(cp);
        append_utf8(out, map_case(cp, previous_cased ? utf8proc_tolower : utf8proc_totitle));
        previous_cased = cased;
    }
    return out;
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left,
                  bool right) {
    // Works from both ends on the bytes, so stripping a long message doesn't decode all of it.
    const std::u32string set = chars ? decode_utf8(*chars) : std::u32string();
    auto strippable = [&](char32_t cp) {
        return chars ? set.find(cp) != std::u32string::npos : is_space(cp);
    };
    size_t begin = 0, end = s.size();
    if (left) {
        while (begin < end) {
            char32_t cp = 0;
            size_t len = valid_sequence_length(s, begin, cp);
            if (len == 0) cp = kEscapeBase + static_cast<unsigned char>(s[begin]), len = 1;
            if (!strippable(cp)) break;
            begin += len;
        }
    }
    if (right) {
        while (end > begin) {
            // The last character: a valid sequence ending at `end`, else one invalid byte.
            size_t start = end - 1;
            char32_t cp = kEscapeBase + static_cast<unsigned char>(s[start]);
            for (size_t back = 1; back <= 4 && back <= end - begin; ++back) {
                char32_t candidate = 0;
                if (valid_sequence_length(s, end - back, candidate) == back) {
                    start = end - back;
                    cp = candidate;
                    break;
                }
            }
            if (!strippable(cp)) break;
            end = start;
        }
    }
    return std::string(s.substr(begin, end - begin));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep,
                               long max_split, bool from_right) {
    std::vector<std::string> parts;
    if (sep) {
        if (!from_right) {
            size_t start = 0;
            while (max_split < 0 || static_cast<long>(parts.size()) < max_split) {
                const size_t at = s.find(*sep, start);
                if (at == std::string_view::npos) break;
                parts.emplace_back(s.substr(start, at - start));
                start = at + sep->size();
            }
            parts.emplace_back(s.substr(start));
        } else {
            size_t end = s.size();
            std::vector<std::string> reversed;
            while (max_split < 0 || static_cast<long>(reversed.size()) < max_split) {
                if (end < sep->size()) break;
                const size_t at = s.rfind(*sep, end - sep->size());
                if (at == std::string_view::npos) break;
                reversed.emplace_back(s.substr(at + sep->size(), end - at - sep->size()));
                end = at;
            }
            parts.emplace_back(s.substr(0, end));
            parts.insert(parts.end(), reversed.rbegin(), reversed.rend());
        }
        return parts;
    }
    // Whitespace mode: runs of whitespace separate, empty parts are dropped, and the remainder
    // after max_split splits keeps its inner and far-side whitespace.
    const std::u32string cps = decode_utf8(s);
    const long n = static_cast<long>(cps.size());
    if (!from_right) {
        long i = 0;
        while (true) {
            while (i < n && is_space(cps[i])) ++i;
            if (i == n) break;
            if (max_split >= 0 && static_cast<long>(parts.size()) == max_split) {
                parts.push_back(encode_utf8(std::u32string_view(cps).substr(i)));
                break;
            }
            long j = i;
            while (j < n && !is_space(cps[j])) ++j;
            parts.push_back(encode_utf8(std::u32string_view(cps).substr(i, j - i)));
            i = j;
        }
    } else {
        long i = n;
        std::vector<std::string> reversed;
        while (true) {
            while (i > 0 && is_space(cps[i - 1])) --i;
            if (i == 0) break;
            if (max_split >= 0 && static_cast<long>(reversed.size()) == max_split) {
                reversed.push_back(encode_utf8(std::u32string_view(cps).substr(0, i)));
                break;
            }
            long j = i;
            while (j > 0 && !is_space(cps[j - 1])) --j;
            reversed.push_back(encode_utf8(std::u32string_view(cps).substr(j, i - j)));
            i = j;
        }
        parts.assign(reversed.rbegin(), reversed.rend());
    }
    return parts;
}

std::vector<std::string> split_lines(std::string_view s) {
    std::vector<std::string> lines;
    const std::u32string cps = decode_utf8(s);
    size_t start = 0;
    for (size_t i = 0; i < cps.size(); ++i) {
        const char32_t c = cps[i];
        const bool is_break = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C ||
                              (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!is_break) continue;
        lines.push_back(encode_utf8(std::u32string_view(cps).substr(start, i - start)));
        if (c == '\r' && i + 1 < cps.size() && cps[i + 1] == '\n') ++i;
        start = i + 1;
    }
    if (start < cps.size()) lines.push_back(encode_utf8(std::u32string_view(cps).substr(start)));
    return lines;
}

std::string repr_string(std::string_view s) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    for (char32_t cp : decode_utf8(s)) {
        char buf[16];
        switch (cp) {
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            default:
                break;
        }
        if (cp == static_cast<char32_t>(quote)) {
            out += '\\';
            out += quote;
        } else if (!is_printable(cp)) {
            const char* format = cp < 0x100 ? "\\x%02x" : cp < 0x10000 ? "\\u%04x" : "\\U%08x";
            std::snprintf(buf, sizeof buf, format, static_cast<unsigned>(cp));
            out += buf;
        } else {
            append_utf8(out, cp);
        }
    }
    out += quote;
    return out;
}

std::string format_float(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    // Shortest round-trip digits in scientific form: "d.ddde+XX".
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
    std::string sign;
    if (!sci.empty() && sci[0] == '-') {
        sign = "-";
        sci.remove_prefix(1);
    }
    const size_t e_at = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_at)) {
        if (c != '.') digits += c;
    }
    const int exponent = std::atoi(std::string(sci.substr(e_at + 1)).c_str());
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();

    std::string out = sign;
    if (exponent >= -4 && exponent < 16) {
        if (exponent >= 0) {
            const size_t int_len = static_cast<size_t>(exponent) + 1;
            if (digits.size() <= int_len) {
                out += digits + std::string(int_len - digits.size(), '0') + ".0";
            } else {
                out += digits.substr(0, int_len) + "." + digits.substr(int_len);
            }
        } else {
            out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
        }
    } else {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char exp_buf[16];
        std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+',
                      std::abs(exponent));
        out += exp_buf;
    }
    return out;
}

void append_json_string(std::string& out, std::string_view s, bool ensure_ascii) {
    out += '"';
    auto append_u = [&](unsigned v) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\u%04x", v);
        out += buf;
    };
    for (char32_t cp : decode_utf8(s)) {
        switch (cp) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            case '\b':
                out += "\\b";
                continue;
            case '\f':
                out += "\\f";
                continue;
            default:
                break;
        }
        if (cp < 0x20) {
            append_u(cp);
        } else if (ensure_ascii && cp >= 0x7F) {
            if (cp >= 0x10000) {
                const char32_t v = cp - 0x10000;
                append_u(0xD800 + (v >> 10));
                append_u(0xDC00 + (v & 0x3FF));
            } else {
                append_u(cp);
            }
        } else {
            append_utf8(out, cp);
        }
    }
    out += '"';
}

}  // namespace qe::jinja
