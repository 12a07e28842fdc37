#include "jinja/jinja_lexer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "jinja/jinja_error.h"
#include "jinja/jinja_text.h"

namespace qe::jinja {

namespace {

// Operators, longest first so that "**" wins over "*".
constexpr std::string_view kOperators[] = {
    "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
    "]",  "(",  ")",  "{",  "}",  ">",  "<", "=", ".", ":", "|", ",", ";",
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}

// Python's \s at byte position i: length of the whitespace character there, or 0.
size_t space_at(std::string_view s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return is_space(c) ? 1 : 0;
    const std::u32string cp = decode_utf8(s.substr(i, std::min<size_t>(4, s.size() - i)));
    if (cp.empty() || !is_space(cp[0])) return 0;
    std::string enc;
    append_utf8(enc, cp[0]);
    return enc.size();
}

size_t skip_spaces(std::string_view s, size_t i) {
    while (i < s.size()) {
        const size_t n = space_at(s, i);
        if (n == 0) break;
        i += n;
    }
    return i;
}

// Python's str.rstrip(): the length of s without its trailing whitespace.
size_t rstripped_length(std::string_view s) {
    const std::u32string cps = decode_utf8(s);
    size_t end = cps.size();
    while (end > 0 && is_space(cps[end - 1])) --end;
    return encode_utf8(std::u32string_view(cps).substr(0, end)).size();
}

// Whitespace control for the text in front of a tag. `marker` is '-', '+' or 0; `strippable`
// says whether lstrip_blocks applies to this tag kind; `line_starting` whether the text begins at
// the start of a line.
std::string_view control_leading(std::string_view text, char marker, bool strippable,
                                 bool line_starting) {
    if (marker == '-') return text.substr(0, rstripped_length(text));
    if (marker == '+' || !strippable) return text;
    const size_t newline = text.rfind('\n');
    const size_t line_begin = newline == std::string_view::npos ? 0 : newline + 1;
    if (newline == std::string_view::npos && !line_starting) return text;
    if (line_begin == text.size()) return text;
    if (skip_spaces(text, line_begin) != text.size()) return text;
    return text.substr(0, line_begin);
}

class Lexer {
  public:
    explicit Lexer(std::string_view src) : src_(src) {}

    std::vector<Token> run() {
        size_t pos = 0;
        bool line_starting = true;
        while (pos < src_.size()) {
            const size_t start = find_tag(pos);
            if (start == std::string_view::npos) {
                emit_text(src_.substr(pos), pos);
                break;
            }
            const char kind = src_[start + 1];
            const char marker = marker_at(start + 2);
            const size_t inner = start + 2 + (marker ? 1 : 0);
            const std::string_view text = src_.substr(pos, start - pos);
            if (kind == '%') {
                if (const auto raw_end = raw_begin_end(inner)) {
                    emit_text(control_leading(text, marker, true, line_starting), pos);
                    pos = lex_raw(*raw_end, start);
                    line_starting = pos > 0 && src_[pos - 1] == '\n';
                    continue;
                }
            }
            emit_text(control_leading(text, marker, kind != '{', line_starting), pos);
            if (kind == '#') {
                pos = skip_comment(inner, start);
            } else {
                pos = lex_tag(kind, inner, start);
            }
            line_starting = src_[pos - 1] == '\n';
        }
        tokens_.push_back(Token{TokenKind::End, "", static_cast<uint32_t>(src_.size())});
        return std::move(tokens_);
    }

  private:
    [[noreturn]] void fail(size_t offset, const std::string& msg) const {
        throw_syntax_error(src_, static_cast<uint32_t>(offset), msg);
    }

