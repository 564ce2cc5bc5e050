#pragma once

#include <memory>
#include <string>

#include "common/byte_stream.h"
#include "common/gzip_stream.h"

namespace logsweep::common {

// Opens a log file as a stream of text. A name ending in ".gz" must hold
// gzip data; any other file is sniffed: the gzip magic means gzip, anything
// else is read as plain text.
// Errors: those of FileSource::Open (NotFound, PermissionDenied,
// InvalidArgument for a directory or special file).
// `scratch` is lent to a gzip stream and must outlive it.
StatusOr<std::unique_ptr<ByteStream>> OpenLogFile(const std::string& path,
                                                  InflateBackend backend,
                                                  InflateScratch& scratch);

}  // namespace logsweep::common
