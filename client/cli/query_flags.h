#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/query.h"
#include "common/base/status.h"

namespace logsweep::client {

// The query flags of `run` and `submit`, as typed (docs/cli.md, "The
// query"). Fields count from 1, as awk's $N; 0 means not given.
struct QueryFlags {
  std::vector<std::string> paths;
  std::string path_prefix;
  std::string path_regex;
  std::vector<std::string> statuses;  // 404, 4xx, 400-499; comma lists
  std::vector<std::string> methods;   // GET; comma lists
  std::string since;
  std::string until;
  uint32_t key = 0;
  uint32_t field = 0;
  bool count = false;  // --count (or --top, which implies it)
};

// The query the flags ask, with `now` (Unix seconds) for relative times.
// With no predicate at all it is the headline query (--path /robots.txt).
// `--field N` moves the path to field N and the method, time and status
// with it (a vhost prefix shifts them all). InvalidArgument naming the flag
// and its value: an unreadable status or time, a field out of range, and
// everything common::ValidateQuery refuses (an invalid or too large
// pattern, an empty time window).
common::StatusOr<common::Query> BuildQuery(const QueryFlags& flags,
                                           int64_t now);

// One --status value: `404`, `4xx`, `400-499`; InvalidArgument otherwise.
common::StatusOr<common::StatusRange> ParseStatusRange(const std::string& text);

}  // namespace logsweep::client
