// Code point ranges as byte sequences, so that a character class of the grammar ([a-z], [^"],
// any non-ASCII range) matches well-formed UTF-8 byte by byte. Surrogates (U+D800..U+DFFF) are
// never produced.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "grammar/byte_set.h"

namespace qe::grammar {

using CodePointRange = std::pair<uint32_t, uint32_t>;  // inclusive

// The byte-set sequences that together match exactly the UTF-8 encodings of the code points in
// `ranges` (which may overlap and come in any order). Each inner vector is one alternative.
std::vector<std::vector<ByteSet>> utf8_alternatives(std::vector<CodePointRange> ranges);

// Every code point (but surrogates) outside `ranges`: for a negated class [^...].
std::vector<CodePointRange> complement(std::vector<CodePointRange> ranges);

}  // namespace qe::grammar
