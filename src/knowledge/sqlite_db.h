// A thin RAII layer over the SQLite C API: a connection, prepared statements and transactions,
// where every failure becomes a qe::Error naming the database file and SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace qe::knowledge {

class Db {
  public:
    // Opens (creating if missing) the database at `path`.
    explicit Db(const std::string& path);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

    // Runs one or more statements that return no rows.
    void exec(const std::string& sql);
    // Throws qe::Error "<path>: <what>: <sqlite message>" when rc is not a success code.
    void check(int rc, std::string_view what) const;

  private:
    sqlite3* db_ = nullptr;
    std::string path_;
};

class Statement {
  public:
    Statement(Db& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind_blob(int index, std::span<const uint8_t> bytes);
    Statement& bind_null(int index);

    // One step: true when a row is ready to read, false when done.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    // Ready to run again with new bindings.
    void reset();

    int64_t column_int(int i) const;
    double column_double(int i) const;
    std::string column_text(int i) const;
    std::span<const uint8_t> column_blob(int i) const;
    bool column_is_null(int i) const;

  private:
    Db& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// A write transaction: BEGIN IMMEDIATE on construction (the write lock is taken at once, so two
// writers never deadlock half-way), ROLLBACK on destruction unless commit() ran.
// A read one: BEGIN (deferred), so that several statements read one snapshot; it ends with
// ROLLBACK, which for a read changes nothing.
class Transaction {
  public:
    enum Kind { kWrite, kRead };
    explicit Transaction(Db& db, Kind kind = kWrite);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Db& db_;
    bool done_ = false;
};

}  // namespace qe::knowledge
