#pragma once

#include <memory>
#include <string>

#include "common/scan/byte_stream.h"
#include "common/scan/file_format.h"
#include "common/scan/file_source.h"
#include "common/scan/gzip_stream.h"

namespace logsweep::common {

// Opens a log file as a stream of text. The format is decided by the
// content (DetectFormat, docs/formats.md): gzip, zstd, xz and bzip2 are
// decoded, anything without a known magic is read as plain text.
// Errors: those of FileSource::Open (NotFound, PermissionDenied,
// InvalidArgument for a directory or special file), read errors, and those
// of CheckFormat: InvalidArgument "unsupported format: zip" (zip, 7z, tar,
// lz4, ... are never scanned as text), DataLoss when the name promises a
// format the content is not ("not gzip: ...", "empty file: ..."). The
// decoders' own errors come from Read. `scratch` is lent to the stream and
// must outlive it. When `format` is not null it receives the format of the
// file's content.
StatusOr<std::unique_ptr<ByteStream>> OpenLogFile(const std::string& path,
                                                  InflateBackend backend,
                                                  InflateScratch& scratch,
                                                  FileFormat* format = nullptr);

// The same for a file already open as `file` (read from its current
// offset); `path` only names it (and may promise a format by its name).
StatusOr<std::unique_ptr<ByteStream>> OpenLogFile(
    const std::string& path, std::unique_ptr<FileSource> file,
    InflateBackend backend, InflateScratch& scratch,
    FileFormat* format = nullptr);

}  // namespace logsweep::common
