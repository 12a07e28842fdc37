#include "knowledge/sqlite_db.h"

#include "core/error.h"

namespace qe::knowledge {

Db::Db(const std::string& path) : path_(path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        throw Error(path + ": cannot open the knowledge base: " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    // A reader waits for a writer's commit (WAL makes that short) instead of failing at once.
    sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() {
    sqlite3_close_v2(db_);
}

void Db::check(int rc, std::string_view what) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    throw Error(path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

void Db::exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        const std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw Error(path_ + ": " + text + " (in: " + sql.substr(0, 80) + ")");
    }
}

Statement::Statement(Db& db, std::string_view sql) : db_(db) {
    db.check(sqlite3_prepare_v2(db.handle(), sql.data(), int(sql.size()), &stmt_, nullptr),
             "cannot prepare \"" + std::string(sql.substr(0, 80)) + "\"");
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
    db_.check(sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    db_.check(sqlite3_bind_double(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    // An empty view may have no data pointer, which SQLite would bind as NULL, not as "".
    const char* data = text.data() ? text.data() : "";
    db_.check(sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
              "bind");
    return *this;
}

Statement& Statement::bind_blob(int index, std::span<const uint8_t> bytes) {
    db_.check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT),
              "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    db_.check(sqlite3_bind_null(stmt_, index), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string what = "running: ";  // (built by append: GCC 12 warns falsely on "..." + string)
    what.append(std::string_view(sqlite3_sql(stmt_)).substr(0, 80));
    sqlite3_reset(stmt_);
    db_.check(rc, what);
    return false;
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int64_t Statement::column_int(int i) const {
    return sqlite3_column_int64(stmt_, i);
}

double Statement::column_double(int i) const {
    return sqlite3_column_double(stmt_, i);
}

std::string Statement::column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, size_t(sqlite3_column_bytes(stmt_, i))) : std::string();
}

std::span<const uint8_t> Statement::column_blob(int i) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, i));
    return {p, size_t(sqlite3_column_bytes(stmt_, i))};
}

bool Statement::column_is_null(int i) const {
    return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
}

Transaction::Transaction(Db& db, Kind kind) : db_(db) {
    db_.exec(kind == kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace qe::knowledge
