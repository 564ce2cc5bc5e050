#include "worker/incremental_scan.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "common/scan/file_identity.h"
#include "common/scan/file_scanner.h"
#include "common/transport/messages.h"
#include "test_util.h"
#include "worker/scan_pool.h"

namespace logsweep::worker {
namespace {

using common::FileFormat;
using common::FileIdentity;

std::string Line(const std::string& host, const std::string& request) {
  return host + " - - [10/Oct/2023:13:55:36 +0000] \"GET " + request +
         " HTTP/1.1\" 200 26 \"-\" \"bot\"\n";
}

// `n` lines, every other one a /robots.txt request by tag.i.
std::string Lines(const std::string& tag, int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += Line(tag + "." + std::to_string(i), "/robots.txt");
    out += Line("other", "/a");
  }
  return out;
}

class Fd {
 public:
  explicit Fd(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

FileIdentity IdentityOf(const std::string& path) {
  Fd fd(path);
  return *common::IdentifyOpenFile(fd.get());
}

// The identity of a file as it was, made to look older than any write
// since (the test does not wait for the clock).
FileIdentity OldIdentityOf(const std::string& path) {
  FileIdentity id = IdentityOf(path);
  id.mtime_ns -= 1'000'000'000;
  id.ctime_ns -= 1'000'000'000;
  return id;
}

void Append(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  ::close(fd);
}

// Overwrites bytes at `offset` in place.
void Poke(const std::string& path, uint64_t offset, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, text.data(), text.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(text.size()));
  ::close(fd);
}

bool Grown(const FileIdentity& cached, uint64_t resume_from,
           const std::string& path, FileFormat format = FileFormat::kPlain) {
  Fd fd(path);
  return GrownFrom(cached, resume_from, format, *common::StatOpenFile(fd.get()),
                   fd.get());
}

// Large enough that the start and the old end are apart (two 64 KiB
// regions and more between them).
std::string Big() { return Lines("x", 1, 2000); }

TEST(GrownFromTest, AcceptsAFileThatWasOnlyAppendedTo) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  const FileIdentity old = OldIdentityOf(path);
  Append(path, Lines("y", 1, 3));
  EXPECT_TRUE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsAChangedByteInTheOldEndRegion) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  const FileIdentity old = OldIdentityOf(path);
  Poke(path, old.size - 100, "Z");
  Append(path, Lines("y", 1, 3));
  EXPECT_FALSE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsAChangedStart) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  const FileIdentity old = OldIdentityOf(path);
  Poke(path, 0, "Z");
  Append(path, Lines("y", 1, 3));
  EXPECT_FALSE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsACopytruncateRegrownPastTheOldSize) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  const FileIdentity old = OldIdentityOf(path);
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  Append(path, Lines("new", 1, 2500));
  ASSERT_EQ(IdentityOf(path).inode, old.inode);
  EXPECT_FALSE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsAFileNotLarger) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  const FileIdentity old = OldIdentityOf(path);
  Poke(path, 10, "Z");  // same size, written
  EXPECT_FALSE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsAGrownFileWhoseMtimeDidNotMove) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  FileIdentity old = OldIdentityOf(path);
  Append(path, Lines("y", 1, 3));
  old.mtime_ns = IdentityOf(path).mtime_ns;  // as after `touch -d`
  EXPECT_FALSE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsAnotherInode) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  FileIdentity old = OldIdentityOf(path);
  Append(path, Lines("y", 1, 3));
  old.inode += 1;
  EXPECT_FALSE(Grown(old, old.size, path));
}

TEST(GrownFromTest, RejectsAResumePointBeforeTheHashedEnd) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  const FileIdentity old = OldIdentityOf(path);
  Append(path, Lines("y", 1, 3));
  EXPECT_TRUE(Grown(old, old.size - common::kFingerprintBytes, path));
  EXPECT_FALSE(Grown(old, old.size - common::kFingerprintBytes - 1, path));
  EXPECT_FALSE(Grown(old, 0, path));
  EXPECT_FALSE(Grown(old, old.size + 1, path));
}

TEST(GrownFromTest, RejectsAGzipResumePointThatIsNotTheOldEnd) {
  logsweep::testing::TempDir dir;
  const std::string path =
      dir.Write("a.log.gz", logsweep::testing::Gzip(Big()));
  const FileIdentity old = OldIdentityOf(path);
  Append(path, logsweep::testing::Gzip(Lines("y", 1, 3)));
  EXPECT_TRUE(Grown(old, old.size, path, FileFormat::kGzip));
  EXPECT_FALSE(Grown(old, old.size - 1, path, FileFormat::kGzip));
}

TEST(ScanPlainRangeTest, PutsAPartialLastLineInTheTail) {
  logsweep::testing::TempDir dir;
  const std::string whole = Lines("a", 1, 3);
  const std::string path = dir.Write("a.log", whole + "tail.1 - - [x] \"GET");
  Fd fd(path);
  common::FileScanner scanner{common::ScanOptions{}};
  common::LineMatcher matcher{common::Query{}};
  common::TaskOutcome out;
  ScanPlainRange(scanner, fd.get(), 0, IdentityOf(path).size, matcher, out);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.resume_offset, whole.size());
  EXPECT_EQ(out.hosts.size(), 3u);
  EXPECT_EQ(out.stats.lines, 6u);
  EXPECT_EQ(out.tail_stats.lines, 1u);
  EXPECT_EQ(out.tail_stats.bytes_read, IdentityOf(path).size - whole.size());
}

