#include "client/path_expander.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <unordered_set>

namespace logsweep::client {
namespace {

namespace fs = std::filesystem;

bool IsLogName(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".gz" || ext == ".log";
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

// False if the directory could not be listed.
bool ListDirectory(const std::string& dir, std::vector<std::string>& out) {
  std::error_code ec;
  // skip_permission_denied would turn an unreadable top directory into an
  // empty one; probe it first so it is reported instead.
  fs::directory_iterator probe(dir, ec);
  if (ec) return false;
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return false;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && IsLogName(it->path())) {
      found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  for (auto& f : found) out.push_back(Absolute(f));
  return true;
}

bool HasGlobChars(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

}  // namespace

std::vector<std::string> ExpandPaths(const std::vector<std::string>& args) {
  std::vector<std::string> expanded;
  for (const std::string& arg : args) {
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (!ec && fs::is_directory(st)) {
      if (!ListDirectory(arg, expanded)) expanded.push_back(Absolute(arg));
      continue;
    }
    if (ec && HasGlobChars(arg)) {
      glob_t g{};
      if (::glob(arg.c_str(), 0, nullptr, &g) == 0) {
        std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + g.gl_pathc);
        ::globfree(&g);
        std::sort(matches.begin(), matches.end());
        for (const auto& m : matches) {
          if (fs::is_directory(m, ec)) {
            if (!ListDirectory(m, expanded)) expanded.push_back(Absolute(m));
          } else {
            expanded.push_back(Absolute(m));
          }
        }
        continue;
      }
      ::globfree(&g);
    }
    expanded.push_back(Absolute(arg));
  }
  std::unordered_set<std::string> seen;
  std::vector<std::string> unique;
  unique.reserve(expanded.size());
  for (auto& p : expanded) {
    if (seen.insert(p).second) unique.push_back(std::move(p));
  }
  return unique;
}

}  // namespace logsweep::client
