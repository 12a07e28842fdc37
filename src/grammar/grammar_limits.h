// Limits on the grammars a request may make, so that a hostile schema or GBNF text costs bounded
// memory and time to compile. Documented in docs/GRAMMAR.md.
#pragma once

#include <cstddef>

namespace qe::grammar {

inline constexpr size_t kMaxRules = 20000;          // rules after lowering repetitions
inline constexpr size_t kMaxElements = 400000;      // elements of all alternatives together
inline constexpr int kMaxRepeat = 10000;            // the largest count of a {m,n} or length
inline constexpr int kMaxNesting = 64;              // schema subschemas or GBNF parentheses
inline constexpr size_t kMaxSourceBytes = 1 << 20;  // schema text or GBNF text

}  // namespace qe::grammar
