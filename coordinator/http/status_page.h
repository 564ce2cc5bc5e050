#pragma once

#include <string_view>
#include <vector>

namespace logsweep::coordinator::http {

// One file of the status page, compiled in: the page needs nothing from
// disk or from any other host.
struct PageAsset {
  const char* path;  // "/", "/app.js", ...
  const char* content_type;
  std::string_view body;
};

// Every asset of the page. Thread-safe (constant data).
const std::vector<PageAsset>& PageAssets();

}  // namespace logsweep::coordinator::http
