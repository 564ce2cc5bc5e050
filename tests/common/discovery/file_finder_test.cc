#include "common/discovery/file_finder.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace logsweep::common {
namespace {

namespace fs = std::filesystem;
using Paths = std::vector<std::string>;

// A temporary tree. Paths are returned in the lexically normal form
// FindFiles gives, whatever $TMPDIR looks like.
class Tree {
 public:
  // Creates a file (and its parent directories); returns its path.
  std::string Add(const std::string& relative) {
    fs::create_directories(fs::path(Path(relative)).parent_path());
    dir_.Write(relative, "x\n");
    return Path(relative);
  }
  std::string Dir(const std::string& relative) {
    fs::create_directories(Path(relative));
    return Path(relative);
  }
  std::string Path(const std::string& relative) const {
    return (fs::path(root()) / relative).lexically_normal().string();
  }
  std::string root() const {
    std::string r = fs::path(dir_.path()).lexically_normal().string();
    while (r.size() > 1 && r.back() == '/') r.pop_back();
    return r;
  }

 private:
  logsweep::testing::TempDir dir_;
};

FoundFiles Find(const Paths& args, const FindOptions& options = {}) {
  auto found = FindFiles(args, options);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  return found.ok() ? std::move(*found) : FoundFiles{};
}

Paths SkippedPaths(const FoundFiles& found) {
  Paths out;
  for (const auto& s : found.skipped) out.push_back(s.path);
  return out;
}

std::string ErrorsText(const FoundFiles& found) {
  std::string out;
  for (const auto& e : found.errors) {
    out += e.path + ": " + e.status.ToString() + "\n";
  }
  return out;
}

// ---- The default walk ----

TEST(FileFinderTest, TakesLogsAndEveryRotatedFormOfThem) {
  Tree tree;
  for (const char* name :
       {"access.log", "access.log.1", "access.log.2.gz", "access.log-20261031",
        "access.log.3-20261101.gz", "ACCESS.LOG.GZ", "error_log"}) {
    tree.Add(name);
  }

  FoundFiles found = Find({tree.root()});

  EXPECT_EQ(
      found.files,
      (Paths{tree.Path("ACCESS.LOG.GZ"), tree.Path("access.log"),
             tree.Path("access.log-20261031"), tree.Path("access.log.1"),
             tree.Path("access.log.2.gz"),
             tree.Path("access.log.3-20261101.gz"), tree.Path("error_log")}));
  EXPECT_TRUE(found.skipped.empty());
  EXPECT_TRUE(found.errors.empty()) << ErrorsText(found);
}

TEST(FileFinderTest, SkipsFilesNotNamedLikeLogsAndSaysWhy) {
  Tree tree;
  tree.Add("access.log");
  tree.Add("README");
  tree.Add("notes.txt");

  FoundFiles found = Find({tree.root()});

  EXPECT_EQ(found.files, (Paths{tree.Path("access.log")}));
  ASSERT_EQ(SkippedPaths(found),
            (Paths{tree.Path("README"), tree.Path("notes.txt")}));
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kNotLogName);
  EXPECT_FALSE(found.skipped[0].directory);
}

TEST(FileFinderTest, SearchesSubdirectoriesAndSortsBytewise) {
  Tree tree;
  for (const char* name : {"web2/access.log", "web1/access.log.1",
                           "web1/access.log", "B.log", "a.log", "a/x.log"}) {
    tree.Add(name);
  }

  EXPECT_EQ(Find({tree.root()}).files,
            (Paths{tree.Path("B.log"), tree.Path("a.log"), tree.Path("a/x.log"),
                   tree.Path("web1/access.log"), tree.Path("web1/access.log.1"),
                   tree.Path("web2/access.log")}));
}

TEST(FileFinderTest, SkipsHiddenFilesAndDoesNotSearchHiddenDirectories) {
  Tree tree;
  tree.Add("access.log");
  tree.Add(".hidden.log");
  tree.Add(".snapshot/access.log");

  FoundFiles found = Find({tree.root()});

  EXPECT_EQ(found.files, (Paths{tree.Path("access.log")}));
  ASSERT_EQ(SkippedPaths(found),
            (Paths{tree.Path(".hidden.log"), tree.Path(".snapshot")}));
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kHidden);
  EXPECT_EQ(found.skipped[1].reason, SkipReason::kHidden);
  EXPECT_TRUE(found.skipped[1].directory);
}

