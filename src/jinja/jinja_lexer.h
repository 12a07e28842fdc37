// Splits a Jinja2 template into text and tag tokens, the way Jinja2's lexer does with the
// settings transformers uses for chat templates: trim_blocks and lstrip_blocks on, `-` and `+`
// whitespace control, comments dropped, {% raw %} kept verbatim, newlines normalized to "\n" and
// one trailing newline removed (keep_trailing_newline off).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qe::jinja {

enum class TokenKind : uint8_t {
    Text,        // template data, whitespace control already applied
    PrintBegin,  // {{
    PrintEnd,    // }}
    BlockBegin,  // {%
    BlockEnd,    // %}
    Name,
    String,   // text holds the unescaped value
    Integer,  // integer holds the value
    Float,    // number holds the value
    Operator,
    End,  // end of the template
};

struct Token {
    TokenKind kind = TokenKind::End;
    std::string text;
    uint32_t offset = 0;  // byte offset into the normalized source
    int64_t integer = 0;
    double number = 0.0;
};

// What Jinja2 lexes: "\r\n" and "\r" become "\n", and one trailing newline is dropped.
std::string normalize_template_source(std::string_view source);

// Throws TemplateError (Kind::Syntax) on an unterminated tag, comment, raw block or string,
// an unbalanced bracket or an unknown character.
std::vector<Token> lex_template(std::string_view normalized_source);

}  // namespace qe::jinja
