#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace logsweep::common {

// How directories are searched (docs/cli.md, "Which files are scanned").
struct FindOptions {
  // Globs (common/glob_pattern.h) matched against the path of each file
  // relative to the directory given. An --include match takes a file the
  // default rule would skip (not named like a log, or hidden); an --exclude
  // match skips a file whatever else says, and a directory it matches is
  // not searched. --exclude wins over --include.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // Every regular file, hidden files and hidden directories too (still not
  // what --exclude matches).
  bool all_files = false;
  // Relative arguments are taken relative to this directory (absolute).
  // Empty: the current working directory.
  std::string base_directory;
};

// Why a file (or a directory, not searched) under a directory was skipped.
enum class SkipReason {
  kNotLogName,      // not named like a log (common/log_file_name.h)
  kHidden,          // name starts with '.'
  kExcluded,        // matched an --exclude glob; detail names it
  kNotRegularFile,  // FIFO, socket or device; never opened
  kBrokenSymlink,   // a symbolic link to nothing (or a loop of links)
  kSameFile,        // same file (device, inode) as one taken; detail: its path
  kDirectorySeen,   // directory reached again (a symlink loop or a second
                    // link to it); detail: where it was searched
};

// A stable token for --json: "not_log_name", "hidden", "excluded",
// "not_regular_file", "broken_symlink", "same_file", "directory_seen".
std::string_view SkipReasonName(SkipReason reason);

struct SkippedEntry {
  std::string path;  // absolute
  SkipReason reason;
  std::string detail;      // may be empty
  bool directory = false;  // a directory not searched, not a file
};

// Why `entry` was skipped, for people: "not named like a log", "excluded
// by 'old/', not searched", "same file as /logs/a.log"...
std::string DescribeSkip(const SkippedEntry& entry);

// A path argument that gives nothing to scan, or a directory the search
// could not read. `status` does not repeat the path.
struct PathError {
  std::string path;  // absolute; a pattern as the user wrote it, absolute
  Status status;
  // How many of FoundFiles::files came before it: lists that interleave
  // files and errors (the C++ library's futures) keep argument order.
  size_t files_before = 0;
};

struct FoundFiles {
  // Absolute, lexically normal paths, in argument order; the files of one
  // directory or glob sorted bytewise. Each file once: a path seen again
  // is dropped, another path to the same file is skipped (kSameFile).
  std::vector<std::string> files;
  std::vector<PathError> errors;
  std::vector<SkippedEntry> skipped;  // each argument's sorted by path
};

// Turns path arguments (as typed to `logsweep run`) into the files to
// scan. Each argument, made absolute against base_directory, is:
// - an existing file: taken, whatever its name (a FIFO, socket or device
//   is an InvalidArgument error, never opened);
// - an existing directory: searched recursively (symlinks followed, each
//   directory once) for the files the default rule or --include take;
//   none found is a NotFound error naming it, with what was skipped;
// - otherwise braces are expanded (common/brace_expansion.h) and each word
//   is a glob if it has wildcards, else a literal as above: a missing one
//   is NotFound. A glob matches like the shell's (wildcards do not match a
//   leading '.', "**" matches any depth); its matching files are taken,
//   its matching directories searched; a glob that gives no file is
//   NotFound. Matches that are not regular files are skipped.
// A directory that cannot be read (the argument or one under it) is an
// error naming it (PermissionDenied...); the rest is still searched. Files
// are only stat()ed, never opened. Thread-safe.
// An argument whose brace expansion is too large, and an empty argument
// (not taken as the current directory), are InvalidArgument errors.
// Errors (the whole call): InvalidArgument for an empty include/exclude
// pattern; nothing is searched then.
StatusOr<FoundFiles> FindFiles(const std::vector<std::string>& args,
                               const FindOptions& options);

// The error FindFiles would return for `options` alone (InvalidArgument for
// an --include or --exclude pattern that does not parse), without
// searching: a client that leaves the search to a worker (--remote) checks
// its flags first.
[[nodiscard]] Status FindOptionsValid(const FindOptions& options);

}  // namespace logsweep::common
