#include "client/cli/discovery_report.h"

#include <nlohmann/json.hpp>

#include "client/cli/json_bytes.h"
#include "common/discovery/file_finder.h"
#include "common/scan/file_format.h"
#include "common/scan/file_source.h"

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

std::vector<ListedFile> ListFiles(const common::FoundFiles& found) {
  std::vector<ListedFile> out;
  out.reserve(found.files.size());
  for (const std::string& path : found.files) {
    ListedFile listed{path, "?", common::OkStatus()};
    auto file = common::FileSource::Open(path);
    auto prefix = file.ok() ? (*file)->Peek(common::kFormatPrefixBytes)
                            : common::StatusOr<std::string>(file.status());
    if (prefix.ok()) {
      listed.format = common::FileFormatName(common::DetectFormat(*prefix));
      listed.verdict = common::CheckFormat(path, *prefix);
    } else {
      listed.verdict = prefix.status();
    }
    out.push_back(std::move(listed));
  }
  return out;
}

std::string FileListText(const std::vector<ListedFile>& files) {
  std::string out;
  for (const ListedFile& f : files) {
    out += f.format;
    out += '\t';
    out += f.path;
    out += '\n';
  }
  return out;
}

std::vector<std::string> VerdictLines(const std::vector<ListedFile>& files) {
  std::vector<std::string> lines;
  for (const ListedFile& f : files) {
    if (f.verdict.ok()) continue;
    lines.push_back("logsweep: error: " + f.path + ": " + f.verdict.ToString());
  }
  return lines;
}

std::string DiscoverySummarySuffix(const common::FoundFiles& found) {
  return Suffix(found, false);
}

std::string FileListSummary(const common::FoundFiles& found,
                            const std::vector<ListedFile>& files) {
  size_t failing = 0;
  for (const ListedFile& f : files) failing += f.verdict.ok() ? 0 : 1;
  return "logsweep: " +
         Plural(found.files.size(), "file to scan", "files to scan") +
         (failing == 0
              ? ""
              : " (" + std::to_string(failing) + " would fail, named above)") +
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

std::string FileListJson(const common::FoundFiles& found,
                         const std::vector<ListedFile>& listed) {
  json files = json::array();
  for (const ListedFile& f : listed) {
    json file{{"path", BytesJson(f.path)}, {"format", f.format}};
    if (!f.verdict.ok()) {
      file["code"] = common::StatusCodeName(f.verdict.code());
      file["error"] = f.verdict.message();
    }
    files.push_back(std::move(file));
  }
  json doc{{"files", std::move(files)}};
  AddDiscoveryJson(found, found.skipped.size(), doc);
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace logsweep::client