TEST(FileFinderTest, SearchesHiddenDirectoryNamedAsArgument) {
  Tree tree;
  tree.Add(".archive/access.log");

  EXPECT_EQ(Find({tree.Path(".archive")}).files,
            (Paths{tree.Path(".archive/access.log")}));
}

// ---- --include, --exclude, --all-files ----

TEST(FileFinderTest, AllFilesTakesEveryRegularFileHiddenOnesToo) {
  Tree tree;
  tree.Add("README");
  tree.Add(".hidden.log");
  tree.Add(".snapshot/x");

  FindOptions options;
  options.all_files = true;
  FoundFiles found = Find({tree.root()}, options);

  EXPECT_EQ(found.files,
            (Paths{tree.Path(".hidden.log"), tree.Path(".snapshot/x"),
                   tree.Path("README")}));
  EXPECT_TRUE(found.skipped.empty());
}

TEST(FileFinderTest, IncludeAddsFilesTheNameRuleSkips) {
  Tree tree;
  tree.Add("access.log");
  tree.Add("web1/notes.txt");
  tree.Add("web1/README");
  tree.Add(".hidden.txt");

  FindOptions options;
  options.include = {"*.txt"};
  FoundFiles found = Find({tree.root()}, options);

  EXPECT_EQ(found.files,
            (Paths{tree.Path(".hidden.txt"), tree.Path("access.log"),
                   tree.Path("web1/notes.txt")}));
  EXPECT_EQ(SkippedPaths(found), (Paths{tree.Path("web1/README")}));
}

TEST(FileFinderTest, ExcludeSkipsFilesTheNameRuleTakes) {
  Tree tree;
  tree.Add("access.log");
  tree.Add("error.log");
  tree.Add("web1/error.log.1");

  FindOptions options;
  options.exclude = {"error*"};
  FoundFiles found = Find({tree.root()}, options);

  EXPECT_EQ(found.files, (Paths{tree.Path("access.log")}));
  ASSERT_EQ(found.skipped.size(), 2u);
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kExcluded);
  EXPECT_EQ(found.skipped[0].detail, "error*");
}

TEST(FileFinderTest, ExcludeWinsOverInclude) {
  Tree tree;
  tree.Add("a.txt");
  tree.Add("b.txt");

  FindOptions options;
  options.include = {"*.txt"};
  options.exclude = {"b.*"};
  FoundFiles found = Find({tree.root()}, options);

  EXPECT_EQ(found.files, (Paths{tree.Path("a.txt")}));
  EXPECT_EQ(SkippedPaths(found), (Paths{tree.Path("b.txt")}));
}

TEST(FileFinderTest, ExcludeWinsOverAllFiles) {
  Tree tree;
  tree.Add("a.txt");
  tree.Add("b.txt");

  FindOptions options;
  options.all_files = true;
  options.exclude = {"b.txt"};

  EXPECT_EQ(Find({tree.root()}, options).files, (Paths{tree.Path("a.txt")}));
}

TEST(FileFinderTest, ExcludedDirectoryIsNotSearched) {
  Tree tree;
  tree.Add("access.log");
  tree.Add("old/access.log");
  tree.Add("old/deeper/access.log");

  FindOptions options;
  options.exclude = {"old/"};
  FoundFiles found = Find({tree.root()}, options);

  EXPECT_EQ(found.files, (Paths{tree.Path("access.log")}));
  ASSERT_EQ(SkippedPaths(found), (Paths{tree.Path("old")}));
  EXPECT_TRUE(found.skipped[0].directory);
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kExcluded);
}

TEST(FileFinderTest, PatternsWithSlashMatchFromTheDirectoryGiven) {
  Tree tree;
  tree.Add("web1/access.log");
  tree.Add("web2/access.log");
  tree.Add("x/web1/access.log");

  FindOptions options;
  options.exclude = {"web1/*.log"};

  EXPECT_EQ(
      Find({tree.root()}, options).files,
      (Paths{tree.Path("web2/access.log"), tree.Path("x/web1/access.log")}));
}

TEST(FileFinderTest, IncludeAndExcludeDoNotApplyToFilesNamedExplicitly) {
  Tree tree;
  std::string notes = tree.Add("notes.txt");

  FindOptions options;
  options.exclude = {"*.txt"};

  EXPECT_EQ(Find({notes}, options).files, (Paths{notes}));
}

