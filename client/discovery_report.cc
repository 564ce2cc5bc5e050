#include "client/discovery_report.h"

#include <nlohmann/json.hpp>

#include "client/json_bytes.h"
#include "common/file_finder.h"

namespace logsweep::client {
namespace {

using nlohmann::json;

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// `listed`: the skipped entries were just printed (--list-files).
std::string Suffix(const common::FoundFiles& found, bool listed) {
  std::string out;
  if (!found.skipped.empty()) {
    out += "; " + std::to_string(found.skipped.size()) +
           " skipped under directories" +
           (listed ? "" : " (--list-files names them)");
  }
  if (!found.errors.empty()) {
    out += "; " + Plural(found.errors.size(), "path error", "path errors") +
           " (named above)";
  }
  return out;
}

}  // namespace

std::vector<std::string> PathErrorLines(const common::FoundFiles& found) {
  std::vector<std::string> lines;
  for (const auto& e : found.errors) {
    lines.push_back("logsweep: error: " + e.path + ": " + e.status.ToString());
  }
  return lines;
}

std::vector<std::string> SkippedLines(const common::FoundFiles& found) {
  std::vector<std::string> lines;
  for (const auto& s : found.skipped) {
    lines.push_back("logsweep: skipped: " + s.path + ": " +
                    common::DescribeSkip(s));
  }
  return lines;
}

std::string FileListText(const common::FoundFiles& found) {
  std::string out;
  for (const std::string& f : found.files) {
    out += f;
    out += '\n';
  }
  return out;
}

std::string DiscoverySummarySuffix(const common::FoundFiles& found) {
  return Suffix(found, false);
}

std::string FileListSummary(const common::FoundFiles& found) {
  return "logsweep: " +
         Plural(found.files.size(), "file to scan", "files to scan") +
         Suffix(found, true);
}

void AddDiscoveryJson(const common::FoundFiles& found, size_t skipped_limit,
                      json& doc) {
  json errors = json::array();
  for (const auto& e : found.errors) {
    errors.push_back(json{{"path", BytesJson(e.path)},
                          {"code", common::StatusCodeName(e.status.code())},
                          {"error", e.status.message()}});
  }
  json listed = json::array();
  for (size_t i = 0; i < found.skipped.size() && i < skipped_limit; ++i) {
    const auto& s = found.skipped[i];
    json entry{{"path", BytesJson(s.path)},
               {"reason", std::string(common::SkipReasonName(s.reason))},
               {"detail", BytesJson(s.detail)}};
    if (s.directory) entry["directory"] = true;
    listed.push_back(std::move(entry));
  }
  doc["path_errors"] = std::move(errors);
  doc["skipped"] =
      json{{"total", found.skipped.size()}, {"paths", std::move(listed)}};
}

std::string FileListJson(const common::FoundFiles& found) {
  json files = json::array();
  for (const std::string& f : found.files) {
    files.push_back(json{{"path", BytesJson(f)}});
  }
  json doc{{"files", std::move(files)}};
  AddDiscoveryJson(found, found.skipped.size(), doc);
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace logsweep::client
