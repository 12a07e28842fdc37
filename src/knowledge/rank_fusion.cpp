#include "knowledge/rank_fusion.h"

#include <algorithm>
#include <unordered_map>

namespace qe::knowledge {

std::vector<FusedItem> fuse_rankings(std::span<const std::vector<int64_t>> rankings, double k) {
    std::vector<FusedItem> items;
    std::unordered_map<int64_t, size_t> index;
    for (const std::vector<int64_t>& ranking : rankings) {
        for (size_t r = 0; r < ranking.size(); ++r) {
            const auto [it, added] = index.emplace(ranking[r], items.size());
            if (added) items.push_back({ranking[r], 0.0});
            items[it->second].score += 1.0 / (k + double(r + 1));
        }
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const FusedItem& a, const FusedItem& b) { return a.score > b.score; });
    return items;
}

}  // namespace qe::knowledge
