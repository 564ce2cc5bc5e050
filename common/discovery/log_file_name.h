#pragma once

#include <string_view>

namespace logsweep::common {

// The default name rule of a directory walk (docs/cli.md, "Which files"):
// whether `name` (a file name, no directory part) is one web servers and
// logrotate write. Compared case-insensitively, the name is
//
//   STEM ROTATION* [.txt] [COMPRESSION]
//
// STEM     anything ending in ".log" or "_log" (access.log, access_log,
//          ssl_error_log, u_ex261031.log)
// ROTATION '.', '-' or '_' then digits: logrotate's ".1" and "-20261031",
//          dated forms such as ".2026-10-31" (a group per number) and
//          Apache rotatelogs' ".1730332800"
// .txt     Tomcat's localhost_access_log.2026-10-31.txt
// COMPRESSION one of .gz .bz2 .bz .xz .zst .zstd .lz4 .lzma .lz .z .lzo:
//          the readable ones and those whose content logsweep recognises
//          and reports as an unsupported format, so a rotated log is never
//          skipped for how it was compressed. (Not .br: brotli has no magic
//          bytes, its content would pass for text.)
//
// So access.log.3-20261101.gz and ACCESS.LOG.GZ are logs; access.log.old,
// access.log.gz.1, notes.txt and README are not. Pure; thread-safe.
bool IsLogFileName(std::string_view name);

}  // namespace logsweep::common
