#include "coordinator/result_cache.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "coordinator/sqlite_statement.h"

namespace logsweep::coordinator {
namespace {

using common::Status;
using common::StatusOr;

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS entries ("
    " query BLOB NOT NULL, path BLOB NOT NULL,"
    " device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,"
    " mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
    " fingerprint INTEGER NOT NULL, resume INTEGER NOT NULL,"
    " outcome BLOB NOT NULL, bytes INTEGER NOT NULL, used INTEGER NOT NULL,"
    " checksum INTEGER NOT NULL,"
    " PRIMARY KEY (query, path));"
    "CREATE INDEX IF NOT EXISTS entries_by_use ON entries (used);";

constexpr char kFindSql[] =
    "SELECT device, inode, size, mtime_ns, ctime_ns, fingerprint, outcome,"
    " checksum, resume FROM entries WHERE query = ?1 AND path = ?2";

// Per entry beyond its query, path and outcome: the row's other columns
// and index share, roughly.
constexpr uint64_t kEntryOverhead = 96;

using Statement = SqliteStatement;

// FNV-1a, 64 bits: detects an entry whose bytes changed on disk.
uint64_t Hash(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t Checksum(const std::string& query, const std::string& path,
                  const common::FileIdentity& id, uint64_t resume,
                  const std::string& outcome) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string* s : {&query, &path, &outcome}) {
    const uint64_t n = s->size();
    h = Hash(h, &n, sizeof(n));
    h = Hash(h, s->data(), s->size());
  }
  const uint64_t fields[] = {id.device,
                             id.inode,
                             id.size,
                             static_cast<uint64_t>(id.mtime_ns),
                             static_cast<uint64_t>(id.ctime_ns),
                             id.fingerprint,
                             resume};
  return Hash(h, fields, sizeof(fields));
}

// Why the database at `db` cannot be used as it is (empty: it can; it is
// then at kVersion with the schema in place).
// No `PRAGMA quick_check`: it reads the whole file, which would cost every
// run seconds for a large cache; a file that is not a database fails the
// first read below, and damage inside an entry fails its checksum.
std::string Problem(sqlite3* db) {
  Statement version(db, "PRAGMA user_version");
  if (!version.ok() || sqlite3_step(version.get()) != SQLITE_ROW) {
    return sqlite3_errmsg(db);
  }
  const int64_t v = version.Signed(0);
  if (v == ResultCache::kVersion) return {};
  if (v != 0) {
    return "version " + std::to_string(v) + ", not " +
           std::to_string(ResultCache::kVersion);
  }
  Statement tables(db, "SELECT count(*) FROM sqlite_master");
  if (!tables.ok() || sqlite3_step(tables.get()) != SQLITE_ROW) {
    return sqlite3_errmsg(db);
  }
  if (tables.Signed(0) != 0) return "tables of an unknown version";
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(
          db,
          ("PRAGMA user_version=" + std::to_string(ResultCache::kVersion))
              .c_str(),
          nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlite3_errmsg(db);
  }
  return {};
}

}  // namespace

std::string ResultCache::QueryKey(const common::Query& query) {
  return common::QueryText(query) + " (fields: method " +
         std::to_string(query.method_field) + ", time " +
         std::to_string(query.time_field) + ", status " +
         std::to_string(query.status_field) + ")";
}

const std::string& ResultCache::KeyOf(const common::Query& query) {
  if (!last_query_ || !(*last_query_ == query)) {
    last_key_ = QueryKey(query);
    last_query_ = query;
  }
  return last_key_;
}

ResultCache::Reads::Reads(ResultCache* cache) : cache_(cache) {
  if (cache_ != nullptr) ++cache_->read_scopes_;
}

ResultCache::Reads::~Reads() {
  if (cache_ != nullptr && --cache_->read_scopes_ == 0) cache_->EndRead();
}

void ResultCache::BeginRead() {
  // A failed BEGIN leaves each read in its own transaction, as outside.
  if (read_scopes_ > 0 && !reading_) reading_ = Exec("BEGIN").ok();
}

void ResultCache::EndRead() {
  if (!reading_) return;
  reading_ = false;
  (void)Exec("COMMIT");
}

ResultCache::ResultCache(sqlite3* db, std::string path, uint64_t max_bytes)
    : db_(db), path_(std::move(path)), max_bytes_(max_bytes) {
  if (sqlite3_prepare_v2(db_, kFindSql, -1, &find_, nullptr) != SQLITE_OK) {
    find_ = nullptr;  // every Find is then a miss
  }
}

ResultCache::~ResultCache() {
  if (!pending_.empty()) (void)Flush();
  EndRead();
  sqlite3_finalize(find_);
  sqlite3_close(db_);
}

std::unique_ptr<ResultCache> ResultCache::OpenOrWarn(const std::string& path,
                                                     uint64_t max_bytes) {
  std::string warning;
  auto opened = Open(path, max_bytes, &warning);
  if (!warning.empty()) spdlog::warn("{}", warning);
  if (!opened.ok()) {
    spdlog::warn("running without a result cache: {}",
                 opened.status().ToString());
    return nullptr;
  }
  return std::move(*opened);
}

StatusOr<std::unique_ptr<ResultCache>> ResultCache::Open(
    const std::string& path, uint64_t max_bytes, std::string* warning) {
  std::error_code ec;
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return common::UnavailableError("result cache: cannot create " +
                                    parent.string() + ": " + ec.message());
  }
  for (int attempt = 0;; ++attempt) {
    common::StatusOr<sqlite3*> opened = OpenSqlite("result cache", path);
    if (!opened.ok()) return opened.status();
    sqlite3* db = *opened;
    // Another process (a second `logsweep run`) may hold the lock for a
    // moment; wait that long rather than miss.
    sqlite3_busy_timeout(db, 1000);
    std::string problem = Problem(db);
    if (problem.empty() &&
        // synchronous=OFF: no fsync. A crash may lose or damage recent
        // writes, which costs hits, never answers: every entry is checked
        // by its checksum and, by a worker, against the file itself.
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      problem = sqlite3_errmsg(db);
    }
    if (problem.empty()) {
      std::unique_ptr<ResultCache> cache(new ResultCache(db, path, max_bytes));
      Statement st(db,
                   "SELECT coalesce(max(used), 0), coalesce(sum(bytes), 0)"
                   " FROM entries");
      if (st.ok() && sqlite3_step(st.get()) == SQLITE_ROW) {
        cache->next_use_ = st.Unsigned(0) + 1;
        cache->approx_bytes_ = st.Unsigned(1);
      }
      return cache;
    }
    sqlite3_close(db);
    if (attempt > 0) {
      return common::UnavailableError("result cache " + path + ": " + problem);
    }
    // Never trusted: a cache that cannot be read as this version wrote it
    // is thrown away (it only ever costs a rescan).
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path + suffix, ec);
    }
    if (warning != nullptr) {
      *warning = "result cache " + path + " was unusable (" + problem +
                 "); rebuilt empty";
    }
  }
}

