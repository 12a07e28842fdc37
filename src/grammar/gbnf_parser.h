// GBNF (the grammar format llama.cpp accepts) to the grammar IR:
//
//   root ::= "{" ws pair ("," ws pair)* "}"   # a comment
//   pair ::= [a-z]+ ":" [0-9]{1,3} | "null"
//
// Literals in double quotes, character classes [a-z] [^"\\] with escapes (\n \t \r \\ \" \]
// \xHH \uHHHH \UHHHHHHHH), '.' for any character, groups, '|', postfix * + ? {m} {m,} {m,n},
// comments from '#' to the end of the line. A rule may span lines; the next one starts at
// `name ::=`. The grammar starts at `root`. Errors are qe::Error with line:column.
#pragma once

#include <string_view>

#include "grammar/grammar.h"

namespace qe::grammar {

Grammar parse_gbnf(std::string_view text);

}  // namespace qe::grammar
