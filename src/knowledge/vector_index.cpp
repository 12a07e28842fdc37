#include "knowledge/vector_index.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "knowledge/sqlite_db.h"

namespace qe::knowledge {

VectorIndex VectorIndex::load(Db& db, int dims) {
    VectorIndex index(dims);
    Statement q(db, "SELECT chunk_id, scale, data FROM vectors ORDER BY chunk_id");
    while (q.step()) {
        const std::span<const uint8_t> blob = q.column_blob(2);
        if (blob.size() != size_t(dims)) {
            throw Error(db.path() + ": the vector of chunk " + std::to_string(q.column_int(0)) +
                        " has " + std::to_string(blob.size()) + " values, the embedder " +
                        std::to_string(dims) + "; re-index the base's vectors");
        }
        index.add(q.column_int(0), float(q.column_double(1)),
                  {reinterpret_cast<const int8_t*>(blob.data()), blob.size()});
    }
    return index;
}

void VectorIndex::add(int64_t chunk_id, float scale, std::span<const int8_t> values) {
    ids_.push_back(chunk_id);
    scales_.push_back(scale);
    values_.insert(values_.end(), values.begin(), values.end());
}

std::vector<VectorHit> VectorIndex::search(std::span<const float> query, size_t k,
                                           DotI8 dot) const {
    if (query.size() != size_t(dims_)) {
        throw Error("the query vector has " + std::to_string(query.size()) +
                    " dimensions, the knowledge base's embedder " + std::to_string(dims_));
    }
    const QuantizedVector q = quantize_i8(query);
    std::vector<VectorHit> hits(ids_.size());
    for (size_t i = 0; i < ids_.size(); ++i) {
        const int32_t sum = dot(q.values.data(), values_.data() + i * size_t(dims_), size_t(dims_));
        hits[i] = {ids_[i], float(sum) * q.scale * scales_[i]};
    }
    const auto better = [](const VectorHit& a, const VectorHit& b) {
        return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    };
    k = std::min(k, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + ptrdiff_t(k), hits.end(), better);
    hits.resize(k);
    return hits;
}

}  // namespace qe::knowledge
