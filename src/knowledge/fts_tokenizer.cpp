#include "knowledge/fts_tokenizer.h"

#include <exception>
#include <string_view>

#include "core/error.h"
#include "knowledge/sqlite_db.h"
#include "knowledge/text_tokens.h"

namespace qe::knowledge {
namespace {

// The tokenizer keeps no state, but FTS5 wants an object per table: any non-null pointer.
int create(void*, const char**, int, Fts5Tokenizer** out) {
    static int instance;
    *out = reinterpret_cast<Fts5Tokenizer*>(&instance);
    return SQLITE_OK;
}

void destroy(Fts5Tokenizer*) {}

using TokenCallback = int (*)(void*, int, const char*, int, int, int);

// Queries get pairs only (see text_tokens.h), so a quoted run of CJK text is a phrase of pairs.
// No token is colocated: each goes to the next position.
int tokenize(Fts5Tokenizer*, void* ctx, int flags, const char* text, int size,
             TokenCallback token) {
    const TokenMode mode = (flags & FTS5_TOKENIZE_QUERY) ? TokenMode::kQuery : TokenMode::kDocument;
    int rc = SQLITE_OK;
    try {
        tokenize_text(std::string_view(text ? text : "", text ? size_t(size) : 0), mode,
                      [&](const TextToken& t) {
                          if (rc != SQLITE_OK) return;
                          rc = token(ctx, 0, t.text.data(), int(t.text.size()), int(t.begin),
                                     int(t.end));
                      });
    } catch (const std::bad_alloc&) {
        return SQLITE_NOMEM;
    } catch (const std::exception&) {
        return SQLITE_ERROR;  // nothing may unwind through SQLite's C frames
    }
    return rc;
}

}  // namespace

void register_fts_tokenizer(Db& db) {
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    db.check(sqlite3_prepare_v2(db.handle(), "SELECT fts5(?1)", -1, &stmt, nullptr),
             "this SQLite has no FTS5, which the knowledge base needs");
    sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (!api || api->iVersion < 2) {
        throw Error(db.path() + ": this SQLite has no usable FTS5, which the knowledge base needs");
    }
    fts5_tokenizer tokenizer{create, destroy, tokenize};
    db.check(api->xCreateTokenizer(api, kFtsTokenizerName, nullptr, &tokenizer, nullptr),
             "cannot register the FTS5 tokenizer");
}

}  // namespace qe::knowledge
