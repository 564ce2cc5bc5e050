#include "common/discovery/file_finder.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "common/discovery/brace_expansion.h"
#include "common/discovery/glob_pattern.h"
#include "common/discovery/log_file_name.h"

namespace logsweep::common {
namespace {

namespace fs = std::filesystem;

using FileId = std::pair<dev_t, ino_t>;

FileId IdOf(const struct stat& st) { return {st.st_dev, st.st_ino}; }

std::string Join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

bool IsHidden(const std::string& name) {
  return !name.empty() && name[0] == '.';
}

const char* FileTypeName(mode_t mode) {
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "not a regular file";
}

// `path` lexically normal, without a trailing '/' (except "/" itself).
std::string Normal(const std::string& path) {
  std::string out = fs::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "." : out;
}

// The names in `dir`, sorted, or the errno of opendir/readdir.
StatusOr<std::vector<std::string>> ReadDirectory(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) return ErrnoStatus(errno, "cannot read directory");
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno != 0) return ErrnoStatus(errno, "cannot read directory");
      break;
    }
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Candidate {
  std::string path;
  FileId id;
};

// The state of one FindFiles call.
class Finder {
 public:
  Finder(const FindOptions& options, std::vector<GlobPattern> include,
         std::vector<GlobPattern> exclude)
      : options_(options),
        include_(std::move(include)),
        exclude_(std::move(exclude)) {}

  void Argument(const std::string& arg);
  // The result. A file skipped under one directory but taken through
  // another argument (logs logs/README, or a glob "logs/**") is scanned, so
  // it is not reported as skipped.
  FoundFiles Take() {
    auto& skipped = found_.skipped;
    skipped.erase(std::remove_if(skipped.begin(), skipped.end(),
                                 [this](const SkippedEntry& e) {
                                   return !e.directory &&
                                          e.reason != SkipReason::kSameFile &&
                                          taken_paths_.count(e.path) > 0;
                                 }),
                  skipped.end());
    return std::move(found_);
  }

 private:
  // What one word (argument, or brace word) gave, before de-duplication.
  struct Harvest {
    std::vector<Candidate> files;
    std::vector<SkippedEntry> skipped;
  };

  std::string Absolute(const std::string& path) const;
  // A path that exists or not, not to be globbed. `origin`: the argument
  // it came from when it is a brace word, else empty.
  void Literal(const std::string& path, const std::string& origin);
  void Glob(const std::string& word, const std::string& origin);
  void GlobFrom(const std::string& dir, const std::vector<std::string>& comps,
                size_t i, bool directories_only,
                std::set<std::pair<size_t, FileId>>& seen_dirs,
                std::vector<std::string>& matches);
  // Searches the directory `root` (whose stat is `st`) into `h`; false
  // when `root` itself could not be read (an error names it).
  bool Search(const std::string& root, const struct stat& st, Harvest& h);
  bool Walk(const std::string& dir, const std::string& rel,
            std::map<FileId, std::string>& seen_dirs, Harvest& h);
  void ClassifyFile(const std::string& path, const std::string& rel,
                    const std::string& name, const struct stat& st, Harvest& h);
  bool Excluded(const std::string& rel, bool directory,
                std::string* pattern) const;
  bool Included(const std::string& rel) const;
  // Adds a word's files (sorted) to the result, dropping repeats, and its
  // skipped entries sorted by path.
  void Commit(Harvest h);
  void Error(const std::string& path, Status status) {
    found_.errors.push_back(
        PathError{path, std::move(status), found_.files.size()});
  }
  // "3 skipped: 2 not named like a log, 1 hidden", or "" for none.
  static std::string SkippedSummary(const std::vector<SkippedEntry>& skipped);

  const FindOptions& options_;
  std::vector<GlobPattern> include_;
  std::vector<GlobPattern> exclude_;
  std::set<std::string> taken_paths_;
  std::map<FileId, std::string> taken_ids_;
  FoundFiles found_;
};

std::string Finder::Absolute(const std::string& path) const {
  if (!path.empty() && path[0] == '/') return Normal(path);
  std::string base = options_.base_directory;
  if (base.empty()) {
    std::error_code ec;
    base = fs::current_path(ec).string();
    if (ec) base = "/";
  }
  return Normal(path.empty() ? base : Join(base, path));
}

