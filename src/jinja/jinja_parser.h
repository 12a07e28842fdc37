// Parses a Jinja2 template into a syntax tree, following Jinja2's grammar and operator precedence
// (not Python's: `**` is left-associative, `is` tests and `|` filters bind tighter than unary
// minus' operand, `a if b` without else yields undefined).
//
// Statements: if/elif/else, for (tuple targets, `if` filter, else, loop.*), set (names, tuples,
// ns.attr, block form), macro, break/continue, filter, with, raw, and transformers'
// {% generation %}. Anything else ({% include %}, {% extends %}, {% call %}, recursive loops) is a
// syntax error, so a template the engine can't honour is rejected up front, never misrendered.
#pragma once

#include <string_view>

#include "jinja/jinja_ast.h"

namespace qe::jinja {

// Nesting allowed for blocks and expressions together, so deep input can't exhaust the stack.
inline constexpr int kMaxParseDepth = 200;

// `normalized_source` comes from normalize_template_source(). Throws TemplateError (Syntax).
Body parse_template(std::string_view normalized_source);

}  // namespace qe::jinja
