// The tables of a knowledge base and the settings every connection uses.
//
//   meta(key, value)                  schema version, the embedder record (embedder_record.h)
//   documents(id, path UNIQUE, content_hash, added_at, chunk_count)
//   chunks(id, document_id, ord, text, heading, page)
//   chunks_fts(text, heading)         FTS5 over chunks, tokenizer qe_text (fts_tokenizer.h)
//   vectors(chunk_id, scale, data)    int8 values (vector_dot.h), one row per embedded chunk
//
// chunks_fts is an external-content table over chunks: the text is stored once (in chunks), and
// snippets and highlights still work. Its rows are kept in step by the code, in the transaction
// that changes chunks: deleting from it needs the old text, which chunks still holds then. (A
// contentless table with contentless_delete needs SQLite 3.43; Debian 12 has 3.40.)
#pragma once

#include <string>

namespace qe::knowledge {

class Db;

inline constexpr int kSchemaVersion = 1;

// WAL, synchronous=NORMAL (a commit survives a crash of the program; a power loss may lose the
// last commits but never corrupts), foreign keys, the tokenizer, and the tables when missing.
void open_schema(Db& db);

std::string meta_get(Db& db, const std::string& key);  // "" when missing
void meta_set(Db& db, const std::string& key, const std::string& value);

}  // namespace qe::knowledge
