// All the vectors of a knowledge base in memory, searched by brute force: at 100k chunks of
// 1024 dims that is 100 MB of int8 and one pass of the dot kernel (vector_dot.h) per query.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "knowledge/vector_dot.h"

namespace qe::knowledge {

class Db;

struct VectorHit {
    int64_t chunk_id;
    float score;  // the dot product: the cosine similarity for unit vectors
};

class VectorIndex {
  public:
    explicit VectorIndex(int dims) : dims_(dims) {}

    // Reads every row of the vectors table; a row of the wrong size is an error naming it.
    static VectorIndex load(Db& db, int dims);

    void add(int64_t chunk_id, float scale, std::span<const int8_t> values);
    size_t size() const { return ids_.size(); }
    int dims() const { return dims_; }

    // The k best by dot product with `query` (dims floats), best first; ties by chunk id.
    std::vector<VectorHit> search(std::span<const float> query, size_t k,
                                  DotI8 dot = dot_i8()) const;

  private:
    int dims_;
    std::vector<int64_t> ids_;
    std::vector<float> scales_;
    std::vector<int8_t> values_;  // (size, dims)
};

}  // namespace qe::knowledge