TEST(ScanPlainRangeTest, ResumesAtTheEndOfAFileEndingInANewline) {
  logsweep::testing::TempDir dir;
  const std::string whole = Lines("a", 1, 3);
  const std::string path = dir.Write("a.log", whole);
  Fd fd(path);
  common::FileScanner scanner{common::ScanOptions{}};
  common::LineMatcher matcher{common::Query{}};
  common::TaskOutcome out;
  ScanPlainRange(scanner, fd.get(), 10, whole.size(), matcher, out);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.resume_offset, whole.size());
  EXPECT_TRUE(out.tail_hosts.empty());
  EXPECT_EQ(out.stats.bytes_read, whole.size() - 10);
}

common::TaskAssignment Task(const std::string& path) {
  common::TaskAssignment task;
  task.ref = common::TaskRef{"job-1", 0, 1};
  task.path = path;
  return task;
}

// The worker scans only the new end when its own check passes, and the
// whole file when the coordinator's entry does not describe the file.
TEST(RunTaskIncrementalTest, ScansOnlyTheNewEndOfAGrownFile) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  common::TaskAssignment task = Task(path);
  task.cached = OldIdentityOf(path);
  task.resume_from = task.cached->size;
  Append(path, Lines("y", 1, 3));
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskOutcome out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.start_offset, task.cached->size);
  ASSERT_TRUE(out.base.has_value());
  EXPECT_EQ(*out.base, *task.cached);
  EXPECT_EQ(out.hosts.Sorted(),
            (std::vector<std::string>{"y.1", "y.2", "y.3"}));
  EXPECT_EQ(out.resume_offset, IdentityOf(path).size);
}

TEST(RunTaskIncrementalTest, ScansTheWholeFileWhenTheClaimedPrefixIsWrong) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Big());
  common::TaskAssignment task = Task(path);
  task.cached = OldIdentityOf(path);
  task.cached->fingerprint ^= 1;  // an entry for other content
  task.resume_from = task.cached->size;
  Append(path, Lines("y", 1, 3));
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskOutcome out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.start_offset, 0u);
  EXPECT_EQ(out.hosts.size(), 2000u + 3u);  // x.* and y.*
}

TEST(RunTaskIncrementalTest, OffersNoResumePointForAGzipFileWithPadding) {
  logsweep::testing::TempDir dir;
  const std::string path =
      dir.Write("a.log.gz", logsweep::testing::Gzip(Lines("a", 1, 3)) +
                                std::string(9, '\0'));
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskOutcome out = RunTask(Task(path), scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.resume_offset, 0u);
  const std::string plain =
      dir.Write("b.log.gz", logsweep::testing::Gzip(Lines("a", 1, 3)));
  out = RunTask(Task(plain), scanner, DataRoot("/"));
  EXPECT_EQ(out.resume_offset, IdentityOf(plain).size);
}

TEST(RunTaskIncrementalTest, TakesNoIdentityWhenTheCoordinatorHasNoCache) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Lines("a", 1, 3));
  common::TaskAssignment task = Task(path);
  task.no_identity = true;
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskOutcome out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.hosts.size(), 3u);
  EXPECT_FALSE(out.identity.has_value());
  EXPECT_EQ(out.resume_offset, 0u);
}

// --cache-min-bytes: a file smaller is read whole every time, without the
// identity's reads; one at the floor is cacheable as before.
TEST(RunTaskIncrementalTest, TakesNoIdentityOfAFileBelowTheCacheFloor) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Lines("a", 1, 3));
  const uint64_t size = IdentityOf(path).size;
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskAssignment task = Task(path);
  task.cache_min_bytes = size + 1;
  common::TaskOutcome out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.hosts.size(), 3u);
  EXPECT_FALSE(out.identity.has_value());
  EXPECT_EQ(out.resume_offset, 0u);

  task.cache_min_bytes = size;
  out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.resume_offset, size);
}

// An entry made before the floor was raised is still checked (and so
// served or replaced), whatever the file's size.
TEST(RunTaskIncrementalTest, ChecksACachedFileBelowTheCacheFloor) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Lines("a", 1, 3));
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskAssignment task = Task(path);
  task.cache_min_bytes = uint64_t{1} << 40;
  task.cached = IdentityOf(path);
  common::TaskOutcome out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_TRUE(out.unchanged);
}

TEST(RunTaskIncrementalTest, OffersNoResumePointForACountQuery) {
  logsweep::testing::TempDir dir;
  const std::string path = dir.Write("a.log", Lines("a", 1, 3));
  common::TaskAssignment task = Task(path);
  task.query.count = true;
  common::FileScanner scanner{common::ScanOptions{}};
  common::TaskOutcome out = RunTask(task, scanner, DataRoot("/"));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.resume_offset, 0u);
}

}  // namespace
}  // namespace logsweep::worker
