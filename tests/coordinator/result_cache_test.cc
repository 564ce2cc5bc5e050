#include "coordinator/result_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <string>

#include "test_util.h"

namespace logsweep::coordinator {
namespace {

common::FileIdentity Identity(uint64_t inode) {
  common::FileIdentity id;
  id.device = 7;
  id.inode = inode;
  id.size = 1000 + inode;
  id.mtime_ns = 1'700'000'000'000'000'000;
  id.ctime_ns = 1'700'000'000'000'000'001;
  id.fingerprint = 0xabcdef0123456789ULL ^ inode;
  return id;
}

std::unique_ptr<ResultCache> OpenCache(const std::string& path,
                                       uint64_t max_bytes = 1 << 20,
                                       std::string* warning = nullptr) {
  std::string ignored;
  auto cache = ResultCache::Open(path, max_bytes, warning ? warning : &ignored);
  EXPECT_TRUE(cache.ok()) << cache.status().ToString();
  return cache.ok() ? std::move(*cache) : nullptr;
}

void Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(ResultCacheTest, FindsWhatWasPutAfterAReopen) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.path() + "/sub/cache.db";
  common::Query query;
  {
    auto cache = OpenCache(path);
    cache->Put(query, "/logs/a.log", Identity(1), "outcome-a");
    ASSERT_TRUE(cache->Flush().ok());
  }
  auto cache = OpenCache(path);
  auto entry = cache->Find(query, "/logs/a.log");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->identity, Identity(1));
  EXPECT_EQ(entry->outcome, "outcome-a");
  EXPECT_FALSE(cache->Find(query, "/logs/b.log").has_value());
}

// A lookup reads the paths under its query once; entries put before that
// (flushed or not), after it, and by another connection before it are all
// found; a miss stays a miss.
TEST(ResultCacheTest, FindsEntriesPutBeforeAndAfterTheFirstLookup) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.path() + "/cache.db";
  common::Query query;
  {
    auto other = OpenCache(path);
    other->Put(query, "/by-other", Identity(9), "by-other");
    ASSERT_TRUE(other->Flush().ok());
  }
  auto cache = OpenCache(path);
  cache->Put(query, "/before", Identity(1), "before");
  EXPECT_FALSE(cache->Find(query, "/missing").has_value());
  ASSERT_TRUE(cache->Flush().ok());
  cache->Put(query, "/after", Identity(2), "after");
  ASSERT_TRUE(cache->Flush().ok());
  for (const char* p : {"/by-other", "/before", "/after"}) {
    auto entry = cache->Find(query, p);
    ASSERT_TRUE(entry.has_value()) << p;
    EXPECT_EQ(entry->outcome, std::string(p).substr(1)) << p;
  }
  EXPECT_FALSE(cache->Find(query, "/missing").has_value());
  ASSERT_TRUE(cache->Clear().ok());
  EXPECT_FALSE(cache->Find(query, "/after").has_value());
}

// A Reads scope shares one read transaction among its lookups; it must
// end with the scope (else this process would read its old snapshot for
// good) and give way to Flush (a write cannot start inside a read).
TEST(ResultCacheTest, AReadScopeEndsWithItAndGivesWayToFlush) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.path() + "/cache.db";
  common::Query query;
  auto reader = OpenCache(path);
  auto writer = OpenCache(path);
  writer->Put(query, "/logs/a.log", Identity(1), "outcome-1");
  ASSERT_TRUE(writer->Flush().ok());
  {
    ResultCache::Reads reads(reader.get());
    ASSERT_TRUE(reader->Find(query, "/logs/a.log").has_value());
    reader->Put(query, "/logs/b.log", Identity(2), "outcome-b");
    ASSERT_TRUE(reader->Flush().ok());
    EXPECT_EQ(reader->Find(query, "/logs/a.log")->outcome, "outcome-1");
  }
  writer->Put(query, "/logs/a.log", Identity(3), "outcome-3");
  ASSERT_TRUE(writer->Flush().ok());
  auto entry = reader->Find(query, "/logs/a.log");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->outcome, "outcome-3");
  EXPECT_EQ(writer->Find(query, "/logs/b.log")->outcome, "outcome-b");
}