TEST(FileFinderTest, EmptyIncludePatternFailsTheWholeCall) {
  FindOptions options;
  options.include = {""};

  auto found = FindFiles({"/"}, options);

  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.status().message().find("--include"), std::string::npos);
}

// ---- Symlinks, special files, the same file twice ----

TEST(FileFinderTest, FollowsSymlinksToFilesAndDirectories) {
  Tree tree;
  tree.Add("real/access.log");
  tree.Add("elsewhere/site.log");
  tree.Dir("logs");
  fs::create_symlink(tree.Path("real/access.log"), tree.Path("logs/a.log"));
  fs::create_symlink(tree.Path("elsewhere"), tree.Path("logs/site"));

  EXPECT_EQ(Find({tree.Path("logs")}).files,
            (Paths{tree.Path("logs/a.log"), tree.Path("logs/site/site.log")}));
}

TEST(FileFinderTest, SymlinkLoopIsSearchedOnceAndNamed) {
  Tree tree;
  tree.Add("logs/access.log");
  fs::create_directory_symlink(tree.Path("logs"), tree.Path("logs/loop"));

  FoundFiles found = Find({tree.Path("logs")});

  EXPECT_EQ(found.files, (Paths{tree.Path("logs/access.log")}));
  ASSERT_EQ(SkippedPaths(found), (Paths{tree.Path("logs/loop")}));
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kDirectorySeen);
  EXPECT_EQ(found.skipped[0].detail, tree.Path("logs"));
}

TEST(FileFinderTest, BrokenSymlinkIsSkippedAndCounted) {
  Tree tree;
  tree.Add("logs/access.log");
  fs::create_symlink(tree.Path("gone.log"), tree.Path("logs/old.log"));

  FoundFiles found = Find({tree.Path("logs")});

  EXPECT_EQ(found.files, (Paths{tree.Path("logs/access.log")}));
  ASSERT_EQ(SkippedPaths(found), (Paths{tree.Path("logs/old.log")}));
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kBrokenSymlink);
}

TEST(FileFinderTest, SkipsFifoUnderDirectoryWithoutOpeningIt) {
  Tree tree;
  tree.Add("logs/access.log");
  // Opening a FIFO with no writer would block this test forever.
  ASSERT_EQ(::mkfifo(tree.Path("logs/pipe.log").c_str(), 0644), 0);

  FoundFiles found = Find({tree.Path("logs")});

  EXPECT_EQ(found.files, (Paths{tree.Path("logs/access.log")}));
  ASSERT_EQ(SkippedPaths(found), (Paths{tree.Path("logs/pipe.log")}));
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kNotRegularFile);
  EXPECT_EQ(found.skipped[0].detail, "FIFO");
}

