#include "common/log_file.h"

#include "common/file_source.h"
#include "common/gzip_stream_internal.h"

namespace logsweep::common {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

StatusOr<std::unique_ptr<ByteStream>> OpenLogFile(const std::string& path,
                                                  InflateBackend backend,
                                                  InflateScratch& scratch) {
  StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path);
  if (!file.ok()) return file.status();
  bool gzip = EndsWith(path, ".gz");
  if (!gzip) {
    StatusOr<std::string> magic = (*file)->Peek(2);
    if (!magic.ok()) return magic.status();
    gzip = magic->size() == 2 &&
           static_cast<unsigned char>((*magic)[0]) == kGzipMagic0 &&
           static_cast<unsigned char>((*magic)[1]) == kGzipMagic1;
  }
  std::unique_ptr<ByteStream> raw = std::move(*file);
  if (!gzip) return raw;
  return MakeGzipStream(std::move(raw), backend, scratch);
}

}  // namespace logsweep::common