void Finder::Argument(const std::string& arg) {
  if (arg.empty()) {
    // Not the current directory: an empty word is a mistake (an unset
    // shell variable), not a request to search here.
    Error("", InvalidArgumentError("empty path argument"));
    return;
  }
  std::string abs = Absolute(arg);
  struct stat st;
  if (::stat(abs.c_str(), &st) == 0 ||
      arg.find_first_of("*?[{\\") == std::string::npos) {
    Literal(abs, "");
    return;
  }
  auto words = ExpandBraces(arg);
  if (!words.ok()) {
    Error(abs, words.status());
    return;
  }
  std::string origin = words->size() > 1 ? abs : "";
  for (const std::string& word : *words) {
    if (HasWildcards(word)) {
      Glob(word, origin);
    } else {
      Literal(Absolute(Unescape(word)), origin);
    }
  }
}

void Finder::Literal(const std::string& path, const std::string& origin) {
  std::string from = origin.empty() ? "" : " (from " + origin + ")";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    struct stat link;
    if (err == ENOENT && ::lstat(path.c_str(), &link) == 0) {
      Error(path,
            NotFoundError("broken symlink: its target does not exist" + from));
    } else if (err == ENOENT) {
      Error(path, NotFoundError("no such file or directory" + from));
    } else {
      Error(path, ErrnoStatus(err, "cannot access" + from));
    }
    return;
  }
  Harvest h;
  if (S_ISDIR(st.st_mode)) {
    if (Search(path, st, h) && h.files.empty()) {
      std::string skipped = SkippedSummary(h.skipped);
      Error(path, NotFoundError("no files to scan in this directory (" +
                                (skipped.empty() ? "it is empty" : skipped) +
                                ")" + from));
    }
  } else if (S_ISREG(st.st_mode)) {
    h.files.push_back(Candidate{path, IdOf(st)});
  } else {
    Error(path, InvalidArgumentError(std::string("not a regular file (") +
                                     FileTypeName(st.st_mode) +
                                     "); not opened" + from));
    return;
  }
  Commit(std::move(h));
}

void Finder::Glob(const std::string& word, const std::string& origin) {
  std::string pattern = Normal(word);
  bool directories_only = !word.empty() && word.back() == '/';
  bool absolute = !pattern.empty() && pattern[0] == '/';
  std::string start = absolute ? "/" : Absolute("");
  std::string shown = absolute ? pattern : Join(start, pattern);
  std::vector<std::string> comps = SplitPath(pattern);
  // Runs of "**" are one.
  comps.erase(std::unique(comps.begin(), comps.end(),
                          [](const std::string& a, const std::string& b) {
                            return a == "**" && b == "**";
                          }),
              comps.end());
  std::vector<std::string> matches;
  std::set<std::pair<size_t, FileId>> seen_dirs;
  GlobFrom(start, comps, 0, directories_only, seen_dirs, matches);
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());

  Harvest h;
  for (const std::string& m : matches) {
    struct stat st;
    if (::stat(m.c_str(), &st) != 0) continue;  // gone since
    if (S_ISDIR(st.st_mode)) {
      Search(m, st, h);
    } else if (S_ISREG(st.st_mode)) {
      h.files.push_back(Candidate{m, IdOf(st)});
    } else {
      h.skipped.push_back(SkippedEntry{m, SkipReason::kNotRegularFile,
                                       FileTypeName(st.st_mode), false});
    }
  }
  if (h.files.empty()) {
    std::string from = origin.empty() ? "" : " (from " + origin + ")";
    if (matches.empty()) {
      Error(shown,
            NotFoundError("no file or directory matches this glob" + from));
    } else {
      std::string skipped = SkippedSummary(h.skipped);
      Error(shown, NotFoundError("no files to scan: the glob matches " +
                                 std::to_string(matches.size()) + " path" +
                                 (matches.size() == 1 ? "" : "s") +
                                 (skipped.empty() ? "" : " (" + skipped + ")") +
                                 from));
    }
  }
  Commit(std::move(h));
}

