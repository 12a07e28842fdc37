// One knowledge base: a SQLite file (schema.h) of documents, their chunks, a keyword index over
// the chunks and, when an embedder is configured, a vector per chunk.
//
// One object is one connection and is used by one thread at a time; readers on other threads or
// processes open their own (WAL: they read while a writer imports, and see whole documents only).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/knowledge_input.h"

namespace qe::knowledge {

class Db;
class VectorIndex;

// Texts -> one vector (the embedder's dims) per text.
using EmbedTexts = std::function<std::vector<std::vector<float>>(std::span<const std::string>)>;
// (question, candidate texts) -> one relevance score per text, higher is better.
using RerankTexts =
    std::function<std::vector<float>(std::string_view, std::span<const std::string>)>;

struct SearchOptions {
    size_t top_k = 10;
    size_t candidates = 50;               // taken from each ranking before fusion
    std::span<const float> query_vector;  // the question's embedding; empty: keyword only
    RerankTexts rerank;                   // when set, rescores the first rerank_top fused hits
    size_t rerank_top = 20;
};

class KnowledgeBase {
  public:
    // Opens or creates the base at `path`. With `embedder`: a base built with another one is
    // refused (qe::Error saying which, and how to re-index); a base without one records it (its
    // chunks imported before then have no vectors, and only keyword search finds them, until
    // reindex_vectors).
    explicit KnowledgeBase(const std::string& path,
                           std::optional<EmbedderInfo> embedder = std::nullopt);
    ~KnowledgeBase();
    KnowledgeBase(const KnowledgeBase&) = delete;
    KnowledgeBase& operator=(const KnowledgeBase&) = delete;

    // Adds the document, or replaces the one of the same path, in one transaction: a crash
    // leaves either the old document whole or the new one whole. `vectors`: none, or one per
    // chunk (needs an embedder, and its dims). Returns the document's id.
    int64_t replace_document(const DocumentInput& doc,
                             std::span<const std::vector<float>> vectors = {});
    bool remove_document(const std::string& path);  // false when there was none
    std::optional<DocumentInfo> document(const std::string& path);
    std::vector<DocumentInfo> documents();
    int64_t chunk_count();

    // BM25 over the chunks' text and headings; the question is never FTS5 syntax (fts_query.h).
    // Scores are -bm25 (higher is better).
    std::vector<SearchHit> keyword_search(std::string_view question, size_t top_k = 10);
    // Dot product with every stored vector (cosine for unit vectors).
    std::vector<SearchHit> vector_search(std::span<const float> query, size_t top_k = 10);
    // Keyword and vector rankings fused by reciprocal rank (rank_fusion.h), then reranked when
    // options.rerank is set. Scores: the fused score, or the reranker's for the reranked hits.
    std::vector<SearchHit> search(std::string_view question, const SearchOptions& options);

    // Replaces every vector with `embed`'s over all chunks and records `embedder`, in one
    // transaction; afterwards the base accepts only `embedder`.
    void reindex_vectors(const EmbedderInfo& embedder, const EmbedTexts& embed, size_t batch = 32);
    const std::optional<EmbedderInfo>& embedder() const { return embedder_; }

    // PRAGMA integrity_check, FTS5's integrity-check and every document's chunk count; throws
    // qe::Error naming the first problem.
    void check_integrity();

    const std::string& path() const;

  private:
    // The hits of these chunks (in this order), each with its score.
    std::vector<SearchHit> hits_for(std::span<const int64_t> chunk_ids,
                                    std::span<const double> scores);
    const VectorIndex& vectors();
    void forget_vectors();

    std::unique_ptr<Db> db_;
    std::optional<EmbedderInfo> embedder_;
    std::unique_ptr<VectorIndex> vectors_;  // loaded at the first vector search
    int64_t vectors_data_version_ = -1;     // PRAGMA data_version when they were loaded
};

}  // namespace qe::knowledge
