#include "grammar/token_mask.h"

#include <algorithm>
#include <cstring>

namespace qe::grammar {

namespace {

// The state as bytes: every stack's positions from top to bottom, then whether the text is
// complete. Equal keys continue identically, whatever the frames' indices are.
std::string state_key(const Matcher& m, uint32_t limit) {
    std::string key;
    auto put = [&](uint32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(limit);
    put(m.accepting() ? 1 : 0);
    for (int32_t top : m.tops()) {
        for (int32_t f = top; f >= 0; f = m.stacks().frame(f).parent) put(m.stacks().frame(f).pos);
        put(kNever);
    }
    return key;
}

// A copy of `m`'s stacks (only the frames its tops reach) in a fresh arena.
std::vector<int32_t> import_tops(const Matcher& m, Stacks& into) {
    std::unordered_map<int32_t, int32_t> copied;
    auto copy = [&](auto& self, int32_t f) -> int32_t {
        if (f < 0) return -1;
        if (auto it = copied.find(f); it != copied.end()) return it->second;
        const Frame& src = m.stacks().frame(f);
        const int32_t parent = self(self, src.parent);
        const int32_t mine = into.push(src.pos, parent);
        copied.emplace(f, mine);
        return mine;
    };
    std::vector<int32_t> tops;
    for (int32_t top : m.tops()) tops.push_back(copy(copy, top));
    return tops;
}

}  // namespace

TokenMasker::TokenMasker(std::shared_ptr<const Grammar> grammar,
                         std::shared_ptr<const TokenTrie> trie)
    : grammar_(std::move(grammar)), trie_(std::move(trie)) {}

TokenMasker::Stats TokenMasker::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::shared_ptr<const TokenMasker::Entry> TokenMasker::lookup(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(key);
    if (it == cache_.end()) {
        ++stats_.misses;
        return nullptr;
    }
    ++stats_.hits;
    return it->second;
}

void TokenMasker::store(const std::string& key, std::shared_ptr<const Entry> entry) {
    std::lock_guard lock(mutex_);
    if (cache_.size() < kMaxCachedMasks) cache_.emplace(key, std::move(entry));
}

std::shared_ptr<const TokenMasker::Entry> TokenMasker::walk(const Matcher& m, uint32_t limit) {
    const TokenTrie& trie = *trie_;
    const auto& nodes = trie.nodes();
    const auto& ids = trie.ids();
    auto entry = std::make_shared<Entry>();
    entry->bits.assign((size_t(trie.vocab_size()) + 63) / 64, 0);

    Stacks stacks(*grammar_);
    // levels[d]: the tops after the first d bytes of the current trie path, as a range of
    // `pool`, with the arena size and completeness at that point.
    struct Level {
        size_t begin, end, frames;
    };
    std::vector<int32_t> pool = import_tops(m, stacks);
    std::vector<Level> levels(trie.max_depth() + 1);
    levels[0] = {0, pool.size(), stacks.size()};
    size_t walked = 0;
    for (uint32_t i = 1; i < nodes.size();) {
        const TokenTrie::Node& node = nodes[i];
        const Level& up = levels[node.depth - 1];
        pool.resize(up.end);
        stacks.truncate(up.frames);
        bool accepting = false;
        stacks.step(pool, up.begin, up.end, node.byte, pool, accepting);
        ++walked;
        if (pool.size() == up.end && !accepting) {
            i = node.end;  // no token below this prefix can be allowed
            continue;
        }
        levels[node.depth] = {up.end, pool.size(), stacks.size()};
        if (node.tokens_begin != node.tokens_end) {
            const uint32_t left =
                accepting ? 0 : stacks.distance(pool.data() + up.end, pool.size() - up.end);
            if (left <= limit) {
                entry->max_after = std::max(entry->max_after, left);
                for (uint32_t t = node.tokens_begin; t < node.tokens_end; ++t) {
                    entry->bits[size_t(ids[t]) >> 6] |= uint64_t(1) << (ids[t] & 63);
                }
            }
        }
        ++i;
    }
    std::lock_guard lock(mutex_);
    stats_.walked_nodes += walked;
    return entry;
}

void TokenMasker::allowed(const Matcher& m, uint32_t budget, TokenBits& out) {
    // The state without a budget first: far from the end, it is the answer.
    const std::string key = state_key(m, kNever);
    std::shared_ptr<const Entry> entry = lookup(key);
    if (!entry) {
        entry = walk(m, kNever);
        store(key, entry);
    }
    const bool hopeless = budget != kNoBudget && m.distance() > budget;
    if (budget == kNoBudget || hopeless || budget == 0 || entry->max_after <= budget - 1) {
        out = entry->bits;
        return;
    }
    // Near the end of the budget: only tokens after which the document can still be finished.
    const std::string near_key = state_key(m, budget - 1);
    std::shared_ptr<const Entry> near = lookup(near_key);
    if (!near) {
        near = walk(m, budget - 1);
        store(near_key, near);
    }
    out = near->bits;
}

}  // namespace qe::grammar
