#include "io/json_reader.h"

#include <cstring>

#include "core/error.h"
#include "core/utf8.h"

namespace qe {

namespace {

constexpr size_t kMaxDepth = 512;

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

void JsonReader::fail(const std::string& what) const {
    throw Error(name_ + ": invalid JSON at byte " + std::to_string(pos_) + ": " + what);
}

void JsonReader::skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
}

bool JsonReader::consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
        ++pos_;
        return true;
    }
    return false;
}

void JsonReader::expect(char c) {
    if (!consume(c)) {
        fail(std::string("expected '") + c + "'" +
             (pos_ < text_.size() ? std::string(", found '") + text_[pos_] + "'"
                                  : std::string(", found the end")));
    }
}

JsonReader::Type JsonReader::peek() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    switch (text_[pos_]) {
        case '{':
            return Type::kObject;
        case '[':
            return Type::kArray;
        case '"':
            return Type::kString;
        case 't':
        case 'f':
            return Type::kBool;
        case 'n':
            return Type::kNull;
        default:
            if (text_[pos_] == '-' || is_digit(text_[pos_])) return Type::kNumber;
            fail(std::string("unexpected character '") + text_[pos_] + "'");
    }
}

void JsonReader::begin_object() {
    expect('{');
    if (first_.size() >= kMaxDepth) fail("nested too deeply");
    first_.push_back(true);
}

bool JsonReader::next_key(std::string& key) {
    if (consume('}')) {
        first_.pop_back();
        return false;
    }
    if (!first_.back()) expect(',');
    first_.back() = false;
    if (peek() != Type::kString) fail("expected a key");
    read_string(key);
    expect(':');
    return true;
}

void JsonReader::begin_array() {
    expect('[');
    if (first_.size() >= kMaxDepth) fail("nested too deeply");
    first_.push_back(true);
}

bool JsonReader::next_item() {
    if (consume(']')) {
        first_.pop_back();
        return false;
    }
    if (!first_.back()) expect(',');
    first_.back() = false;
    return true;
}

uint32_t JsonReader::read_hex4() {
    if (text_.size() - pos_ < 4) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = text_[pos_++];
        v <<= 4;
        if (is_digit(c)) {
            v |= uint32_t(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= uint32_t(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= uint32_t(c - 'A' + 10);
        } else {
            fail("bad hex digit in \\u escape");
        }
    }
    return v;
}

void JsonReader::read_string(std::string& out) {
    if (peek() != Type::kString) fail("expected a string");
    ++pos_;
    out.clear();
    for (;;) {
        // Copy the plain run up to the next quote, backslash or control character.
        size_t run = pos_;
        while (run < text_.size() && text_[run] != '"' && text_[run] != '\\' &&
               static_cast<unsigned char>(text_[run]) >= 0x20) {
            ++run;
        }
        const std::string_view plain = text_.substr(pos_, run - pos_);
        if (utf8::find_invalid(plain) != std::string_view::npos) {
            pos_ += utf8::find_invalid(plain);
            fail("string is not UTF-8");
        }
        out.append(plain);
        pos_ = run;
        if (pos_ >= text_.size()) fail("unterminated string");
        const char c = text_[pos_++];
        if (c == '"') return;
        if (c != '\\') {
            --pos_;
            fail("control character in string");
        }
        if (pos_ >= text_.size()) fail("unterminated escape");
        const char e = text_[pos_++];
        switch (e) {
            case '"':
                out.push_back('"');
                break;
            case '\\':
                out.push_back('\\');
                break;
            case '/':
                out.push_back('/');
                break;
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                uint32_t cp = read_hex4();
                if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (text_.substr(pos_, 2) != "\\u") fail("lone high surrogate in \\u escape");
                    pos_ += 2;
                    const uint32_t low = read_hex4();
                    if (low < 0xDC00 || low > 0xDFFF) fail("bad surrogate pair in \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                utf8::append(out, cp);
                break;
            }
            default:
                fail(std::string("bad escape '\\") + e + "'");
        }
    }
}

int64_t JsonReader::read_int() {
    if (peek() != Type::kNumber) fail("expected an integer");
    const size_t start = pos_;
    skip_number();
    const std::string_view digits = text_.substr(start, pos_ - start);
    const bool negative = digits[0] == '-';
    if (digits.size() > (negative ? 19u : 18u) ||
        digits.find_first_of(".eE") != std::string_view::npos) {
        pos_ = start;
        fail("expected an integer of at most 18 digits");
    }
    int64_t v = 0;
    for (char c : digits.substr(negative ? 1 : 0)) v = v * 10 + (c - '0');
    return negative ? -v : v;
}

bool JsonReader::read_bool() {
    if (peek() != Type::kBool) fail("expected true or false");
    const bool v = text_[pos_] == 't';
    skip_literal(v ? "true" : "false");
    return v;
}

void JsonReader::read_null() {
    if (peek() != Type::kNull) fail("expected null");
    skip_literal("null");
}

void JsonReader::skip_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("bad literal");
    pos_ += word.size();
}

void JsonReader::skip_string() {
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
        const char c = text_[pos_++];
        if (c == '"') return;
        if (c == '\\') ++pos_;
        if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
    }
    fail("unterminated string");
}

void JsonReader::skip_number() {
    auto digits = [&] {
        const size_t start = pos_;
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
        if (pos_ == start) fail("bad number");
    };
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
        ++pos_;
    } else {
        digits();
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
        ++pos_;
        digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
        ++pos_;
        if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
        digits();
    }
}

std::string_view JsonReader::skip_value() {
    peek();
    const size_t start = pos_;
    // Iterative, so that deep nesting cannot exhaust the stack.
    std::vector<char> open;  // '{' or '[' of the containers opened here
    auto skip_key = [&] {
        if (peek() != Type::kString) fail("expected a key");
        skip_string();
        expect(':');
    };
    for (;;) {
        switch (peek()) {  // at the start of a value
            case Type::kObject:
                ++pos_;
                if (consume('}')) break;
                if (open.size() >= kMaxDepth) fail("nested too deeply");
                open.push_back('{');
                skip_key();
                continue;
            case Type::kArray:
                ++pos_;
                if (consume(']')) break;
                if (open.size() >= kMaxDepth) fail("nested too deeply");
                open.push_back('[');
                continue;
            case Type::kString:
                skip_string();
                break;
            case Type::kNumber:
                skip_number();
                break;
            case Type::kBool:
                skip_literal(text_[pos_] == 't' ? "true" : "false");
                break;
            case Type::kNull:
                skip_literal("null");
                break;
        }
        // A value ended: close the containers that end here, or step to the next element.
        for (;;) {
            if (open.empty()) return text_.substr(start, pos_ - start);
            if (consume(open.back() == '{' ? '}' : ']')) {
                open.pop_back();
                continue;
            }
            expect(',');
            if (open.back() == '{') skip_key();
            break;
        }
    }
}

void JsonReader::finish() {
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the value");
}

}  // namespace qe
