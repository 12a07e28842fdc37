#include "knowledge/schema.h"

#include "core/error.h"
#include "knowledge/fts_tokenizer.h"
#include "knowledge/sqlite_db.h"

namespace qe::knowledge {

namespace {

// The version of an existing base, "" for a new (empty) file; read without taking the write
// lock, so that opening a base for reading never waits for a long import or re-index.
std::string existing_version(Db& db) {
    Statement has_meta(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
    return has_meta.step() ? meta_get(db, "schema_version") : std::string();
}

void check_version(Db& db, const std::string& version) {
    if (version == std::to_string(kSchemaVersion)) return;
    throw Error(db.path() + ": knowledge base schema version " + version + ", this program " +
                "reads version " + std::to_string(kSchemaVersion) +
                " (made by a newer qwen-edge?)");
}

}  // namespace

void open_schema(Db& db) {
    register_fts_tokenizer(db);
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    if (const std::string version = existing_version(db); !version.empty()) {
        check_version(db, version);
        return;
    }
    Transaction tx(db);
    db.exec(R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL,
    added_at INTEGER NOT NULL, chunk_count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL, text TEXT NOT NULL, heading TEXT NOT NULL, page INTEGER);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id, ord);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, heading, content='chunks', content_rowid='id', tokenize='qe_text');
CREATE TABLE IF NOT EXISTS vectors(
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    scale REAL NOT NULL, data BLOB NOT NULL);
)sql");
    const std::string version = meta_get(db, "schema_version");
    if (version.empty()) {
        meta_set(db, "schema_version", std::to_string(kSchemaVersion));
        meta_set(db, "vector_type", "int8");
    } else {
        check_version(db, version);  // another connection created it meanwhile
    }
    tx.commit();
}

std::string meta_get(Db& db, const std::string& key) {
    Statement q(db, "SELECT value FROM meta WHERE key = ?1");
    q.bind(1, key);
    return q.step() ? q.column_text(0) : std::string();
}

void meta_set(Db& db, const std::string& key, const std::string& value) {
    Statement q(db,
                "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    q.bind(1, key).bind(2, value).run();
}

}  // namespace qe::knowledge
