#include "grammar/token_trie.h"

#include <algorithm>
#include <numeric>

namespace qe::grammar {

TokenTrie::TokenTrie(const std::vector<std::string_view>& tokens)
    : vocab_size_(int32_t(tokens.size())), bytes_(tokens.begin(), tokens.end()) {
    std::vector<int32_t> order;
    for (size_t id = 0; id < tokens.size(); ++id) {
        if (!tokens[id].empty()) order.push_back(int32_t(id));
    }
    // Sorted bytes make the trie's depth-first order: each token shares with the one before it
    // exactly the path of their common prefix.
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return std::lexicographical_compare(tokens[size_t(a)].begin(), tokens[size_t(a)].end(),
                                            tokens[size_t(b)].begin(), tokens[size_t(b)].end(),
                                            [](char x, char y) { return uint8_t(x) < uint8_t(y); });
    });
    nodes_.push_back({0, 0, 0, 0, 0});
    std::vector<uint32_t> path{0};  // the nodes of the previous token's bytes, root first
    std::string_view previous;
    auto close_to = [&](size_t depth) {
        while (path.size() > depth + 1) {
            nodes_[path.back()].end = uint32_t(nodes_.size());
            path.pop_back();
        }
    };
    for (int32_t id : order) {
        const std::string_view t = tokens[size_t(id)];
        const size_t common =
            size_t(std::mismatch(t.begin(), t.begin() + std::min(t.size(), previous.size()),
                                 previous.begin())
                       .first -
                   t.begin());
        close_to(common);
        for (size_t d = common; d < t.size(); ++d) {
            path.push_back(uint32_t(nodes_.size()));
            nodes_.push_back({0, 0, 0, uint16_t(d + 1), uint8_t(t[d])});
        }
        max_depth_ = std::max(max_depth_, t.size());
        Node& last = nodes_[path.back()];
        if (last.tokens_begin == last.tokens_end) last.tokens_begin = uint32_t(ids_.size());
        ids_.push_back(id);
        last.tokens_end = uint32_t(ids_.size());
        previous = t;
    }
    close_to(0);
    nodes_[0].end = uint32_t(nodes_.size());
}

}  // namespace qe::grammar