    size_t find_tag(size_t from) const {
        for (size_t i = src_.find('{', from); i != std::string_view::npos;
             i = src_.find('{', i + 1)) {
            if (i + 1 < src_.size() &&
                (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
                return i;
            }
        }
        return std::string_view::npos;
    }

    char marker_at(size_t i) const {
        return i < src_.size() && (src_[i] == '-' || src_[i] == '+') ? src_[i] : 0;
    }

    bool starts_with(size_t i, std::string_view what) const {
        return src_.substr(i, what.size()) == what;
    }

    void emit_text(std::string_view text, size_t offset) {
        if (text.empty()) return;
        tokens_.push_back(Token{TokenKind::Text, std::string(text), static_cast<uint32_t>(offset)});
    }

    // After a block-style end tag: "-" strips all following whitespace, trim_blocks removes one
    // newline unless "+" asked to keep it.
    size_t after_block_end(size_t pos, char marker) const {
        if (marker == '-') return skip_spaces(src_, pos);
        if (marker == 0 && pos < src_.size() && src_[pos] == '\n') return pos + 1;
        return pos;
    }

    // `{% raw %}`: returns the offset just past the tag when the tag at `inner` is one.
    std::optional<size_t> raw_begin_end(size_t inner) const {
        size_t i = skip_spaces(src_, inner);
        if (!starts_with(i, "raw")) return std::nullopt;
        i = skip_spaces(src_, i + 3);
        if (starts_with(i, "-%}")) return skip_spaces(src_, i + 3);
        if (starts_with(i, "%}")) return i + 2;
        return std::nullopt;
    }

    size_t lex_raw(size_t body_begin, size_t tag_start) {
        for (size_t i = src_.find("{%", body_begin); i != std::string_view::npos;
             i = src_.find("{%", i + 1)) {
            const char marker = marker_at(i + 2);
            size_t j = skip_spaces(src_, i + 2 + (marker ? 1 : 0));
            if (!starts_with(j, "endraw")) continue;
            j = skip_spaces(src_, j + 6);
            char end_marker = 0;
            if (starts_with(j, "+%}") || starts_with(j, "-%}")) {
                end_marker = src_[j];
                j += 3;
            } else if (starts_with(j, "%}")) {
                j += 2;
            } else {
                continue;
            }
            const bool body_line_starting = src_[body_begin - 1] == '\n';
            emit_text(control_leading(src_.substr(body_begin, i - body_begin), marker, true,
                                      body_line_starting),
                      body_begin);
            return after_block_end(j, end_marker);
        }
        fail(tag_start, "missing end of raw directive");
    }

    size_t skip_comment(size_t inner, size_t tag_start) {
        const size_t close = src_.find("#}", inner);
        if (close == std::string_view::npos) fail(tag_start, "missing end of comment tag");
        char marker = 0;
        if (close > inner && (src_[close - 1] == '-' || src_[close - 1] == '+')) {
            marker = src_[close - 1];
        }
        return after_block_end(close + 2, marker);
    }

    // Tokens of one {{ ... }} or {% ... %} tag; returns the offset after it.
    size_t lex_tag(char kind, size_t pos, size_t tag_start) {
        const bool is_print = kind == '{';
        tokens_.push_back(Token{is_print ? TokenKind::PrintBegin : TokenKind::BlockBegin,
                                is_print ? "{{" : "{%", static_cast<uint32_t>(tag_start)});
        std::vector<char> open_brackets;
        while (true) {
            if (pos >= src_.size()) {
                fail(tag_start, is_print ? "unexpected end of template, expected '}}'"
                                         : "unexpected end of template, expected '%}'");
            }
            if (open_brackets.empty()) {
                if (const auto end = tag_end(is_print, pos)) return *end;
            }
            const size_t ws = space_at(src_, pos);
            if (ws) {
                pos += ws;
                continue;
            }
            pos = lex_token(pos, open_brackets);
        }
    }

    std::optional<size_t> tag_end(bool is_print, size_t pos) {
        const auto close = [&](TokenKind k, const char* text, size_t next) {
            tokens_.push_back(Token{k, text, static_cast<uint32_t>(pos)});
            return next;
        };
        if (is_print) {
            if (starts_with(pos, "-}}")) {
                return close(TokenKind::PrintEnd, "}}", skip_spaces(src_, pos + 3));
            }
            if (starts_with(pos, "}}")) return close(TokenKind::PrintEnd, "}}", pos + 2);
            return std::nullopt;
        }
        if (starts_with(pos, "-%}") || starts_with(pos, "+%}")) {
            return close(TokenKind::BlockEnd, "%}", after_block_end(pos + 3, src_[pos]));
        }
        if (starts_with(pos, "%}"))
            return close(TokenKind::BlockEnd, "%}", after_block_end(pos + 2, 0));
        return std::nullopt;
    }

    size_t lex_token(size_t pos, std::vector<char>& open_brackets) {
        const char c = src_[pos];
        if (is_digit(c)) return lex_number(pos);
        if (is_name_start(c)) {
            size_t end = pos;
            while (end < src_.size() && is_name_char(src_[end])) ++end;
            tokens_.push_back(Token{TokenKind::Name, std::string(src_.substr(pos, end - pos)),
                                    static_cast<uint32_t>(pos)});
            return end;
        }
        if (c == '\'' || c == '"') return lex_string(pos);
        for (std::string_view op : kOperators) {
            if (!starts_with(pos, op)) continue;
            if (op == "(" || op == "[" || op == "{") {
                open_brackets.push_back(op == "(" ? ')' : op == "[" ? ']' : '}');
            } else if (op == ")" || op == "]" || op == "}") {
                if (open_brackets.empty()) fail(pos, "unexpected '" + std::string(op) + "'");
                if (open_brackets.back() != op[0]) {
                    fail(pos, "unexpected '" + std::string(op) + "', expected '" +
                                  std::string(1, open_brackets.back()) + "'");
                }
                open_brackets.pop_back();
            }
            tokens_.push_back(
                Token{TokenKind::Operator, std::string(op), static_cast<uint32_t>(pos)});
            return pos + op.size();
        }
        fail(pos, "unexpected character '" + std::string(1, c) + "'");
    }

    // Digits with optional single underscores between them; returns the end.
    size_t digits_end(size_t i, bool (*is_digit_fn)(char)) const {
        if (i >= src_.size() || !is_digit_fn(src_[i])) return i;
        while (i < src_.size()) {
            if (is_digit_fn(src_[i])) {
                ++i;
            } else if (src_[i] == '_' && i + 1 < src_.size() && is_digit_fn(src_[i + 1])) {
                i += 2;
            } else {
                break;
            }
        }
        return i;
    }

    size_t lex_number(size_t pos) {
        auto strip_underscores = [](std::string_view s) {
            std::string out;
            for (char ch : s) {
                if (ch != '_') out += ch;
            }
            return out;
        };
        // Float: digits ( (.digits)? e[+-]?digits | .digits ), not right after a '.'.
        const bool after_dot = pos > 0 && src_[pos - 1] == '.';
        const size_t int_end = digits_end(pos, is_digit);
        if (!after_dot) {
            size_t end = int_end;
            bool is_float = false;
            if (end + 1 < src_.size() && src_[end] == '.' && is_digit(src_[end + 1])) {
                end = digits_end(end + 1, is_digit);
                is_float = true;
            }
            if (end < src_.size() && (src_[end] == 'e' || src_[end] == 'E')) {
                size_t e = end + 1;
                if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
                if (e < src_.size() && is_digit(src_[e])) {
                    end = digits_end(e, is_digit);
                    is_float = true;
                }
            }
            if (is_float) {
                const std::string text = strip_underscores(src_.substr(pos, end - pos));
                Token t{TokenKind::Float, text, static_cast<uint32_t>(pos)};
                const auto res = std::from_chars(text.data(), text.data() + text.size(), t.number);
                if (res.ec == std::errc::result_out_of_range) {
                    t.number = text.find("e-") != std::string::npos ? 0.0 : HUGE_VAL;
                }
                tokens_.push_back(std::move(t));
                return end;
            }
        }
        int base = 10;
        size_t digits_begin = pos;
        size_t end = int_end;
        if (src_[pos] == '0' && pos + 1 < src_.size()) {
            const char p = static_cast<char>(src_[pos + 1] | 0x20);
            bool (*fn)(char) = nullptr;
            if (p == 'x') {
                base = 16,
                fn = [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; };
            } else if (p == 'o') {
                base = 8, fn = [](char ch) { return ch >= '0' && ch <= '7'; };
            } else if (p == 'b') {
                base = 2, fn = [](char ch) { return ch == '0' || ch == '1'; };
            }
            if (fn) {
                size_t i = pos + 2;
                if (i < src_.size() && src_[i] == '_') ++i;
                end = digits_end(i, fn);
                if (end == i) fail(pos, "invalid integer literal");
                digits_begin = pos + 2;
            }
        }
        const std::string text = strip_underscores(src_.substr(digits_begin, end - digits_begin));
        if (base == 10 && text.size() > 1 && text[0] == '0' &&
            text.find_first_not_of('0') != std::string::npos) {
            fail(pos, "leading zeros in decimal integer literals are not permitted");
        }
        Token t{TokenKind::Integer, std::string(src_.substr(pos, end - pos)),
                static_cast<uint32_t>(pos)};
        const auto res = std::from_chars(text.data(), text.data() + text.size(), t.integer, base);
        if (res.ec != std::errc()) fail(pos, "integer literal too large");
        tokens_.push_back(std::move(t));
        return end;
    }

    size_t lex_string(size_t pos) {
        const char quote = src_[pos];
        std::string value;
        size_t i = pos + 1;
        while (true) {
            if (i >= src_.size()) fail(pos, "unterminated string literal");
            const char c = src_[i];
            if (c == quote) break;
            if (c != '\\') {
                value += c;
                ++i;
                continue;
            }
            if (i + 1 >= src_.size()) fail(pos, "unterminated string literal");
            i = unescape(i, value);
        }
        tokens_.push_back(Token{TokenKind::String, std::move(value), static_cast<uint32_t>(pos)});
        return i + 1;
    }

    // Python's unicode-escape decoding of one backslash sequence at src_[i]; returns the end.
    size_t unescape(size_t i, std::string& out) {
        const char e = src_[i + 1];
        switch (e) {
            case '\n':
                return i + 2;  // line continuation
            case '\\':
            case '\'':
            case '"':
                out += e;
                return i + 2;
            case 'a':
                out += '\a';
                return i + 2;
            case 'b':
                out += '\b';
                return i + 2;
            case 'f':
                out += '\f';
                return i + 2;
            case 'n':
                out += '\n';
                return i + 2;
            case 'r':
                out += '\r';
                return i + 2;
            case 't':
                out += '\t';
                return i + 2;
            case 'v':
                out += '\v';
                return i + 2;
            case 'x':
            case 'u':
            case 'U': {
                const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                uint32_t cp = 0;
                const auto res = std::from_chars(
                    src_.data() + i + 2, src_.data() + std::min(src_.size(), i + 2 + n), cp, 16);
                if (res.ec != std::errc() || res.ptr != src_.data() + i + 2 + n) {
                    fail(i, std::string("truncated \\") + e + " escape in string literal");
                }
                if (cp > 0x10FFFF) fail(i, "illegal Unicode character in string literal");
                // A lone surrogate cannot be written as UTF-8; Python would fail on output.
                append_utf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
                return i + 2 + n;
            }
            default:
                break;
        }
        if (e >= '0' && e <= '7') {
            uint32_t cp = 0;
            size_t j = i + 1;
            for (; j < src_.size() && j < i + 4 && src_[j] >= '0' && src_[j] <= '7'; ++j) {
                cp = cp * 8 + static_cast<uint32_t>(src_[j] - '0');
            }
            append_utf8(out, cp);
            return j;
        }
        if (e == 'N') fail(i, "\\N{...} escapes are not supported");
        out += '\\';  // unknown escapes stay as written
        return i + 1;
    }

    std::string_view src_;
    std::vector<Token> tokens_;
};

}  // namespace

std::string normalize_template_source(std::string_view source) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out += source[i];
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::vector<Token> lex_template(std::string_view normalized_source) {
    if (normalized_source.size() > UINT32_MAX / 2) {
        throw_syntax_error("", 0, "template larger than 2 GiB");
    }
    return Lexer(normalized_source).run();
}

}  // namespace qe::jinja
