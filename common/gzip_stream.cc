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

InflateScratch::InflateScratch() : input_(kInputBufferBytes) {
#ifdef LOGSWEEP_HAVE_ISAL
  isal_.reset(NewIsalState());
#endif
}

InflateScratch::~InflateScratch() = default;

void InflateScratch::IsalDeleter::operator()(IsalState* s) const {
#ifdef LOGSWEEP_HAVE_ISAL
  DeleteIsalState(s);
#else
  (void)s;
#endif
}

std::unique_ptr<ByteStream> MakeGzipStream(std::unique_ptr<ByteStream> source,
                                           InflateBackend backend,
                                           InflateScratch& scratch) {
  if (backend == InflateBackend::kIsal && scratch.isal() != nullptr) {
    return MakeIsalGzipStream(std::move(source), scratch.input(),
                              *scratch.isal());
  }
  return MakeZlibGzipStream(std::move(source), scratch.input());
}

}  // namespace logsweep::common
