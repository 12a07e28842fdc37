#include "knowledge/knowledge_base.h"

#include <chrono>

#include "core/error.h"
#include "knowledge/embedder_record.h"
#include "knowledge/schema.h"
#include "knowledge/sqlite_db.h"
#include "knowledge/vector_dot.h"
#include "knowledge/vector_index.h"

namespace qe::knowledge {
namespace {

constexpr int kMaxDims = 65536;  // keeps the int32 dot products exact (vector_dot.h)

std::string join_heading(const std::vector<std::string>& path) {
    std::string out;
    for (const std::string& part : path) {
        if (!out.empty()) out += " > ";
        out += part;
    }
    return out;
}

void insert_vector(Db& db, Statement& insert, int64_t chunk_id, std::span<const float> v,
                   int dims) {
    if (v.size() != size_t(dims)) {
        throw Error(db.path() + ": a vector of " + std::to_string(v.size()) +
                    " dimensions for an embedder of " + std::to_string(dims));
    }
    const QuantizedVector q = quantize_i8(v);
    insert.bind(1, chunk_id).bind(2, double(q.scale));
    insert.bind_blob(3, {reinterpret_cast<const uint8_t*>(q.values.data()), q.values.size()});
    insert.run();
}

// Drops the document's rows from the keyword index (which needs their text) and then the
// document, whose chunks and vectors go with it (ON DELETE CASCADE).
void delete_document_rows(Db& db, int64_t document_id) {
    Statement unindex(db,
                      "INSERT INTO chunks_fts(chunks_fts, rowid, text, heading) "
                      "SELECT 'delete', id, text, heading FROM chunks WHERE document_id = ?1");
    unindex.bind(1, document_id).run();
    Statement remove(db, "DELETE FROM documents WHERE id = ?1");
    remove.bind(1, document_id).run();
}

std::optional<int64_t> document_id(Db& db, const std::string& path) {
    Statement q(db, "SELECT id FROM documents WHERE path = ?1");
    q.bind(1, path);
    if (!q.step()) return std::nullopt;
    return q.column_int(0);
}

DocumentInfo read_document(const Statement& q) {
    return {q.column_int(0), q.column_text(1), q.column_text(2), q.column_int(3), q.column_int(4)};
}

constexpr const char* kDocumentColumns =
    "SELECT id, path, content_hash, added_at, chunk_count FROM documents";

}  // namespace

KnowledgeBase::KnowledgeBase(const std::string& path, std::optional<EmbedderInfo> embedder)
    : db_(std::make_unique<Db>(path)) {
    open_schema(*db_);
    const std::optional<EmbedderInfo> recorded = read_embedder(*db_);
    if (embedder) {
        if (embedder->dims <= 0 || embedder->dims > kMaxDims || embedder->name.empty()) {
            throw Error(path + ": the embedder " + describe(*embedder) + " needs a name and 1 to " +
                        std::to_string(kMaxDims) + " dimensions");
        }
        if (recorded) {
            check_same_embedder(*db_, *recorded, *embedder);
        } else {
            Transaction tx(*db_);
            write_embedder(*db_, *embedder);
            tx.commit();
        }
    }
    embedder_ = embedder ? embedder : recorded;
}

KnowledgeBase::~KnowledgeBase() = default;

const std::string& KnowledgeBase::path() const {
    return db_->path();
}

int64_t KnowledgeBase::replace_document(const DocumentInput& doc,
                                        std::span<const std::vector<float>> vectors) {
    if (doc.path.empty()) throw Error(path() + ": a document needs a path");
    if (!vectors.empty()) {
        if (!embedder_) {
            throw Error(path() + ": vectors for \"" + doc.path +
                        "\" but no embedder is configured for this knowledge base");
        }
        if (vectors.size() != doc.chunks.size()) {
            throw Error(path() + ": \"" + doc.path + "\" has " + std::to_string(doc.chunks.size()) +
                        " chunks but " + std::to_string(vectors.size()) + " vectors");
        }
    }
    Transaction tx(*db_);
    if (const auto old = document_id(*db_, doc.path)) delete_document_rows(*db_, *old);
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    Statement add_doc(*db_,
                      "INSERT INTO documents(path, content_hash, added_at, chunk_count) "
                      "VALUES(?1, ?2, ?3, ?4)");
    add_doc.bind(1, doc.path).bind(2, doc.content_hash).bind(3, now);
    add_doc.bind(4, int64_t(doc.chunks.size())).run();
    const int64_t id = sqlite3_last_insert_rowid(db_->handle());
    Statement add_chunk(*db_,
                        "INSERT INTO chunks(document_id, ord, text, heading, page) "
                        "VALUES(?1, ?2, ?3, ?4, ?5)");
    Statement index_chunk(*db_, "INSERT INTO chunks_fts(rowid, text, heading) VALUES(?1, ?2, ?3)");
    Statement add_vector(*db_, "INSERT INTO vectors(chunk_id, scale, data) VALUES(?1, ?2, ?3)");
    for (size_t i = 0; i < doc.chunks.size(); ++i) {
        const ChunkInput& chunk = doc.chunks[i];
        const std::string heading = join_heading(chunk.heading_path);
        add_chunk.bind(1, id).bind(2, int64_t(i)).bind(3, chunk.text).bind(4, heading);
        if (chunk.page) {
            add_chunk.bind(5, int64_t(*chunk.page));
        } else {
            add_chunk.bind_null(5);
        }
        add_chunk.run();
        const int64_t chunk_id = sqlite3_last_insert_rowid(db_->handle());
        index_chunk.bind(1, chunk_id).bind(2, chunk.text).bind(3, heading).run();
        if (!vectors.empty())
            insert_vector(*db_, add_vector, chunk_id, vectors[i], embedder_->dims);
    }
    tx.commit();
    forget_vectors();
    return id;
}

bool KnowledgeBase::remove_document(const std::string& path) {
    Transaction tx(*db_);
    const auto id = document_id(*db_, path);
    if (!id) return false;
    delete_document_rows(*db_, *id);
    tx.commit();
    forget_vectors();
    return true;
}

std::optional<DocumentInfo> KnowledgeBase::document(const std::string& path) {
    Statement q(*db_, std::string(kDocumentColumns) + " WHERE path = ?1");
    q.bind(1, path);
    if (!q.step()) return std::nullopt;
    return read_document(q);
}

std::vector<DocumentInfo> KnowledgeBase::documents() {
    Statement q(*db_, std::string(kDocumentColumns) + " ORDER BY path");
    std::vector<DocumentInfo> out;
    while (q.step()) out.push_back(read_document(q));
    return out;
}

int64_t KnowledgeBase::chunk_count() {
    Statement q(*db_, "SELECT count(*) FROM chunks");
    q.step();
    return q.column_int(0);
}

void KnowledgeBase::reindex_vectors(const EmbedderInfo& embedder, const EmbedTexts& embed,
                                    size_t batch) {
    if (embedder.dims <= 0 || embedder.dims > kMaxDims || embedder.name.empty()) {
        throw Error(path() + ": the embedder " + describe(embedder) + " needs a name and 1 to " +
                    std::to_string(kMaxDims) + " dimensions");
    }
    batch = std::max<size_t>(batch, 1);
    Transaction tx(*db_);
    db_->exec("DELETE FROM vectors");
    write_embedder(*db_, embedder);
    std::vector<int64_t> ids;
    std::vector<std::string> texts;
    Statement add_vector(*db_, "INSERT INTO vectors(chunk_id, scale, data) VALUES(?1, ?2, ?3)");
    auto flush = [&] {
        if (ids.empty()) return;
        const std::vector<std::vector<float>> vectors = embed(texts);
        if (vectors.size() != texts.size()) {
            throw Error(path() + ": the embedder returned " + std::to_string(vectors.size()) +
                        " vectors for " + std::to_string(texts.size()) + " texts");
        }
        for (size_t i = 0; i < ids.size(); ++i) {
            insert_vector(*db_, add_vector, ids[i], vectors[i], embedder.dims);
        }
        ids.clear(), texts.clear();
    };
    Statement chunks(*db_, "SELECT id, text FROM chunks ORDER BY id");
    while (chunks.step()) {
        ids.push_back(chunks.column_int(0));
        texts.push_back(chunks.column_text(1));
        if (ids.size() == batch) flush();
    }
    flush();
    tx.commit();
    embedder_ = embedder;
    forget_vectors();
}

void KnowledgeBase::check_integrity() {
    Statement sqlite_check(*db_, "PRAGMA integrity_check");
    while (sqlite_check.step()) {
        const std::string row = sqlite_check.column_text(0);
        if (row != "ok") throw Error(path() + ": integrity check: " + row);
    }
    db_->exec("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('integrity-check', 1)");
    Statement counts(*db_,
                     "SELECT d.path, d.chunk_count, count(c.id) FROM documents d "
                     "LEFT JOIN chunks c ON c.document_id = d.id GROUP BY d.id "
                     "HAVING d.chunk_count != count(c.id)");
    if (counts.step()) {
        throw Error(path() + ": document \"" + counts.column_text(0) + "\" should have " +
                    std::to_string(counts.column_int(1)) + " chunks but has " +
                    std::to_string(counts.column_int(2)));
    }
}

}  // namespace qe::knowledge
