#include "grammar/masker_cache.h"

namespace qe::grammar {

std::shared_ptr<TokenMasker> MaskerCache::get(const std::string& key,
                                              const std::function<Grammar()>& compile) {
    {
        std::lock_guard lock(mutex_);
        for (auto it = recent_.begin(); it != recent_.end(); ++it) {
            if (it->first != key) continue;
            recent_.splice(recent_.begin(), recent_, it);
            return recent_.front().second;
        }
    }
    // Compiled outside the lock: a large schema does not hold up other requests.
    auto masker = std::make_shared<TokenMasker>(std::make_shared<const Grammar>(compile()), trie_);
    std::lock_guard lock(mutex_);
    recent_.emplace_front(key, masker);
    if (recent_.size() > kMaxGrammars) recent_.pop_back();
    return masker;
}

}  // namespace qe::grammar
