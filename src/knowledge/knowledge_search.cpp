// The searches of KnowledgeBase: keyword (FTS5 + BM25), vector (VectorIndex) and both fused.
#include <algorithm>
#include <optional>

#include "core/error.h"
#include "knowledge/fts_query.h"
#include "knowledge/knowledge_base.h"
#include "knowledge/rank_fusion.h"
#include "knowledge/sqlite_db.h"
#include "knowledge/vector_index.h"

namespace qe::knowledge {
namespace {

// PRAGMA data_version changes when another connection commits, so a base opened by a reader
// sees an importer's new vectors.
int64_t data_version(Db& db) {
    Statement q(db, "PRAGMA data_version");
    q.step();
    return q.column_int(0);
}

struct Ranking {
    std::vector<int64_t> ids;  // best first
    std::vector<double> scores;
};

// -bm25 (higher is better) over text and heading; the heading counts half as much as the text,
// as it is shared by every chunk of its section.
Ranking keyword_ranking(Db& db, std::string_view question, size_t limit) {
    const std::string expression = fts_match_expression(question);
    if (expression.empty() || limit == 0) return {};
    Statement q(db,
                "SELECT rowid, -bm25(chunks_fts, 1.0, 0.5) AS score FROM chunks_fts "
                "WHERE chunks_fts MATCH ?1 ORDER BY score DESC, rowid LIMIT ?2");
    q.bind(1, expression).bind(2, int64_t(limit));
    Ranking r;
    while (q.step()) {
        r.ids.push_back(q.column_int(0));
        r.scores.push_back(q.column_double(1));
    }
    return r;
}

}  // namespace

std::vector<SearchHit> KnowledgeBase::hits_for(std::span<const int64_t> chunk_ids,
                                               std::span<const double> scores) {
    Statement q(*db_,
                "SELECT c.id, d.path, c.ord, c.text, c.heading, c.page FROM chunks c "
                "JOIN documents d ON d.id = c.document_id WHERE c.id = ?1");
    std::vector<SearchHit> hits;
    for (size_t i = 0; i < chunk_ids.size(); ++i) {
        q.bind(1, chunk_ids[i]);
        if (q.step()) {
            SearchHit h{q.column_int(0),  q.column_text(1), q.column_int(2), q.column_text(3),
                        q.column_text(4), std::nullopt,     scores[i]};
            if (!q.column_is_null(5)) h.page = int(q.column_int(5));
            hits.push_back(std::move(h));
        }
        q.reset();
    }
    return hits;
}

// Each search reads one snapshot: the ranking and the chunks it names come from the same
// version of the base, whatever a writer commits in between (a replaced document's chunk ids
// may be reused).
std::vector<SearchHit> KnowledgeBase::keyword_search(std::string_view question, size_t top_k) {
    Transaction snapshot(*db_, Transaction::kRead);
    const Ranking r = keyword_ranking(*db_, question, top_k);
    return hits_for(r.ids, r.scores);
}

void KnowledgeBase::forget_vectors() {
    vectors_.reset();
}

const VectorIndex& KnowledgeBase::vectors() {
    if (!embedder_) {
        throw Error(path() +
                    ": a vector search needs an embedder; none is configured or "
                    "recorded for this knowledge base");
    }
    const int64_t version = data_version(*db_);
    if (!vectors_ || version != vectors_data_version_) {
        vectors_ = std::make_unique<VectorIndex>(VectorIndex::load(*db_, embedder_->dims));
        vectors_data_version_ = version;
    }
    return *vectors_;
}

std::vector<SearchHit> KnowledgeBase::vector_search(std::span<const float> query, size_t top_k) {
    Transaction snapshot(*db_, Transaction::kRead);
    std::vector<int64_t> ids;
    std::vector<double> scores;
    for (const VectorHit& h : vectors().search(query, top_k)) {
        ids.push_back(h.chunk_id);
        scores.push_back(h.score);
    }
    return hits_for(ids, scores);
}

std::vector<SearchHit> KnowledgeBase::search(std::string_view question,
                                             const SearchOptions& options) {
    std::optional<Transaction> snapshot(std::in_place, *db_, Transaction::kRead);
    std::vector<std::vector<int64_t>> rankings;
    rankings.push_back(keyword_ranking(*db_, question, options.candidates).ids);
    if (!options.query_vector.empty()) {
        std::vector<int64_t> ids;
        for (const VectorHit& h : vectors().search(options.query_vector, options.candidates)) {
            ids.push_back(h.chunk_id);
        }
        rankings.push_back(std::move(ids));
    }
    const std::vector<FusedItem> fused = fuse_rankings(rankings);
    const size_t wanted = std::max(options.top_k, options.rerank ? options.rerank_top : 0);
    std::vector<int64_t> ids;
    std::vector<double> scores;
    for (size_t i = 0; i < std::min(fused.size(), wanted); ++i) {
        ids.push_back(fused[i].id);
        scores.push_back(fused[i].score);
    }
    std::vector<SearchHit> hits = hits_for(ids, scores);
    snapshot.reset();  // the reranker may take long: no snapshot held meanwhile
    if (options.rerank && !hits.empty()) {
        const size_t n = std::min(hits.size(), options.rerank_top);
        std::vector<std::string> texts;
        for (size_t i = 0; i < n; ++i) texts.push_back(hits[i].text);
        const std::vector<float> scores = options.rerank(question, texts);
        if (scores.size() != n) {
            throw Error(path() + ": the reranker returned " + std::to_string(scores.size()) +
                        " scores for " + std::to_string(n) + " texts");
        }
        for (size_t i = 0; i < n; ++i) hits[i].score = scores[i];
        // The reranked hits come first, best first; the rest keep their fused order after them.
        std::stable_sort(hits.begin(), hits.begin() + ptrdiff_t(n),
                         [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
    }
    if (hits.size() > options.top_k) hits.resize(options.top_k);
    return hits;
}

}  // namespace qe::knowledge