Status ResultCache::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "error";
    sqlite3_free(err);
    return common::UnavailableError("result cache " + path_ + ": " + message);
  }
  return common::OkStatus();
}

std::optional<ResultCache::Entry> ResultCache::Find(const common::Query& query,
                                                    const std::string& path) {
  const std::string& key = KeyOf(query);
  auto it = pending_.find({key, path});
  if (it != pending_.end() && !it->second.touch_only) return it->second.put;
  if (find_ == nullptr || Known(key).count(path) == 0) return std::nullopt;
  BeginRead();
  sqlite3_stmt* st = find_;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  sqlite3_bind_blob(st, 1, key.data(), static_cast<int>(key.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_blob(st, 2, path.data(), static_cast<int>(path.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_reset(st);
    return std::nullopt;
  }
  auto u64 = [&](int i) {
    return static_cast<uint64_t>(sqlite3_column_int64(st, i));
  };
  Entry e;
  e.identity.device = u64(0);
  e.identity.inode = u64(1);
  e.identity.size = u64(2);
  e.identity.mtime_ns = sqlite3_column_int64(st, 3);
  e.identity.ctime_ns = sqlite3_column_int64(st, 4);
  e.identity.fingerprint = u64(5);
  const void* blob = sqlite3_column_blob(st, 6);
  e.outcome.assign(blob ? static_cast<const char*>(blob) : "",
                   static_cast<size_t>(sqlite3_column_bytes(st, 6)));
  const uint64_t checksum = u64(7);
  e.resume_offset = u64(8);
  // Reset now: outside a Reads scope, a read left open would hold back
  // the WAL checkpoint and hide other processes' writes.
  sqlite3_reset(st);
  if (checksum != Checksum(key, path, e.identity, e.resume_offset, e.outcome)) {
    Erase(query, path);
    return std::nullopt;
  }
  return e;
}

const std::unordered_set<std::string>& ResultCache::Known(
    const std::string& key) {
  auto [it, fresh] = known_.try_emplace(key);
  if (fresh) {
    BeginRead();
    Statement st(db_, "SELECT path FROM entries WHERE query = ?1");
    if (st.ok()) {
      st.Bind(1, key);
      while (sqlite3_step(st.get()) == SQLITE_ROW) {
        const void* blob = sqlite3_column_blob(st.get(), 0);
        it->second.emplace(
            blob ? static_cast<const char*>(blob) : "",
            static_cast<size_t>(sqlite3_column_bytes(st.get(), 0)));
      }
    }
    for (auto p = pending_.lower_bound({key, std::string()});
         p != pending_.end() && p->first.first == key; ++p) {
      if (p->second.put) it->second.insert(p->first.second);
    }
  }
  return it->second;
}

void ResultCache::Put(const common::Query& query, const std::string& path,
                      const common::FileIdentity& identity, std::string outcome,
                      uint64_t resume_offset) {
  std::string key = QueryKey(query);
  if (key.size() + path.size() + outcome.size() + kEntryOverhead > max_bytes_) {
    return;
  }
  if (auto k = known_.find(key); k != known_.end()) k->second.insert(path);
  Pending& p = pending_[{std::move(key), path}];
  p.put = Entry{identity, std::move(outcome), resume_offset};
  p.touch_only = false;
}

void ResultCache::Touch(const common::Query& query, const std::string& path) {
  auto [it, fresh] = pending_.try_emplace({KeyOf(query), path});
  if (fresh) it->second.touch_only = true;
}

void ResultCache::Erase(const common::Query& query, const std::string& path) {
  Pending& p = pending_[{KeyOf(query), path}];
  p.put.reset();
  p.touch_only = false;
}

Status ResultCache::Flush() {
  if (pending_.empty()) return common::OkStatus();
  auto pending = std::move(pending_);
  pending_.clear();
  EndRead();  // a write transaction cannot start inside it
  if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Statement put(db_,
                "INSERT OR REPLACE INTO entries (query, path, device, inode,"
                " size, mtime_ns, ctime_ns, fingerprint, outcome, bytes, used,"
                " checksum, resume) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                " ?10, ?11, ?12, ?13)");
  Statement touch(
      db_, "UPDATE entries SET used = ?3 WHERE query = ?1 AND path = ?2");
  Statement erase(db_, "DELETE FROM entries WHERE query = ?1 AND path = ?2");
  bool failed = !put.ok() || !touch.ok() || !erase.ok();
  for (const auto& [k, p] : pending) {
    if (failed) break;
    const auto& [key, path] = k;
    Statement& st = p.touch_only ? touch : p.put ? put : erase;
    sqlite3_reset(st.get());
    st.Bind(1, key);
    st.Bind(2, path);
    if (p.touch_only) {
      st.Bind(3, next_use_++);
    } else if (p.put) {
      const common::FileIdentity& id = p.put->identity;
      st.Bind(3, id.device);
      st.Bind(4, id.inode);
      st.Bind(5, id.size);
      st.Bind(6, id.mtime_ns);
      st.Bind(7, id.ctime_ns);
      st.Bind(8, id.fingerprint);
      st.Bind(9, p.put->outcome);
      const uint64_t bytes =
          key.size() + path.size() + p.put->outcome.size() + kEntryOverhead;
      st.Bind(10, bytes);
      st.Bind(11, next_use_++);
      st.Bind(12,
              Checksum(key, path, id, p.put->resume_offset, p.put->outcome));
      st.Bind(13, p.put->resume_offset);
      approx_bytes_ += bytes;
    }
    failed = sqlite3_step(st.get()) != SQLITE_DONE;
  }
  if (failed) {
    Status s = common::UnavailableError("result cache " + path_ + ": " +
                                        sqlite3_errmsg(db_));
    (void)Exec("ROLLBACK");
    return s;
  }
  if (approx_bytes_ > max_bytes_) {
    if (Status s = Evict(); !s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
  }
  return Exec("COMMIT");
}

Status ResultCache::Evict() {
  Statement total(db_, "SELECT coalesce(sum(bytes), 0) FROM entries");
  if (!total.ok() || sqlite3_step(total.get()) != SQLITE_ROW) {
    return common::UnavailableError("result cache " + path_ + ": " +
                                    sqlite3_errmsg(db_));
  }
  uint64_t bytes = total.Unsigned(0);
  if (bytes > max_bytes_) {
    // Oldest first, until what is left fits.
    std::vector<int64_t> victims;
    Statement oldest(db_, "SELECT rowid, bytes FROM entries ORDER BY used");
    while (bytes > max_bytes_ && oldest.ok() &&
           sqlite3_step(oldest.get()) == SQLITE_ROW) {
      victims.push_back(oldest.Signed(0));
      bytes -= std::min(bytes, oldest.Unsigned(1));
    }
    Statement del(db_, "DELETE FROM entries WHERE rowid = ?1");
    for (int64_t rowid : victims) {
      if (!del.ok()) break;
      sqlite3_reset(del.get());
      del.Bind(1, rowid);
      if (sqlite3_step(del.get()) != SQLITE_DONE) {
        return common::UnavailableError("result cache " + path_ + ": " +
                                        sqlite3_errmsg(db_));
      }
    }
  }
  approx_bytes_ = bytes;
  return common::OkStatus();
}

StatusOr<ResultCache::Stats> ResultCache::GetStats() {
  if (Status s = Flush(); !s.ok()) return s;
  Statement st(db_, "SELECT count(*), coalesce(sum(bytes), 0) FROM entries");
  if (!st.ok() || sqlite3_step(st.get()) != SQLITE_ROW) {
    return common::UnavailableError("result cache " + path_ + ": " +
                                    sqlite3_errmsg(db_));
  }
  return Stats{st.Unsigned(0), st.Unsigned(1), max_bytes_};
}

Status ResultCache::Clear() {
  pending_.clear();
  known_.clear();
  EndRead();
  if (Status s = Exec("DELETE FROM entries"); !s.ok()) return s;
  approx_bytes_ = 0;
  return common::OkStatus();
}

}  // namespace logsweep::coordinator
