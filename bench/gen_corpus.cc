// logsweep-gencorpus: writes a deterministic synthetic corpus of NCSA
// combined access logs plus the answer logsweep must give for it, so
// benchmarks and end-to-end tests can check results without a reference run.

#include <zlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/rng.h"

namespace logsweep::bench {
namespace {

constexpr int kExitIoError = 1;
constexpr int kExitUsage = 2;

// Rates in parts per million of lines. The target rate gives a few hundred
// matching hosts over a default 20 x 2000 line corpus.
constexpr uint32_t kMalformedPpm = 1000;
constexpr uint32_t kTargetPpm = 5000;
constexpr uint32_t kNearMissPpm = 3000;
constexpr uint32_t kDecoyPpm = 2000;  // Target in referrer or agent only.
constexpr uint32_t kOddGapPpm = 10000;

constexpr int kHostPoolSize = 4000;
constexpr size_t kChunkBytes = 1 << 20;    // Text handed to zlib per call.
constexpr int64_t kFirstDay = 1672531200;  // 2023-01-01T00:00:00Z.

// Vocabulary, '|'-separated and split once per file; repeats act as weights.
// In paths, '#' becomes a number and '@' a word.
constexpr std::string_view kPaths =
    "/|/|/|/index.html|/index.html|/favicon.ico|/images/@#.png|/images/@#.png|"
    "/images/@#.jpg|/css/site.css?v=#|/apache_pb.gif|/wp-login.php|"
    "/xmlrpc.php|/.env|/admin/|/api/v1/items?id=#|/api/v1/items?id=#|"
    "/api/v1/users/#/orders|/blog/2023/0#/@|/search?q=@&page=#|/sitemap.xml";
constexpr std::string_view kWords =
    "logo|banner|cat|photo|icon|hello-world|release-notes|faq";
constexpr std::string_view kReferrers =
    "-|-|-|-|http://www.example.com/start.html|https://www.google.com/|"
    "https://www.bing.com/search?q=log+analysis|https://news.ycombinator.com/|"
    "https://example.org/blog/2023/07/hi|http://localhost:8080/admin/";
constexpr std::string_view kAgents =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/120.0.0.0 Safari/537.36|"
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15|"
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0|"
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148|"
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)|"
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)|"
    "Mozilla/4.08 [en] (Win98; I ;Nav)|curl/8.4.0|python-requests/2.31.0|"
    "Wget/1.21.4";
constexpr std::string_view kProtocols = "HTTP/1.1|HTTP/1.1|HTTP/1.0|HTTP/2.0";
constexpr std::string_view kUsers = "alice|bob|frank";
constexpr std::string_view kOddSeparators = "\t|  | \t ";
constexpr std::string_view kStatuses =
    "200|200|200|200|200|200|200|200|200|200|200|304|304|404|404|301|302|403|"
    "500|206";

struct Options {
  std::string out;
  int files = 0;
  int64_t lines = 2000;
  uint64_t bytes = 0;  // Zero means "use lines".
  uint64_t seed = 1;
  int plain = 0;
  int level = 6;
  std::string path = "/robots.txt";
  int jobs = 1;
};

using logsweep::bench::Mix;
using logsweep::bench::Rng;

std::string_view Pick(Rng& rng, const std::vector<std::string_view>& items) {
  return items[rng.Below(items.size())];
}

// Matches Python's bytes.split() and awk's default FS for the bytes we emit.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Returns field `n` (0-based) of `line` split on runs of ASCII whitespace,
// or an empty view when the line has fewer fields (fields are never empty).
std::string_view Field(std::string_view line, int n) {
  size_t i = 0;
  for (int f = 0;; ++f) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size()) return {};
    const size_t start = i;
    while (i < line.size() && !IsSpace(line[i])) ++i;
    if (f == n) return line.substr(start, i - start);
  }
}

std::vector<std::string_view> SplitList(std::string_view list) {
  std::vector<std::string_view> items;
  for (size_t pos = 0; pos <= list.size();) {
    const size_t end = std::min(list.find('|', pos), list.size());
    items.push_back(list.substr(pos, end - pos));
    pos = end + 1;
  }
  return items;
}

