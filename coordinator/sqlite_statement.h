#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "common/base/status.h"

namespace logsweep::coordinator {

// One prepared SQLite statement, finalized on scope exit: the job journal's
// and the result cache's. ok() is false when `sql` did not prepare (the
// database's error says why). Blobs and text are copied when bound.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, const std::string& bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
  }
  void BindText(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  void Bind(int i, uint64_t v) {
    sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(v));
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string Column(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n))
             : std::string();
  }
  uint64_t Unsigned(int i) {
    return static_cast<uint64_t>(sqlite3_column_int64(stmt_, i));
  }
  int64_t Signed(int i) { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Opens (creating) the SQLite database at `path` for one thread's use
// (no SQLite mutex). Unavailable, naming `what` and the path, when it
// cannot be opened; the handle is the caller's to sqlite3_close.
inline common::StatusOr<sqlite3*> OpenSqlite(const std::string& what,
                                             const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(
          path.c_str(), &db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
          nullptr) != SQLITE_OK) {
    common::Status s =
        common::UnavailableError(what + ": open " + path + ": " +
                                 (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return s;
  }
  return db;
}

}  // namespace logsweep::coordinator
