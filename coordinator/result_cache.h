#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/base/file_identity.h"
#include "common/base/query.h"
#include "common/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace logsweep::coordinator {

// --cache-max-bytes when not given: 1 GiB.
inline constexpr uint64_t kDefaultCacheMaxBytes = uint64_t{1} << 30;
// --cache-min-bytes when not given: 64 KiB. A hit costs a worker an open,
// an fstat and up to 128 KiB of reads, and the coordinator a lookup; a
// file smaller than this on disk is read in about that time, and caching
// it would cost its first run the identity and an entry (docs/cache.md).
inline constexpr uint64_t kDefaultCacheMinBytes = uint64_t{64} << 10;

// Each file's last result per query, with the identity of the file it was
// read from (docs/cache.md), in a SQLite database of its own (not the
// job journal's): `DIR/cache.db` in a coordinator's --state directory, or
// `$XDG_CACHE_HOME/logsweep/cache.db` for `logsweep run`. An entry is only
// a proposal: a worker reuses it only after it finds the file it opens
// with the same identity. Bounded by `max_bytes` with least-recently-used
// eviction. Writes are buffered and committed by Flush, one transaction
// per call. Owns the database connection. Owned by one thread (the
// coordinator's I/O thread); several processes may share one file (SQLite
// locks it; a write that finds it locked is dropped, which costs only a
// later hit).
class ResultCache {
 public:
  // Bumped whenever the schema or the meaning of an entry changes: a
  // database of another version is rebuilt, never read.
  // 2: entries carry a resume offset (growing files).
  static constexpr int kVersion = 2;

  // Opens or creates the database at `path` (creating its directory). A
  // file that is not a SQLite database, fails its integrity check, or has
  // another version is deleted and made again; `warning` then says so
  // (the caller logs it). Errors: Unavailable (the directory or file
  // cannot be created or opened); the caller runs without a cache.
  static common::StatusOr<std::unique_ptr<ResultCache>> Open(
      const std::string& path, uint64_t max_bytes, std::string* warning);
  // Open for a coordinator: logs the warning, and a failure as a warning
  // that it runs without a cache (null then): a cache that cannot be
  // opened costs a job nothing but its hits.
  static std::unique_ptr<ResultCache> OpenOrWarn(const std::string& path,
                                                 uint64_t max_bytes);
  ~ResultCache();
  ResultCache(const ResultCache&) = delete;
  ResultCache& operator=(const ResultCache&) = delete;

  struct Entry {
    common::FileIdentity identity;
    std::string outcome;  // common::EncodeOutcome bytes, opaque here
    // The outcome's hosts cover the file's bytes before this offset: a
    // grown file may be scanned from here (TaskAssignment::resume_from).
    // 0: none.
    uint64_t resume_offset = 0;
  };

  // The entry for `path` under `query`, buffered writes included. nullopt
  // when there is none, or when it cannot be read or fails its checksum
  // (then it is erased). Never an error: a cache that fails is a miss.
  // A miss costs no database read: the paths with an entry under a query
  // are read once, at its first Find (an entry another process writes
  // later is not seen by this one: a miss, never a wrong answer).
  std::optional<Entry> Find(const common::Query& query,
                            const std::string& path);
  // Records (replaces) the entry; an entry larger than max_bytes is not
  // kept.
  void Put(const common::Query& query, const std::string& path,
           const common::FileIdentity& identity, std::string outcome,
           uint64_t resume_offset = 0);
  // The entry served a hit: it is the most recently used.
  void Touch(const common::Query& query, const std::string& path);
  void Erase(const common::Query& query, const std::string& path);

  // While one lives, lookups share one SQLite read transaction, begun at
  // the first that reads the database and ended with the last scope (or
  // by Flush): on its own each lookup takes and drops SQLite's locks,
  // several fcntl and fstat calls that cost more than the row. Scopes
  // nest; keep one to a batch of work (a read left open holds back other
  // processes' writes from this one and the WAL checkpoint). Null: none.
  class Reads {
   public:
    explicit Reads(ResultCache* cache);
    ~Reads();
    Reads(const Reads&) = delete;
    Reads& operator=(const Reads&) = delete;

   private:
    ResultCache* cache_;
  };

  // Commits what Put, Touch and Erase buffered, then evicts the least
  // recently used entries while the total is over max_bytes. Errors:
  // Unavailable (locked by another process, disk full); the buffered
  // writes are dropped, which only costs later hits.
  common::Status Flush();
  // Writes buffered since the last Flush.
  size_t pending() const { return pending_.size(); }

  struct Stats {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    uint64_t max_bytes = 0;
  };
  // Errors: Unavailable.
  common::StatusOr<Stats> GetStats();
  // Deletes every entry. Errors: Unavailable.
  common::Status Clear();

  const std::string& path() const { return path_; }

  // The cache key of a query: its canonical text (common::QueryText) and
  // the fields it reads that the text leaves at their defaults.
  static std::string QueryKey(const common::Query& query);

 private:
  ResultCache(sqlite3* db, std::string path, uint64_t max_bytes);
  common::Status Exec(const char* sql);
  common::Status Evict();
  // QueryKey(query), kept for the last query asked about (every task of
  // a job asks with the same one).
  const std::string& KeyOf(const common::Query& query);
  // In a Reads scope: begins its read transaction if none is open.
  void BeginRead();
  // Ends the read transaction, if one is open.
  void EndRead();
  // known_[key], read from the database (and the buffered puts) at first.
  const std::unordered_set<std::string>& Known(const std::string& key);

  struct Pending {
    std::optional<Entry> put;  // none: erase
    bool touch_only = false;
  };

  sqlite3* db_;
  int read_scopes_ = 0;                      // Reads alive
  bool reading_ = false;                     // a read transaction is open
  std::optional<common::Query> last_query_;  // KeyOf's
  std::string last_key_;
  // Find's statement, prepared once: a lookup per task dispatched.
  sqlite3_stmt* find_ = nullptr;
  const std::string path_;
  const uint64_t max_bytes_;
  uint64_t next_use_ = 1;      // LRU clock: larger is more recent
  uint64_t approx_bytes_ = 0;  // of the committed entries, from this process
  // The paths with an entry under each query key Find has seen, those of
  // Put included; a superset (eviction and Erase do not remove paths).
  std::unordered_map<std::string, std::unordered_set<std::string>> known_;
  // Buffered writes, by (query key, path).
  std::map<std::pair<std::string, std::string>, Pending> pending_;
};

}  // namespace logsweep::coordinator
