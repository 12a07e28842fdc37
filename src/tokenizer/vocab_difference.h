// Whether two vocabularies tokenize alike, so that the ids of one model mean the same text for
// another (a draft model proposing for a larger one): the same token bytes and kinds, merges,
// special ids and pre-tokenizer. The row counts may differ: the rows one vocabulary has beyond
// the other's must be unused padding (Qwen2.5-7B pads to 152064 rows, 0.5B to 151936).
#pragma once

#include <string>

#include "tokenizer/vocab.h"

namespace qe {

// The first difference between `a` and `b`, in words naming the id or rule where they part
// (e.g. `token 151665 is "<tool_response>" in a, "[PAD151665]" in b`), with `a_name` and
// `b_name` standing for them; "" when they tokenize alike.
std::string vocab_difference(const Vocab& a, const Vocab& b, const std::string& a_name = "a",
                             const std::string& b_name = "b");

}  // namespace qe
