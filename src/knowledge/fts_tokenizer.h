// The knowledge base's FTS5 tokenizer (text_tokens.h behind SQLite's fts5_tokenizer interface),
// registered per connection under kFtsTokenizerName: a table created with
// `tokenize = 'qe_text'` needs it on every connection that reads or writes it.
#pragma once

#include <sqlite3.h>

namespace qe::knowledge {

inline constexpr const char* kFtsTokenizerName = "qe_text";

class Db;

// Throws qe::Error when this SQLite has no FTS5.
void register_fts_tokenizer(Db& db);

}  // namespace qe::knowledge