template <typename... Parts>
void Cat(std::string* out, const Parts&... parts) {
  (out->append(parts), ...);
}

void AppendUint(uint64_t v, std::string* out) {
  char buf[20];
  out->append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// Client hosts shared by every file of a seed, with Zipf-like popularity
// (weight 1/rank) so a few hosts dominate, as on a real server. Immutable
// after construction, so threads may share it.
class HostPool {
 public:
  explicit HostPool(uint64_t seed) {
    Rng rng(Mix(seed ^ 0x686f737473ULL));
    uint32_t total = 0;
    for (int k = 0; k < kHostPoolSize; ++k) {
      const uint32_t kind = rng.Below(10), a = 1 + rng.Below(223);
      const uint32_t b = rng.Below(256), c = rng.Below(256);
      const uint32_t d = 1 + rng.Below(254);
      char buf[64];
      if (kind < 6) {
        std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a, b, c, d);
      } else if (kind == 6) {
        std::snprintf(buf, sizeof(buf), "2001:db8::%x", b * 256 + d);
      } else if (kind == 7) {
        std::snprintf(buf, sizeof(buf), "2a03:2880:f%03x:%x:face:b00c:0:%x", b,
                      c, d);
      } else if (kind == 8) {
        std::snprintf(buf, sizeof(buf), "crawl-66-249-%u-%u.googlebot.com", c,
                      d);
      } else {
        std::snprintf(buf, sizeof(buf), "%u-%u-%u-%u.dsl.example.net", a, b, c,
                      d);
      }
      hosts_.emplace_back(buf);
      // Integer weights keep the sampling identical on every platform.
      total += (1u << 20) / static_cast<uint32_t>(k + 1);
      cumulative_.push_back(total);
    }
  }

  const std::string& Popular(Rng& rng) const {
    const uint32_t r = rng.Below(cumulative_.back());
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);
    return hosts_[it - cumulative_.begin()];
  }
  const std::string& Any(Rng& rng) const {
    return hosts_[rng.Below(hosts_.size())];
  }

 private:
  std::vector<std::string> hosts_;
  std::vector<uint32_t> cumulative_;
};

// Formats the lines of one file. It owns its Rng, seeded from (seed, index),
// so any file can be generated alone and on any thread. Borrows the pool.
class LineGenerator {
 public:
  LineGenerator(const Options& opt, const HostPool& pool, int index)
      : path_(opt.path),
        pool_(pool),
        rng_(Mix(opt.seed * 0x9e3779b97f4a7c15ULL + Mix(index + 1))),
        now_(kFirstDay + int64_t{86400} * index) {
    std::string upper = path_;
    for (char& ch : upper) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    // Paths a sloppy matcher (prefix, substring, case-folding) would accept.
    for (std::string miss :
         {path_ + "?x=1", path_ + ".bak", upper, path_ + "/", "/" + path_}) {
      if (miss != path_) near_misses_.push_back(std::move(miss));
    }
    decoy_referrer_ = "http://www.example.com" + path_;
    decoy_agent_ = "Mozilla/5.0 (compatible; ExampleBot/1.0; " +
                   ("+https://bot.example.net" + path_) + ")";
  }

  // Appends one line, including its '\n'.
  void Append(std::string* out) {
    now_ += rng_.Below(3);
    const uint32_t roll = rng_.Below(1000000);
    if (roll >= kMalformedPpm) {
      AppendWellFormed(roll < kMalformedPpm + kTargetPpm,
                       roll < kMalformedPpm + kTargetPpm + kNearMissPpm, out);
    } else if (rng_.Below(2) == 0) {
      out->append("-\n");
    } else {
      // A line cut before its field 6, as left by a crash mid-write.
      scratch_.clear();
      AppendWellFormed(false, false, &scratch_);
      const size_t limit = Field(scratch_, 6).data() - scratch_.data();
      Cat(out, std::string_view(scratch_).substr(0, 1 + rng_.Below(limit - 1)),
          "\n");
    }
  }