void Finder::GlobFrom(const std::string& dir,
                      const std::vector<std::string>& comps, size_t i,
                      bool directories_only,
                      std::set<std::pair<size_t, FileId>>& seen_dirs,
                      std::vector<std::string>& matches) {
  if (i == comps.size()) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return;
    if (directories_only && !S_ISDIR(st.st_mode)) return;
    matches.push_back(dir);
    return;
  }
  const std::string& comp = comps[i];
  if (comp != "**" && !HasWildcards(comp)) {
    GlobFrom(Join(dir, Unescape(comp)), comps, i + 1, directories_only,
             seen_dirs, matches);
    return;
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  auto names = ReadDirectory(dir);
  if (!names.ok()) {
    Error(dir, names.status());
    return;
  }
  if (comp == "**") {
    // None, or one more directory under "**" each time; each directory
    // once per "**", so a symlink loop ends. A last "**" matches files
    // too, as in bash.
    if (!seen_dirs.insert({i, IdOf(st)}).second) return;
    bool last = i + 1 == comps.size();
    GlobFrom(dir, comps, i + 1, directories_only, seen_dirs, matches);
    for (const std::string& name : *names) {
      if (IsHidden(name)) continue;
      std::string sub = Join(dir, name);
      struct stat sub_st;
      if (::stat(sub.c_str(), &sub_st) != 0) continue;
      if (S_ISDIR(sub_st.st_mode)) {
        GlobFrom(sub, comps, i, directories_only, seen_dirs, matches);
      } else if (last && !directories_only) {
        matches.push_back(sub);
      }
    }
    return;
  }
  for (const std::string& name : *names) {
    if (MatchComponent(comp, name, /*wildcard_matches_leading_dot=*/false)) {
      GlobFrom(Join(dir, name), comps, i + 1, directories_only, seen_dirs,
               matches);
    }
  }
}

bool Finder::Search(const std::string& root, const struct stat& st,
                    Harvest& h) {
  std::map<FileId, std::string> seen_dirs{{IdOf(st), root}};
  Harvest mine;
  bool readable = Walk(root, "", seen_dirs, mine);
  auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
  std::sort(mine.files.begin(), mine.files.end(), by_path);
  std::sort(mine.skipped.begin(), mine.skipped.end(), by_path);
  for (auto& f : mine.files) h.files.push_back(std::move(f));
  for (auto& s : mine.skipped) h.skipped.push_back(std::move(s));
  return readable;
}

bool Finder::Walk(const std::string& dir, const std::string& rel,
                  std::map<FileId, std::string>& seen_dirs, Harvest& h) {
  auto names = ReadDirectory(dir);
  if (!names.ok()) {
    Error(dir, names.status());
    return false;
  }
  for (const std::string& name : *names) {
    std::string path = Join(dir, name);
    std::string sub_rel = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno != ENOENT) Error(path, ErrnoStatus(errno, "cannot access"));
      continue;  // ENOENT: removed since the directory was read
    }
    if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) != 0) {
      h.skipped.push_back(SkippedEntry{path, SkipReason::kBrokenSymlink,
                                       std::strerror(errno), false});
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      std::string pattern;
      if (Excluded(sub_rel, true, &pattern)) {
        h.skipped.push_back(
            SkippedEntry{path, SkipReason::kExcluded, pattern, true});
      } else if (IsHidden(name) && !options_.all_files) {
        h.skipped.push_back(SkippedEntry{path, SkipReason::kHidden, "", true});
      } else if (auto [it, fresh] = seen_dirs.emplace(IdOf(st), path); !fresh) {
        h.skipped.push_back(
            SkippedEntry{path, SkipReason::kDirectorySeen, it->second, true});
      } else {
        (void)Walk(path, sub_rel, seen_dirs, h);
      }
    } else if (S_ISREG(st.st_mode)) {
      ClassifyFile(path, sub_rel, name, st, h);
    } else {
      h.skipped.push_back(SkippedEntry{path, SkipReason::kNotRegularFile,
                                       FileTypeName(st.st_mode), false});
    }
  }
  return true;
}

void Finder::ClassifyFile(const std::string& path, const std::string& rel,
                          const std::string& name, const struct stat& st,
                          Harvest& h) {
  std::string pattern;
  if (Excluded(rel, false, &pattern)) {
    h.skipped.push_back(
        SkippedEntry{path, SkipReason::kExcluded, pattern, false});
  } else if (Included(rel) || options_.all_files) {
    h.files.push_back(Candidate{path, IdOf(st)});
  } else if (IsHidden(name)) {
    h.skipped.push_back(SkippedEntry{path, SkipReason::kHidden, "", false});
  } else if (IsLogFileName(name)) {
    h.files.push_back(Candidate{path, IdOf(st)});
  } else {
    h.skipped.push_back(SkippedEntry{path, SkipReason::kNotLogName, "", false});
  }
}

bool Finder::Excluded(const std::string& rel, bool directory,
                      std::string* pattern) const {
  for (const GlobPattern& g : exclude_) {
    if (g.Matches(rel, directory)) {
      *pattern = g.text();
      return true;
    }
  }
  return false;
}

