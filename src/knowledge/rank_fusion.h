// Reciprocal rank fusion: one ranking from several (keyword, vector), each item scoring
// Σ 1 / (k + rank) over the rankings it appears in (rank from 1). It needs no calibration
// between BM25 and cosine scores, which live on unrelated scales.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace qe::knowledge {

inline constexpr double kRrfK = 60;

struct FusedItem {
    int64_t id;
    double score;
};

// `rankings`: ids best first. The result is best first; ties keep the order of first appearance.
std::vector<FusedItem> fuse_rankings(std::span<const std::vector<int64_t>> rankings,
                                     double k = kRrfK);

}  // namespace qe::knowledge