 private:
  // Each Rng call below is its own statement or operand of ?: or &&, never
  // one of several function arguments: argument evaluation order varies by
  // compiler, and the corpus must not.
  void AppendWellFormed(bool target, bool near_miss, std::string* out) {
    const size_t start = out->size();
    // Crawlers fetch the target, so spread it over the whole pool.
    const std::string& host =
        target && rng_.Below(4) != 0 ? pool_.Any(rng_) : pool_.Popular(rng_);
    const std::string_view user = rng_.Chance(10000) ? Pick(rng_, users_) : "-";
    Cat(out, host, " - ", user, " [");
    AppendTime(out);
    const std::string_view path =
        target || near_miss ? std::string_view() : Pick(rng_, paths_);
    const bool posts =
        path.substr(0, 4) == "/api" || path.substr(0, 4) == "/wp-";
    const std::string_view method = posts && rng_.Below(2) == 0 ? "POST"
                                    : rng_.Below(20) == 0       ? "HEAD"
                                                                : "GET";
    Cat(out, " -0700] \"", method, " ");
    if (target) {
      out->append(path_);
    } else if (near_miss) {
      out->append(near_misses_[rng_.Below(near_misses_.size())]);
    }
    for (const char ch : path) {
      if (ch == '#') {
        AppendUint(1 + rng_.Below(9999), out);
      } else if (ch == '@') {
        out->append(Pick(rng_, words_));
      } else {
        out->push_back(ch);
      }
    }
    const std::string_view protocol = Pick(rng_, protocols_);
    const std::string_view status =
        target && rng_.Below(4) != 0 ? "200" : Pick(rng_, statuses_);
    Cat(out, " ", protocol, "\" ", status, " ");
    if (status == "304" || method == "HEAD" || rng_.Chance(20000)) {
      out->push_back('-');
    } else {
      AppendUint(target ? 60 + rng_.Below(400)
                        : rng_.Below(uint64_t{1} << (6 + rng_.Below(15))),
                 out);
    }
    const uint32_t decoy = rng_.Chance(kDecoyPpm) ? 1 + rng_.Below(2) : 0;
    const std::string_view referrer =
        decoy == 1 ? decoy_referrer_ : Pick(rng_, referrers_);
    const std::string_view agent =
        decoy == 2 ? decoy_agent_ : Pick(rng_, agents_);
    Cat(out, " \"", referrer, "\" \"", agent, "\"\n");
    // Rarely widen one gap (even a leading or trailing one) to a tab or a run
    // of blanks, which a whitespace-run split must absorb. The first ten
    // spaces of a line are exactly the gaps between fields 0 to 10.
    if (!rng_.Chance(kOddGapPpm)) return;
    const std::string_view sep = Pick(rng_, separators_);
    const uint32_t gap = rng_.Below(12);
    if (gap == 0 || gap == 11) {
      out->insert(gap == 0 ? start : out->size() - 1, sep);
      return;
    }
    size_t pos = start;
    for (uint32_t i = 0; i < gap; ++i) pos = out->find(' ', pos) + 1;
    out->replace(pos - 1, 1, sep);
  }

  // Appends "10/Oct/2000:13:55:36"; cached because many lines share a second.
  // %b is English: nothing calls setlocale, so the C locale applies.
  void AppendTime(std::string* out) {
    if (now_ != time_of_text_) {
      time_of_text_ = now_;
      const std::time_t t = static_cast<std::time_t>(now_);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      time_text_.assign(
          buf, std::strftime(buf, sizeof(buf), "%d/%b/%Y:%H:%M:%S", &tm));
    }
    out->append(time_text_);
  }

  const std::string path_;
  const HostPool& pool_;
  Rng rng_;
  int64_t now_;
  int64_t time_of_text_ = -1;
  std::string time_text_, scratch_, decoy_referrer_, decoy_agent_;
  std::vector<std::string> near_misses_;
  const std::vector<std::string_view> paths_ = SplitList(kPaths),
                                      words_ = SplitList(kWords),
                                      referrers_ = SplitList(kReferrers),
                                      agents_ = SplitList(kAgents),
                                      protocols_ = SplitList(kProtocols),
                                      users_ = SplitList(kUsers),
                                      separators_ = SplitList(kOddSeparators),
                                      statuses_ = SplitList(kStatuses);
};

