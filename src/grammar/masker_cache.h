// The TokenMaskers of one vocabulary by grammar text, so that a schema sent again reuses its
// compiled grammar and its cached masks (cache per schema). Thread-safe; keeps the most recently
// used kMaxGrammars.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "grammar/grammar.h"
#include "grammar/token_mask.h"
#include "grammar/token_trie.h"

namespace qe::grammar {

class MaskerCache {
  public:
    static constexpr size_t kMaxGrammars = 8;  // with their masks, ~80 MB at most

    explicit MaskerCache(std::shared_ptr<const TokenTrie> trie) : trie_(std::move(trie)) {}

    // The masker of the grammar known as `key`, made by `compile` the first time (what it
    // throws goes to the caller, and nothing is kept).
    std::shared_ptr<TokenMasker> get(const std::string& key,
                                     const std::function<Grammar()>& compile);

  private:
    std::shared_ptr<const TokenTrie> trie_;
    std::mutex mutex_;
    std::list<std::pair<std::string, std::shared_ptr<TokenMasker>>> recent_;  // most recent first
};

}  // namespace qe::grammar
