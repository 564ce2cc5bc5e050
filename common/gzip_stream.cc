#include "common/gzip_stream.h"

#include "common/gzip_stream_internal.h"

namespace logsweep::common {

bool IsalAvailable() {
#ifdef LOGSWEEP_HAVE_ISAL
  return true;
#else
  return false;
#endif
}

InflateBackend DefaultInflateBackend() {
  return IsalAvailable() ? InflateBackend::kIsal : InflateBackend::kZlib;
}

const char* InflateBackendName(InflateBackend backend) {
  return backend == InflateBackend::kIsal ? "isa-l" : "zlib";
}

std::unique_ptr<ByteStream> MakeGzipStream(std::unique_ptr<ByteStream> source,
                                           InflateBackend backend) {
#ifdef LOGSWEEP_HAVE_ISAL
  if (backend == InflateBackend::kIsal) {
    return MakeIsalGzipStream(std::move(source));
  }
#endif
  return MakeZlibGzipStream(std::move(source));
}

}  // namespace logsweep::common