bool Finder::Included(const std::string& rel) const {
  for (const GlobPattern& g : include_) {
    if (g.Matches(rel, false)) return true;
  }
  return false;
}

void Finder::Commit(Harvest h) {
  for (Candidate& c : h.files) {
    if (!taken_paths_.insert(c.path).second) continue;
    auto [it, fresh] = taken_ids_.emplace(c.id, c.path);
    if (!fresh) {
      h.skipped.push_back(
          SkippedEntry{c.path, SkipReason::kSameFile, it->second, false});
      continue;
    }
    found_.files.push_back(std::move(c.path));
  }
  std::stable_sort(h.skipped.begin(), h.skipped.end(),
                   [](const SkippedEntry& a, const SkippedEntry& b) {
                     return a.path < b.path;
                   });
  for (SkippedEntry& s : h.skipped) found_.skipped.push_back(std::move(s));
}

std::string Finder::SkippedSummary(const std::vector<SkippedEntry>& skipped) {
  if (skipped.empty()) return "";
  static const std::map<SkipReason, const char*> kWords = {
      {SkipReason::kNotLogName, "not named like a log"},
      {SkipReason::kHidden, "hidden"},
      {SkipReason::kExcluded, "excluded"},
      {SkipReason::kNotRegularFile, "not a regular file"},
      {SkipReason::kBrokenSymlink, "broken symlink"},
      {SkipReason::kSameFile, "same file as another"},
      {SkipReason::kDirectorySeen, "directory seen before"},
  };
  std::map<SkipReason, size_t> counts;
  for (const SkippedEntry& s : skipped) ++counts[s.reason];
  std::string out = std::to_string(skipped.size()) + " skipped: ";
  bool first = true;
  for (const auto& [reason, n] : counts) {
    if (!first) out += ", ";
    first = false;
    out += std::to_string(n) + " " + kWords.at(reason);
  }
  return out;
}

}  // namespace

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNotLogName:
      return "not_log_name";
    case SkipReason::kHidden:
      return "hidden";
    case SkipReason::kExcluded:
      return "excluded";
    case SkipReason::kNotRegularFile:
      return "not_regular_file";
    case SkipReason::kBrokenSymlink:
      return "broken_symlink";
    case SkipReason::kSameFile:
      return "same_file";
    case SkipReason::kDirectorySeen:
      return "directory_seen";
  }
  return "unknown";
}

std::string DescribeSkip(const SkippedEntry& s) {
  std::string not_searched = s.directory ? ", not searched" : "";
  switch (s.reason) {
    case SkipReason::kNotLogName:
      return "not named like a log";
    case SkipReason::kHidden:
      return s.directory ? "hidden directory, not searched" : "hidden";
    case SkipReason::kExcluded:
      return "excluded by '" + s.detail + "'" + not_searched;
    case SkipReason::kNotRegularFile:
      return "not a regular file (" + s.detail + "), not opened";
    case SkipReason::kBrokenSymlink:
      return "broken symlink (" + s.detail + ")";
    case SkipReason::kSameFile:
      return "same file as " + s.detail;
    case SkipReason::kDirectorySeen:
      return "directory already searched as " + s.detail;
  }
  return "skipped";
}

StatusOr<FoundFiles> FindFiles(const std::vector<std::string>& args,
                               const FindOptions& options) {
  auto parse = [](const std::vector<std::string>& texts,
                  const char* flag) -> StatusOr<std::vector<GlobPattern>> {
    std::vector<GlobPattern> out;
    for (const std::string& text : texts) {
      auto g = GlobPattern::Parse(text);
      if (!g.ok()) return g.status().WithContext(flag);
      out.push_back(std::move(*g));
    }
    return out;
  };
  auto include = parse(options.include, "--include");
  if (!include.ok()) return include.status();
  auto exclude = parse(options.exclude, "--exclude");
  if (!exclude.ok()) return exclude.status();
  Finder finder(options, std::move(*include), std::move(*exclude));
  for (const std::string& arg : args) finder.Argument(arg);
  return finder.Take();
}

Status FindOptionsValid(const FindOptions& options) {
  for (const auto* list : {&options.include, &options.exclude}) {
    for (const std::string& text : *list) {
      auto g = GlobPattern::Parse(text);
      if (!g.ok()) {
        return g.status().WithContext(list == &options.include ? "--include"
                                                               : "--exclude");
      }
    }
  }
  return OkStatus();
}

}  // namespace logsweep::common
