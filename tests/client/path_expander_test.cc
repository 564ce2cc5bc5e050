#include "client/path_expander.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace logsweep::client {
namespace {

namespace fs = std::filesystem;
using Paths = std::vector<std::string>;

// A temporary tree. Paths are returned in the normal form ExpandPaths
// gives, whatever $TMPDIR looks like.
class Tree {
 public:
  // Creates a file (and its parent directories); returns its path.
  std::string Add(const std::string& relative) {
    fs::create_directories(fs::path(Path(relative)).parent_path());
    dir_.Write(relative, "x\n");
    return Path(relative);
  }
  std::string Path(const std::string& relative) const {
    return (fs::path(dir_.path()) / relative).lexically_normal().string();
  }
  std::string root() const {
    return fs::path(dir_.path()).lexically_normal().string();
  }

 private:
  logsweep::testing::TempDir dir_;
};

TEST(ExpandPathsTest, FindsGzAndLogFilesInDirectory) {
  Tree tree;
  tree.Add("access.log");
  tree.Add("access.log.1.gz");
  tree.Add("notes.txt");
  tree.Add("access.log.1");
  tree.Add("gz");

  EXPECT_EQ(ExpandPaths({tree.root()}),
            (Paths{tree.Path("access.log"), tree.Path("access.log.1.gz")}));
}

TEST(ExpandPathsTest, SearchesSubdirectoriesOfDirectory) {
  Tree tree;
  tree.Add("2023/01/a.gz");
  tree.Add("2023/b.log");

  EXPECT_EQ(ExpandPaths({tree.root()}),
            (Paths{tree.Path("2023/01/a.gz"), tree.Path("2023/b.log")}));
}

TEST(ExpandPathsTest, SortsFilesFoundInDirectory) {
  Tree tree;
  for (const char* name : {"c.gz", "a.gz", "B.gz", "b.log", "sub/0.gz"}) {
    tree.Add(name);
  }

  EXPECT_EQ(ExpandPaths({tree.root()}),
            (Paths{tree.Path("B.gz"), tree.Path("a.gz"), tree.Path("b.log"),
                   tree.Path("c.gz"), tree.Path("sub/0.gz")}));
}

TEST(ExpandPathsTest, EmptyDirectoryGivesNoFiles) {
  Tree tree;
  tree.Add("readme.txt");

  EXPECT_TRUE(ExpandPaths({tree.root()}).empty());
}

TEST(ExpandPathsTest, ExpandsGlobToSortedMatches) {
  Tree tree;
  tree.Add("x2.gz");
  tree.Add("x10.gz");
  tree.Add("x1.gz");
  tree.Add("y1.gz");

  EXPECT_EQ(
      ExpandPaths({tree.Path("x*.gz")}),
      (Paths{tree.Path("x1.gz"), tree.Path("x10.gz"), tree.Path("x2.gz")}));
}

TEST(ExpandPathsTest, ExpandsGlobWithQuestionMarkAndBrackets) {
  Tree tree;
  tree.Add("a1.gz");
  tree.Add("a2.gz");
  tree.Add("a3.gz");

  EXPECT_EQ(ExpandPaths({tree.Path("a[13].g?")}),
            (Paths{tree.Path("a1.gz"), tree.Path("a3.gz")}));
}

TEST(ExpandPathsTest, KeepsGlobThatMatchesNothingAsGiven) {
  Tree tree;

  EXPECT_EQ(ExpandPaths({tree.Path("none-*.gz")}),
            (Paths{tree.Path("none-*.gz")}));
}

TEST(ExpandPathsTest, KeepsMissingFileAsGiven) {
  Tree tree;

  EXPECT_EQ(ExpandPaths({tree.Path("missing.gz")}),
            (Paths{tree.Path("missing.gz")}));
}

TEST(ExpandPathsTest, KeepsFileWithAnyNameWhenNamedExplicitly) {
  Tree tree;
  std::string txt = tree.Add("notes.txt");

  EXPECT_EQ(ExpandPaths({txt}), (Paths{txt}));
}

TEST(ExpandPathsTest, MakesRelativePathAbsolute) {
  std::string expected =
      (fs::current_path() / "some-dir/missing-file.gz").string();

  EXPECT_EQ(ExpandPaths({"some-dir/missing-file.gz"}), (Paths{expected}));
}

TEST(ExpandPathsTest, MakesFilesOfRelativeDirectoryAbsolute) {
  Tree tree;
  tree.Add("logs/a.gz");
  fs::path saved = fs::current_path();
  fs::current_path(tree.root());
  std::string expected = (fs::current_path() / "logs/a.gz").string();

  Paths expanded = ExpandPaths({"logs"});

  fs::current_path(saved);
  EXPECT_EQ(expanded, (Paths{expected}));
}

TEST(ExpandPathsTest, RemovesDuplicatesKeepingTheFirst) {
  Tree tree;
  std::string a = tree.Add("a.gz");
  std::string b = tree.Add("b.gz");

  EXPECT_EQ(ExpandPaths({b, tree.root(), a, tree.root() + "/./b.gz"}),
            (Paths{b, a}));
}

TEST(ExpandPathsTest, KeepsOrderOfArguments) {
  Tree tree;
  std::string z = tree.Add("z.gz");
  std::string a = tree.Add("a.gz");

  EXPECT_EQ(ExpandPaths({z, a}), (Paths{z, a}));
}

TEST(ExpandPathsTest, NoArgumentsGiveNoFiles) {
  EXPECT_TRUE(ExpandPaths({}).empty());
}

TEST(ExpandPathsTest, KeepsUnreadableDirectoryAsGiven) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can read any directory";
  Tree tree;
  tree.Add("locked/a.gz");
  fs::permissions(tree.Path("locked"), fs::perms::none);

  Paths expanded = ExpandPaths({tree.Path("locked")});

  fs::permissions(tree.Path("locked"), fs::perms::owner_all);
  EXPECT_EQ(expanded, (Paths{tree.Path("locked")}));
}

}  // namespace
}  // namespace logsweep::client