TEST(ResultCacheTest, KeepsEntriesOfDifferentQueriesApart) {
  logsweep::testing::TempDir dir;
  auto cache = OpenCache(dir.path() + "/cache.db");
  common::Query robots;
  common::Query other;
  other.match_value = "/other";
  common::Query other_time_field;  // same text, another field read
  other_time_field.time_field = 9;
  cache->Put(robots, "/a", Identity(1), "robots");
  ASSERT_TRUE(cache->Flush().ok());
  EXPECT_FALSE(cache->Find(other, "/a").has_value());
  EXPECT_FALSE(cache->Find(other_time_field, "/a").has_value());
  ASSERT_TRUE(cache->Find(robots, "/a").has_value());
}

TEST(ResultCacheTest, EvictsLeastRecentlyUsedEntriesOverItsSize) {
  logsweep::testing::TempDir dir;
  const std::string big(400, 'x');
  // Room for two entries of ~500 bytes, not three.
  auto cache = OpenCache(dir.path() + "/cache.db", 1200);
  common::Query q;
  cache->Put(q, "/a", Identity(1), big);
  cache->Put(q, "/b", Identity(2), big);
  ASSERT_TRUE(cache->Flush().ok());
  cache->Touch(q, "/a");  // /b is now the least recently used
  ASSERT_TRUE(cache->Flush().ok());
  cache->Put(q, "/c", Identity(3), big);
  ASSERT_TRUE(cache->Flush().ok());
  EXPECT_TRUE(cache->Find(q, "/a").has_value());
  EXPECT_FALSE(cache->Find(q, "/b").has_value());
  EXPECT_TRUE(cache->Find(q, "/c").has_value());
  auto stats = cache->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->entries, 2u);
  EXPECT_LE(stats->bytes, 1200u);
}

TEST(ResultCacheTest, RebuildsACorruptDatabaseWithAWarning) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("cache.db", std::string(8192, '\x5a'));
  std::string warning;
  auto cache = OpenCache(path, 1 << 20, &warning);
  ASSERT_NE(cache, nullptr);
  EXPECT_NE(warning.find("result cache " + path + " was unusable"),
            std::string::npos)
      << warning;
  common::Query q;
  cache->Put(q, "/a", Identity(1), "x");
  EXPECT_TRUE(cache->Flush().ok());
}

TEST(ResultCacheTest, RebuildsADatabaseOfAnotherVersionWithoutReadingIt) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.path() + "/cache.db";
  common::Query q;
  {
    auto cache = OpenCache(path);
    cache->Put(q, "/a", Identity(1), "old");
    ASSERT_TRUE(cache->Flush().ok());
  }
  Sql(path, "PRAGMA user_version=99");
  std::string warning;
  auto cache = OpenCache(path, 1 << 20, &warning);
  EXPECT_NE(
      warning.find("version 99, not " + std::to_string(ResultCache::kVersion)),
      std::string::npos)
      << warning;
  EXPECT_FALSE(cache->Find(q, "/a").has_value());
}

TEST(ResultCacheTest, KeepsAnEntrysResumeOffsetUnderItsChecksum) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.path() + "/cache.db";
  common::Query q;
  {
    auto cache = OpenCache(path);
    cache->Put(q, "/a", Identity(1), "hosts-a", 4096);
    ASSERT_TRUE(cache->Flush().ok());
  }
  {
    auto cache = OpenCache(path);
    std::optional<ResultCache::Entry> e = cache->Find(q, "/a");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->resume_offset, 4096u);
  }
  // A resume offset changed on disk would resume a scan at the wrong byte.
  Sql(path, "UPDATE entries SET resume = 4095");
  auto cache = OpenCache(path);
  EXPECT_FALSE(cache->Find(q, "/a").has_value());
}

TEST(ResultCacheTest, AnEntryWhoseBytesChangedOnDiskIsAMiss) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.path() + "/cache.db";
  common::Query q;
  {
    auto cache = OpenCache(path);
    cache->Put(q, "/a", Identity(1), "hosts-a");
    ASSERT_TRUE(cache->Flush().ok());
  }
  Sql(path, "UPDATE entries SET outcome = X'00'");
  auto cache = OpenCache(path);
  EXPECT_FALSE(cache->Find(q, "/a").has_value());
}

TEST(ResultCacheTest, ClearEmptiesIt) {
  logsweep::testing::TempDir dir;
  auto cache = OpenCache(dir.path() + "/cache.db");
  common::Query q;
  cache->Put(q, "/a", Identity(1), "x");
  ASSERT_TRUE(cache->Flush().ok());
  ASSERT_TRUE(cache->Clear().ok());
  EXPECT_FALSE(cache->Find(q, "/a").has_value());
  auto stats = cache->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->entries, 0u);
}

}  // namespace
}  // namespace logsweep::coordinator
