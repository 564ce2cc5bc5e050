#include "common/scan/gzip_stream.h"

#include <cstdio>

#include "common/scan/gzip_stream_internal.h"

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

StatusOr<InflateBackend> ParseInflateBackend(const std::string& name) {
  if (name.empty()) return DefaultInflateBackend();
  if (name == "zlib") return InflateBackend::kZlib;
  if (name == "isal") {
    if (!IsalAvailable()) {
      return InvalidArgumentError("--inflate isal: built without ISA-L");
    }
    return InflateBackend::kIsal;
  }
  return InvalidArgumentError("--inflate " + name + ": use zlib or isal");
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
                                           InflateScratch& scratch,
                                           size_t prefilled) {
  if (backend == InflateBackend::kIsal && scratch.isal() != nullptr) {
    return MakeIsalGzipStream(std::move(source), scratch.input(), prefilled,
                              *scratch.isal());
  }
  return MakeZlibGzipStream(std::move(source), scratch.input(), prefilled);
}

StatusOr<GzipNext> NextGzipMember(InputWindow& in, uint64_t members,
                                  std::vector<std::string>& warnings,
                                  uint64_t& member_end) {
  if (members > 0) member_end = in.offset();
  // Magic, method and flags: what both backends must judge alike.
  if (Status s = in.Ensure(4); !s.ok()) return s;
  if (in.size() == 0) {
    if (members == 0) return DataLossError(EmptyGzipMessage());
    return GzipNext::kEnd;
  }
  const unsigned char* p = in.data();
  if (p[0] == kGzipMagic0 && (in.size() == 1 || p[1] == kGzipMagic1)) {
    // As GNU gzip: a member that has begun must be whole.
    if (in.size() < 4) {
      return DataLossError(TruncatedMessage(members, in.bytes_read()));
    }
    if (p[2] != 8) {
      return DataLossError(
          CorruptMessage(members, in.offset(),
                         "unknown compression method " + std::to_string(p[2])));
    }
    if ((p[3] & 0xe0) != 0) {
      // RFC 1952 2.3.1.2: a decoder must reject reserved flag bits.
      char flags[8];
      std::snprintf(flags, sizeof flags, "0x%02x", p[3]);
      return DataLossError(CorruptMessage(
          members, in.offset(),
          std::string("reserved header flag bits set (FLG ") + flags + ")"));
    }
    return GzipNext::kMember;
  }
  if (members == 0) {
    return DataLossError("not gzip: no gzip header at offset 0");
  }
  // Zero bytes up to the end of the file are padding (tape or block-device
  // copies); GNU gzip ignores them silently.
  const uint64_t start = in.offset();
  for (;;) {
    const unsigned char* q = in.data();
    const size_t n = in.size();
    size_t zeros = 0;
    while (zeros < n && q[zeros] == 0) ++zeros;
    in.Consume(zeros);
    if (zeros < n) break;
    if (Status s = in.Fill(); !s.ok()) return s;
    if (in.size() == 0) return GzipNext::kEnd;
  }
  // Anything else: GNU gzip keeps what it inflated and warns.
  warnings.push_back("trailing garbage after gzip member " +
                     std::to_string(members) + " at offset " +
                     std::to_string(start) + " ignored");
  return GzipNext::kEnd;
}

}  // namespace logsweep::common
