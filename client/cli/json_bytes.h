#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace logsweep::client {

// Hosts and paths are bytes, not text: this is how `--json` writes them
// without losing any (docs/cli.md, "Bytes that are not UTF-8").

// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// `bytes` with each byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD: for display only, two inputs can give one output.
std::string DisplayUtf8(std::string_view bytes);

// Valid UTF-8: the JSON string itself. Otherwise an object
// {"text": DisplayUtf8(bytes), "bytes_hex": lowercase hex of every byte},
// so distinct byte strings always give distinct JSON values.
nlohmann::json BytesJson(std::string_view bytes);

}  // namespace logsweep::client
