#pragma once

#include <cstdint>

namespace logsweep::common {

// Counters of one scan, or the sum of many. Value type.
struct ScanStats {
  uint64_t lines = 0;
  uint64_t matches = 0;
  uint64_t malformed = 0;      // over-long lines, and lines that hold the
                               // match value but have too few fields
  uint64_t bytes_read = 0;     // bytes read from the file (compressed)
  uint64_t bytes_scanned = 0;  // bytes of text scanned (uncompressed)

  void Add(const ScanStats& other) {
    lines += other.lines;
    matches += other.matches;
    malformed += other.malformed;
    bytes_read += other.bytes_read;
    bytes_scanned += other.bytes_scanned;
  }
  bool operator==(const ScanStats& o) const {
    return lines == o.lines && matches == o.matches &&
           malformed == o.malformed && bytes_read == o.bytes_read &&
           bytes_scanned == o.bytes_scanned;
  }
};

}  // namespace logsweep::common