// Writes one output file, gzip or plain. Owns the FILE and the zlib stream;
// used by one thread.
class Sink {
 public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink() {
    if (gzip_) deflateEnd(&zs_);
    if (file_ != nullptr) std::fclose(file_);
  }

  [[nodiscard]] bool Open(const std::string& path, bool gzip, int level,
                          std::string* error) {
    path_ = path;
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) return Fail(std::strerror(errno), error);
    if (!gzip) return true;
    // windowBits 31 = gzip wrapper. The explicit header pins mtime to 0 and
    // the OS byte to Unix, so the bytes do not depend on when or where we run.
    gzip_ = deflateInit2(&zs_, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) ==
            Z_OK;
    header_.os = 3;
    if (!gzip_ || deflateSetHeader(&zs_, &header_) != Z_OK) {
      return Fail("cannot start zlib deflate", error);
    }
    return true;
  }

  [[nodiscard]] bool Write(std::string_view data, std::string* error) {
    if (!gzip_) return WriteRaw(data.data(), data.size(), error);
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = static_cast<uInt>(data.size());
    return Deflate(Z_NO_FLUSH, error);
  }

  [[nodiscard]] bool Close(std::string* error) {
    if (gzip_ && !Deflate(Z_FINISH, error)) return false;
    const int rc = std::fclose(file_);
    file_ = nullptr;
    return rc == 0 || Fail(std::strerror(errno), error);
  }

  uint64_t bytes_written() const { return bytes_written_; }

 private:
  bool Fail(const char* what, std::string* error) {
    *error = path_ + ": " + what;
    return false;
  }

  bool Deflate(int flush, std::string* error) {
    unsigned char out[1 << 16];
    do {
      zs_.next_out = out;
      zs_.avail_out = sizeof(out);
      if (deflate(&zs_, flush) == Z_STREAM_ERROR) {
        return Fail("zlib deflate failed", error);
      }
      if (!WriteRaw(out, sizeof(out) - zs_.avail_out, error)) return false;
    } while (zs_.avail_out == 0);
    return true;
  }

  bool WriteRaw(const void* data, size_t size, std::string* error) {
    if (std::fwrite(data, 1, size, file_) != size) {
      return Fail(std::strerror(errno), error);
    }
    bytes_written_ += size;
    return true;
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  bool gzip_ = false;  // True once zs_ needs deflateEnd.
  z_stream zs_{};
  gz_header header_{};  // zlib reads it during the first deflate call.
  uint64_t bytes_written_ = 0;
};

struct FileResult {
  uint64_t lines = 0, raw_bytes = 0, disk_bytes = 0;
  std::vector<std::string> hosts;  // Sorted, unique.
  std::string error;               // Empty on success.
};

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

FileResult GenerateFile(const Options& opt, const HostPool& pool, int index) {
  FileResult result;
  const bool gzip = index < opt.files - opt.plain;
  char name[32];
  std::snprintf(name, sizeof(name), "access-%05d.log%s", index,
                gzip ? ".gz" : "");
  Sink sink;
  if (!sink.Open((std::filesystem::path(opt.out) / name).string(), gzip,
                 opt.level, &result.error)) {
    return result;
  }
  LineGenerator generator(opt, pool, index);
  std::string buf;
  buf.reserve(kChunkBytes + 4096);
  while (opt.bytes > 0 ? result.raw_bytes < opt.bytes
                       : result.lines < static_cast<uint64_t>(opt.lines)) {
    const size_t start = buf.size();
    generator.Append(&buf);
    // The answer comes from the text just written, never from what the
    // generator meant to write, so the two cannot drift apart.
    const std::string_view line(buf.data() + start, buf.size() - start - 1);
    if (Field(line, 6) == opt.path) result.hosts.emplace_back(Field(line, 0));
    result.raw_bytes += buf.size() - start;
    ++result.lines;
    if (buf.size() >= kChunkBytes) {
      if (!sink.Write(buf, &result.error)) return result;
      buf.clear();
    }
  }
  if (sink.Write(buf, &result.error) && sink.Close(&result.error)) {
    result.disk_bytes = sink.bytes_written();
    SortUnique(&result.hosts);
  }
  return result;
}

