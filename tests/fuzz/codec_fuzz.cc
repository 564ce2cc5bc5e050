// libFuzzer target: every decoder must turn any bytes into a value or an
// error, never a crash or a leak; what decodes must re-encode and decode to
// the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/transport/codec.h"

namespace {

template <class Decode>
void RoundTrip(std::string_view bytes, Decode decode) {
  auto first = decode(bytes);
  if (!first.ok()) return;
  std::string again = logsweep::common::Encode(*first);
  auto second = decode(again);
  if (!second.ok()) std::abort();  // our own encoding must decode
  if (logsweep::common::Encode(*second) != again) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  namespace c = logsweep::common;
  RoundTrip(bytes,
            [](std::string_view b) { return c::DecodeWorkerToCoordinator(b); });
  RoundTrip(bytes,
            [](std::string_view b) { return c::DecodeCoordinatorToWorker(b); });
  RoundTrip(bytes,
            [](std::string_view b) { return c::DecodeClientToCoordinator(b); });
  RoundTrip(bytes,
            [](std::string_view b) { return c::DecodeCoordinatorToClient(b); });
  return 0;
}