TEST(FileFinderTest, FifoNamedExplicitlyIsAnError) {
  Tree tree;
  std::string fifo = tree.Path("pipe.log");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);

  FoundFiles found = Find({fifo});

  EXPECT_TRUE(found.files.empty());
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, fifo);
  EXPECT_EQ(found.errors[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(found.errors[0].status.message().find("FIFO"), std::string::npos);
}

TEST(FileFinderTest, SameFileUnderTwoNamesIsTakenOnce) {
  Tree tree;
  std::string a = tree.Add("logs/a.log");
  fs::create_hard_link(a, tree.Path("logs/b.log"));

  FoundFiles found = Find({tree.Path("logs")});

  EXPECT_EQ(found.files, (Paths{a}));
  ASSERT_EQ(SkippedPaths(found), (Paths{tree.Path("logs/b.log")}));
  EXPECT_EQ(found.skipped[0].reason, SkipReason::kSameFile);
  EXPECT_EQ(found.skipped[0].detail, a);
}

TEST(FileFinderTest, RemovesRepeatedPathsKeepingTheFirst) {
  Tree tree;
  std::string a = tree.Add("a.log");
  std::string b = tree.Add("b.log");

  FoundFiles found = Find({b, tree.root(), a, tree.root() + "/./b.log"});

  EXPECT_EQ(found.files, (Paths{b, a}));
  EXPECT_TRUE(found.skipped.empty());
}

TEST(FileFinderTest, KeepsOrderOfArguments) {
  Tree tree;
  std::string z = tree.Add("z.log");
  std::string a = tree.Add("a.log");

  EXPECT_EQ(Find({z, a}).files, (Paths{z, a}));
}

TEST(FileFinderTest, FileTakenThroughAnotherArgumentIsNotReportedSkipped) {
  Tree tree;
  std::string log = tree.Add("logs/a.log");
  std::string readme = tree.Add("logs/README");
  std::string notes = tree.Add("logs/sub/notes.txt");

  FoundFiles by_name = Find({tree.Path("logs"), readme});
  FoundFiles by_glob = Find({tree.Path("logs/**")});

  EXPECT_EQ(by_name.files, (Paths{log, readme}));
  EXPECT_EQ(SkippedPaths(by_name), (Paths{notes}));
  EXPECT_EQ(by_glob.files, (Paths{log, readme, notes}));
  EXPECT_TRUE(by_glob.skipped.empty()) << SkippedPaths(by_glob)[0];
}

TEST(FileFinderTest, TakesFileWithAnyNameWhenNamedExplicitly) {
  Tree tree;
  std::string txt = tree.Add("notes.txt");

  EXPECT_EQ(Find({txt}).files, (Paths{txt}));
}

// ---- Arguments that give nothing ----

TEST(FileFinderTest, MissingPathIsNotFoundNamingIt) {
  Tree tree;
  std::string a = tree.Add("a.log");

  FoundFiles found = Find({a, tree.Path("acess.log")});

  EXPECT_EQ(found.files, (Paths{a}));
  ASSERT_EQ(found.errors.size(), 1u) << ErrorsText(found);
  EXPECT_EQ(found.errors[0].path, tree.Path("acess.log"));
  EXPECT_EQ(found.errors[0].status.ToString(),
            "NOT_FOUND: no such file or directory");
}

TEST(FileFinderTest, EmptyDirectoryIsNotFoundNamingIt) {
  Tree tree;
  std::string empty = tree.Dir("empty");

  FoundFiles found = Find({empty});

  EXPECT_TRUE(found.files.empty());
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, empty);
  EXPECT_EQ(found.errors[0].status.ToString(),
            "NOT_FOUND: no files to scan in this directory (it is empty)");
}

TEST(FileFinderTest, DirectoryWithoutLogsSaysWhatItSkipped) {
  Tree tree;
  tree.Add("docs/README");
  tree.Add("docs/notes.txt");
  tree.Add("docs/.hidden.log");

  FoundFiles found = Find({tree.Path("docs")});

  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, tree.Path("docs"));
  EXPECT_EQ(found.errors[0].status.message(),
            "no files to scan in this directory (3 skipped: 2 not named like "
            "a log, 1 hidden)");
  EXPECT_EQ(found.skipped.size(), 3u);
}

TEST(FileFinderTest, SubdirectoryWithoutLogsIsNoError) {
  Tree tree;
  tree.Add("access.log");
  tree.Dir("empty");

  EXPECT_TRUE(Find({tree.root()}).errors.empty());
}

// ---- Globs and braces ----

TEST(FileFinderTest, GlobGivesSortedMatchesOfAnyName) {
  Tree tree;
  for (const char* name : {"x2.gz", "x10.gz", "x1.gz", "y1.gz"}) {
    tree.Add(name);
  }

  EXPECT_EQ(
      Find({tree.Path("x*.gz")}).files,
      (Paths{tree.Path("x1.gz"), tree.Path("x10.gz"), tree.Path("x2.gz")}));
}

TEST(FileFinderTest, GlobWithQuestionMarkAndBrackets) {
  Tree tree;
  for (const char* name : {"a1.gz", "a2.gz", "a3.gz"}) tree.Add(name);

  EXPECT_EQ(Find({tree.Path("a[13].g?")}).files,
            (Paths{tree.Path("a1.gz"), tree.Path("a3.gz")}));
}

TEST(FileFinderTest, GlobMatchingNothingIsNotFoundNamingIt) {
  Tree tree;
  tree.Add("a.log");

  FoundFiles found = Find({tree.Path("none-*.gz")});

  EXPECT_TRUE(found.files.empty());
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, tree.Path("none-*.gz"));
  EXPECT_EQ(found.errors[0].status.ToString(),
            "NOT_FOUND: no file or directory matches this glob");
}

TEST(FileFinderTest, GlobDoesNotMatchLeadingDotUnlessPatternHasIt) {
  Tree tree;
  tree.Add("a.log");
  tree.Add(".b.log");

  EXPECT_EQ(Find({tree.Path("*.log")}).files, (Paths{tree.Path("a.log")}));
  EXPECT_EQ(Find({tree.Path(".*.log")}).files, (Paths{tree.Path(".b.log")}));
}

