// The walk behind the token mask: the vocabulary's trie beside the grammar's stacks, depth
// first, skipping every subtree whose prefix the grammar refuses.
#pragma once

#include <cstdint>
#include <vector>

#include "grammar/matcher.h"
#include "grammar/token_trie.h"

namespace qe::grammar {

// One bit per token id.
using TokenBits = std::vector<uint64_t>;

inline bool has_token(const TokenBits& bits, int32_t id) {
    return (bits[size_t(id) >> 6] >> (id & 63)) & 1;
}

struct WalkResult {
    TokenBits bits;          // the allowed tokens
    uint32_t max_after = 0;  // the most bytes an allowed token leaves to finish
    size_t steps = 0;        // grammar steps taken (the rest came from the walk's own tables)
};

// The tokens whose bytes `m`'s grammar accepts next and that leave at most `limit` bytes to
// finish the document.
WalkResult walk_trie(const TokenTrie& trie, const Matcher& m, uint32_t limit);

}  // namespace qe::grammar
