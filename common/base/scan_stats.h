#pragma once

#include <cstdint>

namespace logsweep::common {

// Counters of one scan, or the sum of many. Value type.
//
// A line is the bytes up to a '\n' (or the end of the file), of any
// length. `malformed` has one definition, used by every path (the buffer
// scan, the per-line scan and a line too long for the buffer alike) and
// quoted in docs/architecture.md, docs/cli.md (--json) and DESIGN.md:
//   a line is malformed when it has too few fields for the query (fewer
//   than max(key_field, match_field) + 1) and holds the match value
//   somewhere (with an empty value: every such line).
// A short line without the value could never match and is not counted;
// length alone never makes a line malformed. For a query other than the
// headline one, "the match value" is the query's required literal
// (QueryPredicates::RequiredLiteral; none: every short line), or with
// several exact values any of them (QueryPredicates::RequiredLiterals),
// and max(...) covers every field the query reads.
//
// unreadable_*: lines with enough fields on which every path predicate
// held but whose method, status or time the query needed and could not
// read (docs/cli.md, "Lines a predicate cannot read"). They never match.
struct ScanStats {
  uint64_t lines = 0;
  uint64_t matches = 0;
  uint64_t malformed = 0;          // see above
  uint64_t bytes_read = 0;         // bytes read from the file (compressed)
  uint64_t bytes_scanned = 0;      // bytes of text scanned (uncompressed)
  uint64_t unreadable_method = 0;  // see above
  uint64_t unreadable_status = 0;
  uint64_t unreadable_time = 0;
  // Result cache (docs/cache.md): files answered from the cache without
  // being read, and the bytes of those files (compressed) not read.
  uint64_t files_cached = 0;
  uint64_t bytes_saved = 0;
  // Files of which only the new end was read (a grown log); the bytes not
  // read are in bytes_saved.
  uint64_t files_incremental = 0;
  // --count: matching lines whose time could not be read. They count, and
  // their time is not used for first/last seen.
  uint64_t untimed_matches = 0;

  void Add(const ScanStats& other) {
    lines += other.lines;
    matches += other.matches;
    malformed += other.malformed;
    bytes_read += other.bytes_read;
    bytes_scanned += other.bytes_scanned;
    unreadable_method += other.unreadable_method;
    unreadable_status += other.unreadable_status;
    unreadable_time += other.unreadable_time;
    files_cached += other.files_cached;
    bytes_saved += other.bytes_saved;
    files_incremental += other.files_incremental;
    untimed_matches += other.untimed_matches;
  }
  bool operator==(const ScanStats& o) const {
    return lines == o.lines && matches == o.matches &&
           malformed == o.malformed && bytes_read == o.bytes_read &&
           bytes_scanned == o.bytes_scanned &&
           unreadable_method == o.unreadable_method &&
           unreadable_status == o.unreadable_status &&
           unreadable_time == o.unreadable_time &&
           files_cached == o.files_cached && bytes_saved == o.bytes_saved &&
           files_incremental == o.files_incremental &&
           untimed_matches == o.untimed_matches;
  }
};

}  // namespace logsweep::common