TEST(FileFinderTest, GlobStarMatchesAnyDepth) {
  Tree tree;
  for (const char* name : {"access.log", "web1/access.log", "web1/x/access.log",
                           "web1/x/error.log", ".hide/access.log"}) {
    tree.Add(name);
  }

  EXPECT_EQ(Find({tree.Path("**/access.log")}).files,
            (Paths{tree.Path("access.log"), tree.Path("web1/access.log"),
                   tree.Path("web1/x/access.log")}));
}

TEST(FileFinderTest, GlobStarInTheMiddleMatchesNoDirectoryToo) {
  Tree tree;
  tree.Add("web1/access.log");
  tree.Add("web1/2026/10/access.log");

  EXPECT_EQ(Find({tree.Path("web1/**/access.log")}).files,
            (Paths{tree.Path("web1/2026/10/access.log"),
                   tree.Path("web1/access.log")}));
}

TEST(FileFinderTest, GlobStarEndsOnSymlinkLoop) {
  Tree tree;
  tree.Add("logs/a.log");
  fs::create_directory_symlink(tree.Path("logs"), tree.Path("logs/loop"));

  FoundFiles found = Find({tree.Path("logs/**/*.log")});

  EXPECT_EQ(found.files, (Paths{tree.Path("logs/a.log")}));
  // Not even found again as logs/loop/a.log: the loop is not entered.
  EXPECT_TRUE(found.skipped.empty()) << found.skipped.size() << " skipped";
}

TEST(FileFinderTest, GlobMatchedDirectoriesAreSearchedByTheRules) {
  Tree tree;
  tree.Add("web1/access.log");
  tree.Add("web1/README");
  tree.Add("web2/access.log.1");
  tree.Dir("web3");

  FoundFiles found = Find({tree.Path("web*")});

  EXPECT_EQ(found.files, (Paths{tree.Path("web1/access.log"),
                                tree.Path("web2/access.log.1")}));
  EXPECT_EQ(SkippedPaths(found), (Paths{tree.Path("web1/README")}));
  EXPECT_TRUE(found.errors.empty()) << ErrorsText(found);
}

TEST(FileFinderTest, GlobOfDirectoriesWithoutLogsIsNotFound) {
  Tree tree;
  tree.Add("web1/README");
  tree.Dir("web2");

  FoundFiles found = Find({tree.Path("web*")});

  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, tree.Path("web*"));
  EXPECT_EQ(found.errors[0].status.message(),
            "no files to scan: the glob matches 2 paths (1 skipped: 1 not "
            "named like a log)");
}

TEST(FileFinderTest, BracesExpandToEachDirectory) {
  Tree tree;
  tree.Add("web1/access.log");
  tree.Add("web2/access.log");
  tree.Add("web3/access.log");

  EXPECT_EQ(
      Find({tree.Path("web{1,2}")}).files,
      (Paths{tree.Path("web1/access.log"), tree.Path("web2/access.log")}));
}

TEST(FileFinderTest, NestedBracesAndGlobsCombine) {
  Tree tree;
  tree.Add("web1/access.log");
  tree.Add("web2/b/x.log");
  tree.Add("web2/c/y.log");

  EXPECT_EQ(Find({tree.Path("web{1/*.log,2/{b,c}/*.log}")}).files,
            (Paths{tree.Path("web1/access.log"), tree.Path("web2/b/x.log"),
                   tree.Path("web2/c/y.log")}));
}

TEST(FileFinderTest, MissingBraceWordIsNamedWithItsArgument) {
  Tree tree;
  tree.Add("web1/access.log");

  FoundFiles found = Find({tree.Path("web{1,3}")});

  EXPECT_EQ(found.files, (Paths{tree.Path("web1/access.log")}));
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, tree.Path("web3"));
  EXPECT_EQ(found.errors[0].status.message(),
            "no such file or directory (from " + tree.Path("web{1,3}") + ")");
}

TEST(FileFinderTest, ExistingNameWithGlobCharactersIsLiteral) {
  Tree tree;
  std::string odd = tree.Add("web{1,2}[x].log");
  tree.Add("web1[x].log");

  EXPECT_EQ(Find({odd}).files, (Paths{odd}));
}

