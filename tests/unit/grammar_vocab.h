// The reference Qwen2.5 vocabulary as the grammar's token trie: ordinary tokens by their bytes,
// added tokens left out (they never appear inside a document), <|im_end|> and <|endoftext|> as
// the end tokens.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "grammar/token_trie.h"
#include "grammar/trie_walk.h"
#include "tokenizer_fixture.h"

namespace qe::testing {

inline std::shared_ptr<const grammar::TokenTrie> qwen25_trie() {
    static const auto trie = [] {
        const Tokenizer& t = qwen25();
        std::vector<std::string_view> bytes(size_t(t.size()));
        for (int32_t id = 0; id < t.size(); ++id) {
            if (t.kind(id) == TokenKind::kNormal) bytes[size_t(id)] = t.token_bytes(id);
        }
        return std::make_shared<const grammar::TokenTrie>(bytes);
    }();
    return trie;
}

inline std::vector<int32_t> qwen25_end_ids() {
    return {qwen25().find_added("<|im_end|>"), qwen25().find_added("<|endoftext|>")};
}

// The ids whose bits are set.
inline std::vector<int32_t> allowed_ids(const grammar::TokenBits& bits) {
    std::vector<int32_t> ids;
    for (size_t w = 0; w < bits.size(); ++w) {
        for (uint64_t x = bits[w]; x; x &= x - 1) {
            ids.push_back(int32_t(w * 64 + size_t(__builtin_ctzll(x))));
        }
    }
    return ids;
}

}  // namespace qe::testing
