#include "grammar/token_mask.h"

#include <algorithm>

#include "grammar/trie_walk.h"

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
    WalkResult r = walk_trie(*trie_, m, limit);
    auto entry = std::make_shared<Entry>();
    entry->bits = std::move(r.bits);
    entry->max_after = r.max_after;
    std::lock_guard lock(mutex_);
    stats_.walked_nodes += r.steps;
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
