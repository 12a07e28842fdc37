// Which tokens of the vocabulary may come next under a grammar: the bytes of an allowed token
// keep the text a prefix of a document, and, with a budget, leave a document that can still be
// finished within the tokens left.
//
// One TokenMasker serves every job of one grammar and vocabulary (cache per schema): a mask is
// computed by walking the vocabulary's trie beside the grammar's stacks, once per distinct
// state, and kept. States repeat a lot (inside a string, between properties), so most steps
// cost a lookup and a copy. Thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/token_trie.h"
#include "grammar/trie_walk.h"

namespace qe::grammar {

class TokenMasker {
  public:
    static constexpr uint32_t kNoBudget = std::numeric_limits<uint32_t>::max();
    static constexpr size_t kMaxCachedMasks = 512;  // ~19 KB each at 152k tokens: ~10 MB

    TokenMasker(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenTrie> trie);

    // The trie's tokens allowed after `m`'s text when `budget` tokens may still be generated
    // (this one included): each allowed token leaves at most budget - 1 bytes to finish, so a
    // document can always be completed one byte-token at a time. When even that is impossible
    // (m's distance exceeds the budget) the budget is ignored. End tokens are the caller's.
    void allowed(const Matcher& m, uint32_t budget, TokenBits& out);

    struct Stats {
        size_t hits = 0, misses = 0, walked_nodes = 0;
    };
    Stats stats() const;
    const TokenTrie& trie() const { return *trie_; }
    const std::shared_ptr<const Grammar>& shared_grammar() const { return grammar_; }

  private:
    struct Entry {
        TokenBits bits;
        uint32_t max_after = 0;  // the largest distance left by an allowed token
    };
    std::shared_ptr<const Entry> lookup(const std::string& key);
    void store(const std::string& key, std::shared_ptr<const Entry> entry);
    // Walks the trie from `m`'s state, keeping tokens that leave at most `limit` bytes.
    std::shared_ptr<const Entry> walk(const Matcher& m, uint32_t limit);

    std::shared_ptr<const Grammar> grammar_;
    std::shared_ptr<const TokenTrie> trie_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const Entry>> cache_;
    Stats stats_;
};

}  // namespace qe::grammar