TEST(FileFinderTest, EscapedBracesAreLiteral) {
  Tree tree;
  std::string odd = tree.Add("a{1,2}.log");

  EXPECT_EQ(Find({tree.Path("a\\{1,2\\}.lo?")}).files, (Paths{odd}));
}

// ---- Relative paths ----

TEST(FileFinderTest, RelativePathsAreTakenAgainstBaseDirectory) {
  Tree tree;
  tree.Add("logs/a.log");
  tree.Add("logs/b.log");

  FindOptions options;
  options.base_directory = tree.root();
  FoundFiles found = Find({"logs/a.log", "logs/*.log", "missing"}, options);

  EXPECT_EQ(found.files,
            (Paths{tree.Path("logs/a.log"), tree.Path("logs/b.log")}));
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].path, tree.Path("missing"));
}

TEST(FileFinderTest, RelativePathsAreTakenAgainstWorkingDirectoryByDefault) {
  Tree tree;
  tree.Add("logs/a.log");
  fs::path saved = fs::current_path();
  fs::current_path(tree.root());
  std::string expected = (fs::current_path() / "logs/a.log").string();

  FoundFiles found = Find({"logs"});

  fs::current_path(saved);
  EXPECT_EQ(found.files, (Paths{expected}));
}

TEST(FileFinderTest, EmptyArgumentIsAnErrorNotTheWorkingDirectory) {
  Tree tree;
  tree.Add("logs/a.log");
  FindOptions options;
  options.base_directory = tree.Path("logs");

  FoundFiles found = Find({""}, options);

  EXPECT_TRUE(found.files.empty());
  ASSERT_EQ(found.errors.size(), 1u);
  EXPECT_EQ(found.errors[0].status.ToString(),
            "INVALID_ARGUMENT: empty path argument");
}

TEST(FileFinderTest, NoArgumentsGiveNothing) {
  FoundFiles found = Find({});
  EXPECT_TRUE(found.files.empty());
  EXPECT_TRUE(found.errors.empty());
}

// ---- Unreadable directories ----

// FindFiles as a user without privileges (root reads every directory):
// forks, drops to nobody when root, and reports files and errors as
// "F path" / "E path CODE" lines.
std::vector<std::string> FindUnprivileged(const Paths& args) {
  int fds[2];
  if (::pipe(fds) != 0) return {"pipe failed"};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 ||
                             ::setresgid(65534, 65534, 65534) != 0 ||
                             ::setresuid(65534, 65534, 65534) != 0)) {
      ::_exit(2);
    }
    std::string out;
    auto found = FindFiles(args, {});
    if (found.ok()) {
      for (const auto& f : found->files) out += "F " + f + "\n";
      for (const auto& e : found->errors) {
        out += "E " + e.path + " " + StatusCodeName(e.status.code()) + "\n";
      }
    }
    ssize_t n = ::write(fds[1], out.data(), out.size());
    ::_exit(n == static_cast<ssize_t>(out.size()) ? 0 : 3);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) text.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {"child failed with status " + std::to_string(status)};
  }
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos;
       start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

// A tree everyone may read (its directories are made 0755 under the
// usual umask), but for the directories Lock()ed: nobody but root can.
class LockedTree : public Tree {
 public:
  LockedTree() {
    fs::permissions(root(), fs::perms::owner_all | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read |
                                fs::perms::others_exec);
  }
  void Lock(const std::string& relative) {
    fs::permissions(Path(relative), fs::perms::none);
  }
};

TEST(FileFinderTest, UnreadableSubdirectoryIsNamedAndTheRestIsSearched) {
  LockedTree tree;
  tree.Add("logs/access.log");
  tree.Add("logs/private/access.log");
  tree.Lock("logs/private");

  auto lines = FindUnprivileged({tree.Path("logs")});

  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "F " + tree.Path("logs/access.log"),
                "E " + tree.Path("logs/private") + " PERMISSION_DENIED"}));
}

TEST(FileFinderTest, UnreadableDirectoryArgumentIsNamedOnce) {
  LockedTree tree;
  tree.Add("locked/access.log");
  tree.Lock("locked");

  auto lines = FindUnprivileged({tree.Path("locked")});

  EXPECT_EQ(lines, (std::vector<std::string>{"E " + tree.Path("locked") +
                                             " PERMISSION_DENIED"}));
}

}  // namespace
}  // namespace logsweep::common
