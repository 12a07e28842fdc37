#include "grammar/gbnf_parser.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/utf8.h"
#include "grammar/grammar_limits.h"
#include "grammar/utf8_ranges.h"

namespace qe::grammar {

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    Grammar parse() {
        if (text_.size() > kMaxSourceBytes) {
            throw Error("GBNF: longer than " + std::to_string(kMaxSourceBytes) + " bytes");
        }
        skip_space();
        if (at_end()) fail("no rules (expected `root ::= ...`)");
        while (!at_end()) {
            const size_t name_at = pos_;
            const std::string name = parse_name();
            skip_space();
            if (!consume("::=")) fail("expected '::=' after rule name '" + name + "'");
            const uint32_t id = b_.rule(name);
            if (b_.defined(id)) fail_at(name_at, "rule '" + name + "' is defined twice");
            b_.define(id, parse_alternatives(0));
        }
        if (!has_root()) throw Error("GBNF: no rule named 'root'");
        return std::move(b_).build(b_.rule("root"));
    }

  private:
    bool has_root() {
        const uint32_t id = b_.rule("root");
        return b_.defined(id);
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek(size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    bool consume(std::string_view s) {
        if (text_.substr(pos_, s.size()) != s) return false;
        pos_ += s.size();
        return true;
    }

    [[noreturn]] void fail_at(size_t at, const std::string& what) const {
        size_t line = 1, column = 1;
        for (size_t i = 0; i < at && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw Error("GBNF " + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
    }
    [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }

    // Blanks, newlines and comments.
    void skip_space() {
        while (!at_end()) {
            const char c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++pos_;
            } else if (c == '#') {
                while (!at_end() && peek() != '\n') ++pos_;
            } else {
                break;
            }
        }
    }

    std::string parse_name() {
        const size_t start = pos_;
        while (!at_end() && is_name_char(peek())) ++pos_;
        if (pos_ == start) fail("expected a rule name");
        return std::string(text_.substr(start, pos_ - start));
    }

    // At a name followed by '::=': the next rule starts here.
    bool at_rule_start() const {
        size_t p = pos_;
        while (p < text_.size() && is_name_char(text_[p])) ++p;
        if (p == pos_) return false;
        while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
        return text_.substr(p, 3) == "::=";
    }

    std::vector<Sequence> parse_alternatives(int depth) {
        if (depth > kMaxNesting) fail("groups nested deeper than " + std::to_string(kMaxNesting));
        std::vector<Sequence> alts{parse_sequence(depth)};
        while (peek() == '|') {
            ++pos_;
            alts.push_back(parse_sequence(depth));
        }
        return alts;
    }

    Sequence parse_sequence(int depth) {
        Sequence seq;
        for (;;) {
            skip_space();
            if (at_end() || peek() == '|' || peek() == ')' || at_rule_start()) return seq;
            const size_t item_at = pos_;
            Sequence item = parse_item(depth);
            skip_space();
            const char op = peek();
            if (op == '*' || op == '+' || op == '?' || op == '{') {
                ++pos_;
                int min = 0, max = GrammarBuilder::kUnbounded;
                if (op == '+') min = 1;
                if (op == '?') max = 1;
                if (op == '{') parse_counts(min, max);
                if (item.empty()) fail_at(item_at, "repetition of an empty item");
                seq.push_back(b_.ref(b_.repeat(item, min, max, "repeat")));
            } else {
                seq.insert(seq.end(), item.begin(), item.end());
            }
        }
    }

    int parse_count() {
        skip_space();
        const size_t start = pos_;
        long n = 0;
        while (peek() >= '0' && peek() <= '9') {
            n = n * 10 + (peek() - '0');
            if (n > kMaxRepeat) fail("count larger than " + std::to_string(kMaxRepeat));
            ++pos_;
        }
        if (pos_ == start) fail("expected a number");
        skip_space();
        return int(n);
    }

    void parse_counts(int& min, int& max) {
        min = parse_count();
        max = min;
        if (peek() == ',') {
            ++pos_;
            skip_space();
            max = peek() == '}' ? GrammarBuilder::kUnbounded : parse_count();
        }
        if (peek() != '}') fail("expected '}'");
        ++pos_;
        if (max != GrammarBuilder::kUnbounded && max < min) fail("{m,n} with n < m");
    }

    Sequence parse_item(int depth) {
        const char c = peek();
        if (c == '"') return parse_literal();
        if (c == '[') return class_sequence(parse_class());
        if (c == '.') {
            ++pos_;
            return class_sequence({{0, 0x10FFFF}});
        }
        if (c == '(') {
            ++pos_;
            std::vector<Sequence> alts = parse_alternatives(depth + 1);
            skip_space();
            if (peek() != ')') fail("expected ')'");
            ++pos_;
            return {b_.ref(b_.group(std::move(alts), "group"))};
        }
        if (is_name_char(c)) return {b_.ref(b_.rule(parse_name()))};
        fail(std::string("unexpected '") + c + "'");
    }

    // One code point of a literal or class, after its backslash escapes.
    uint32_t parse_char() {
        if (at_end()) fail("unexpected end of text");
        const uint8_t c = uint8_t(peek());
        if (c == '\\') {
            ++pos_;
            const char e = peek();
            ++pos_;
            switch (e) {
                case 'n':
                    return '\n';
                case 't':
                    return '\t';
                case 'r':
                    return '\r';
                case '\\':
                    return '\\';
                case '"':
                    return '"';
                case '[':
                    return '[';
                case ']':
                    return ']';
                case '-':
                    return '-';
                case '^':
                    return '^';
                case 'x':
                    return parse_hex(2);
                case 'u':
                    return parse_hex(4);
                case 'U':
                    return parse_hex(8);
                default:
                    fail_at(pos_ - 2, std::string("unknown escape '\\") + e + "'");
            }
        }
        // A UTF-8 character as its code point.
        const utf8::Sequence seq = utf8::examine(text_.substr(pos_));
        if (seq.kind != utf8::Sequence::kComplete) fail("invalid UTF-8");
        pos_ += seq.length;
        return uint32_t(seq.cp);
    }

    uint32_t parse_hex(int digits) {
        uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
            const char h = peek();
            const int d = h >= '0' && h <= '9'   ? h - '0'
                          : h >= 'a' && h <= 'f' ? h - 'a' + 10
                          : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                 : -1;
            if (d < 0) fail("expected " + std::to_string(digits) + " hex digits");
            v = v * 16 + uint32_t(d);
            ++pos_;
        }
        if (v > 0x10FFFF) fail("code point above U+10FFFF");
        if (v >= 0xD800 && v <= 0xDFFF) fail("a surrogate code point is not a character");
        return v;
    }

    Sequence parse_literal() {
        ++pos_;  // "
        Sequence seq;
        while (peek() != '"') {
            if (at_end()) fail("unterminated literal");
            // Code points below 0x100 given by \x are single bytes, as in llama.cpp.
            const bool raw_byte = peek() == '\\' && peek(1) == 'x';
            const uint32_t cp = parse_char();
            if (raw_byte || cp < 0x80) {
                seq.push_back(b_.bytes(ByteSet::of(uint8_t(cp))));
            } else {
                const auto encoded = utf8_alternatives({{cp, cp}});
                for (const ByteSet& s : encoded[0]) seq.push_back(b_.bytes(s));
            }
        }
        ++pos_;
        return seq;
    }

    std::vector<CodePointRange> parse_class() {
        ++pos_;  // [
        const bool negated = peek() == '^';
        if (negated) ++pos_;
        std::vector<CodePointRange> ranges;
        while (peek() != ']') {
            if (at_end()) fail("unterminated character class");
            const uint32_t lo = parse_char();
            uint32_t hi = lo;
            if (peek() == '-' && peek(1) != ']' && pos_ + 1 < text_.size()) {
                ++pos_;
                hi = parse_char();
                if (hi < lo) fail("range end below its start");
            }
            ranges.push_back({lo, hi});
        }
        ++pos_;
        return negated ? complement(std::move(ranges)) : ranges;
    }

    Sequence class_sequence(std::vector<CodePointRange> ranges) {
        const auto alts = utf8_alternatives(std::move(ranges));
        if (alts.empty()) fail("a character class that matches nothing");
        std::vector<Sequence> seqs;
        for (const auto& alt : alts) {
            Sequence s;
            for (const ByteSet& b : alt) s.push_back(b_.bytes(b));
            seqs.push_back(std::move(s));
        }
        if (seqs.size() == 1) return seqs[0];
        return {b_.ref(b_.group(std::move(seqs), "class"))};
    }

    std::string_view text_;
    size_t pos_ = 0;
    GrammarBuilder b_;
};

}  // namespace

Grammar parse_gbnf(std::string_view text) {
    return Parser(text).parse();
}

}  // namespace qe::grammar
