// The vocabulary as a byte trie, built once per tokenizer: the token mask walks it beside the
// grammar, so a prefix that the grammar refuses removes every token that starts with it at once.
// Nodes are stored in depth-first order with the end of each subtree, so the walk is a loop over
// an array that jumps past refused subtrees.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qe::grammar {

class TokenTrie {
  public:
    struct Node {
        uint32_t end;           // one past the last node of this subtree
        uint32_t tokens_begin;  // the tokens whose bytes end at this node: ids_[begin, end)
        uint32_t tokens_end;
        uint16_t depth;  // bytes from the root (the root is 0)
        uint8_t byte;    // the byte that leads here from the parent
    };

    // `tokens[id]` is the bytes of token id; an empty string leaves the id out (control tokens,
    // unused ids: never allowed inside a document).
    explicit TokenTrie(const std::vector<std::string_view>& tokens);

    const std::vector<Node>& nodes() const { return nodes_; }
    const std::vector<int32_t>& ids() const { return ids_; }
    int32_t vocab_size() const { return vocab_size_; }
    // The bytes of a token in the trie, "" for one left out.
    std::string_view token_bytes(int32_t id) const { return bytes_[size_t(id)]; }
    size_t max_depth() const { return max_depth_; }

  private:
    std::vector<Node> nodes_;
    std::vector<int32_t> ids_;
    std::vector<std::string> bytes_;
    int32_t vocab_size_;
    size_t max_depth_ = 0;
};

}  // namespace qe::grammar
