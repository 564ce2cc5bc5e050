#include "coordinator/http/status_http_server.h"

#include <httplib.h>

#include <cstdlib>
#include <exception>

#include "coordinator/http/metrics_text.h"
#include "coordinator/http/status_json.h"
#include "coordinator/http/status_page.h"

namespace logsweep::coordinator::http {
namespace {

// Limits that keep hostile clients cheap: requests carry no body worth
// reading, and a connection that says nothing is closed soon.
constexpr size_t kMaxPayload = 1024;
constexpr int kPoolThreads = 4;
constexpr std::chrono::seconds kReadTimeout{5};
constexpr std::chrono::seconds kWriteTimeout{5};
constexpr std::chrono::seconds kKeepAlive{5};

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A non-negative integer query parameter, or `fallback`.
size_t Param(const httplib::Request& req, const char* name, size_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.size() > 9 ||
      v.find_first_not_of("0123456789") != std::string::npos) {
    return fallback;
  }
  return static_cast<size_t>(std::strtoul(v.c_str(), nullptr, 10));
}

void SetCommonHeaders(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  // Everything the page needs comes from here: no CDN, no inline script.
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self'; frame-ancestors 'none'");
}

}  // namespace

StatusHttpServer::StatusHttpServer(const StatusBoard& board, bool loopback)
    : board_(board), loopback_(loopback) {}

common::StatusOr<std::unique_ptr<StatusHttpServer>> StatusHttpServer::Start(
    const std::string& address, const StatusBoard& board) {
  std::string host = "127.0.0.1";
  std::string port_text = address;
  if (auto colon = address.rfind(':'); colon != std::string::npos) {
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
  }
  if (host.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::atoi(port_text.c_str()) > 65535) {
    return common::InvalidArgumentError(
        "--http wants HOST:PORT or PORT (e.g. 127.0.0.1:9556), not '" +
        address + "'");
  }
  const int port = std::atoi(port_text.c_str());
  std::unique_ptr<StatusHttpServer> self(
      new StatusHttpServer(board, IsLoopback(host)));
  try {
    self->server_ = std::make_unique<httplib::Server>();
    httplib::Server& s = *self->server_;
    s.new_task_queue = [] { return new httplib::ThreadPool(kPoolThreads); };
    s.set_payload_max_length(kMaxPayload);
    s.set_read_timeout(kReadTimeout);
    s.set_write_timeout(kWriteTimeout);
    s.set_keep_alive_timeout(kKeepAlive.count());
    s.set_keep_alive_max_count(100);
    self->Route();
    int bound = port;
    if (port == 0) {
      bound = s.bind_to_any_port(host);
      if (bound < 0) bound = 0;
    } else if (!s.bind_to_port(host, port)) {
      bound = 0;
    }
    if (bound == 0) {
      return common::UnavailableError("--http: cannot listen on " + address +
                                      " (address in use or not local)");
    }
    self->address_ =
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
        std::to_string(bound);
    self->thread_ = std::thread(
        [server = self->server_.get()] { server->listen_after_bind(); });
  } catch (const std::exception& e) {
    return common::UnavailableError(std::string("--http: ") + e.what());
  }
  return self;
}

StatusHttpServer::~StatusHttpServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void StatusHttpServer::Route() {
  httplib::Server& s = *server_;
  for (const PageAsset& asset : PageAssets()) {
    // Get() takes a regular expression: match the path literally.
    std::string pattern;
    for (char c : std::string(asset.path)) {
      if (c == '.') pattern += '\\';
      pattern += c;
    }
    s.Get(pattern, [&asset](const httplib::Request&, httplib::Response& res) {
      SetCommonHeaders(res);
      res.set_content(asset.body.data(), asset.body.size(), asset.content_type);
    });
  }
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    SetCommonHeaders(res);
    auto snapshot = board_.Latest();
    if (!snapshot) {
      res.status = 503;
      res.set_content("starting\n", "text/plain");
      return;
    }
    res.set_content(RenderMetrics(*snapshot),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/api/status", [this](const httplib::Request& req,
                              httplib::Response& res) {
    SetCommonHeaders(res);
    auto snapshot = board_.Latest();
    if (!snapshot) {
      res.status = 503;
      res.set_content("{\"error\":\"starting\"}", "application/json");
      return;
    }
    StatusJsonOptions options;
    options.full_job_ids = loopback_;
    options.workers_offset = Param(req, "offset", 0);
    options.workers_limit = Param(req, "limit", 50);
    if (req.has_param("sort")) {
      std::string sort = req.get_param_value("sort");
      if (sort == "busy" || sort == "quarantined") options.workers_sort = sort;
    }
    res.set_content(RenderStatusJson(*snapshot, options), "application/json");
  });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    SetCommonHeaders(res);
    res.set_content(std::to_string(res.status) + "\n", "text/plain");
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content("internal error\n", "text/plain");
      });
}

}  // namespace logsweep::coordinator::http