int Run(int argc, char** argv) {
  Options opt;
  CLI::App app{
      "Writes a deterministic synthetic access log corpus, plus expected.txt: "
      "the sorted unique hosts (field 0) of lines whose field 6 is --path.",
      "logsweep-gencorpus"};
  app.add_option("--out", opt.out, "Output directory, created if missing")
      ->required();
  app.add_option("--files", opt.files, "Number of log files")
      ->required()
      ->check(CLI::Range(1, 99999));
  CLI::Option* lines = app.add_option("--lines", opt.lines, "Lines per file")
                           ->capture_default_str()
                           ->check(CLI::NonNegativeNumber);
  app.add_option("--bytes", opt.bytes,
                 "Instead of --lines: approximate uncompressed bytes per file")
      ->check(CLI::PositiveNumber)
      ->excludes(lines);
  app.add_option("--seed", opt.seed, "PRNG seed")->capture_default_str();
  app.add_option("--plain", opt.plain,
                 "Write the last N files as plain .log, not .log.gz")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--level", opt.level, "gzip level")
      ->capture_default_str()
      ->check(CLI::Range(0, 9));
  app.add_option("--path", opt.path, "Request path whose hosts are expected")
      ->capture_default_str();
  app.add_option("--jobs", opt.jobs, "Files generated in parallel")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  // A path with whitespace could never be a whole field.
  const char* bad_usage =
      opt.plain > opt.files ? "--plain exceeds --files"
      : opt.path.empty() ||
              std::any_of(opt.path.begin(), opt.path.end(), IsSpace)
          ? "--path must be one non-empty field"
          : nullptr;
  if (bad_usage != nullptr) {
    std::fprintf(stderr, "logsweep-gencorpus: %s\n", bad_usage);
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(opt.out, ec);
  if (ec) {
    std::fprintf(stderr, "logsweep-gencorpus: %s: %s\n", opt.out.c_str(),
                 ec.message().c_str());
    return kExitIoError;
  }

  const HostPool pool(opt.seed);
  std::vector<FileResult> results(opt.files);
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (int i; !failed && (i = next++) < opt.files;) {
      results[i] = GenerateFile(opt, pool, i);
      if (!results[i].error.empty()) failed = true;
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < std::min(opt.jobs, opt.files); ++j) {
    threads.emplace_back(work);
  }
  work();
  for (std::thread& t : threads) t.join();

  FileResult total;
  for (const FileResult& r : results) {
    total.error = r.error;
    if (!total.error.empty()) break;
    total.lines += r.lines;
    total.raw_bytes += r.raw_bytes;
    total.disk_bytes += r.disk_bytes;
    total.hosts.insert(total.hosts.end(), r.hosts.begin(), r.hosts.end());
  }
  SortUnique(&total.hosts);
  std::string text;
  for (const std::string& host : total.hosts) Cat(&text, host, "\n");
  Sink sink;
  if (!total.error.empty() ||
      !sink.Open((std::filesystem::path(opt.out) / "expected.txt").string(),
                 false, 0, &total.error) ||
      !sink.Write(text, &total.error) || !sink.Close(&total.error)) {
    std::fprintf(stderr, "logsweep-gencorpus: %s\n", total.error.c_str());
    return kExitIoError;
  }
  std::fprintf(stderr,
               "logsweep-gencorpus: %d files, %" PRIu64 " lines, %" PRIu64
               " bytes uncompressed, %" PRIu64
               " bytes on disk, %zu hosts"
               " requested %s\n",
               opt.files, total.lines, total.raw_bytes, total.disk_bytes,
               total.hosts.size(), opt.path.c_str());
  return 0;
}

}  // namespace
}  // namespace logsweep::bench

int main(int argc, char** argv) {
  // Last resort for third-party exceptions (std::thread, std::bad_alloc).
  try {
    return logsweep::bench::Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logsweep-gencorpus: %s\n", e.what());
    return 1;
  }
}
