#include "common/transport/codec.h"

#include <limits>
#include <utility>

#include "logsweep.pb.h"

namespace logsweep::common {
namespace {

namespace wire = ::logsweep::wire;

constexpr size_t kMaxJobIdBytes = 64;
constexpr size_t kMaxPathBytes = 4096;
constexpr size_t kMaxNameBytes = 256;
constexpr uint32_t kMaxSlots = 4096;
constexpr uint32_t kMaxHeartbeatMs = 60000;
constexpr size_t kMaxInstanceBytes = 64;
constexpr size_t kMaxRequestKeyBytes = 64;
constexpr int kMaxWarnings = 16;
constexpr size_t kMaxWarningBytes = 4096;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// ---- enums and small types ----

wire::Code ToWire(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return wire::CODE_OK;
    case StatusCode::kInvalidArgument:
      return wire::CODE_INVALID_ARGUMENT;
    case StatusCode::kNotFound:
      return wire::CODE_NOT_FOUND;
    case StatusCode::kPermissionDenied:
      return wire::CODE_PERMISSION_DENIED;
    case StatusCode::kDataLoss:
      return wire::CODE_DATA_LOSS;
    case StatusCode::kUnavailable:
      return wire::CODE_UNAVAILABLE;
    case StatusCode::kDeadlineExceeded:
      return wire::CODE_DEADLINE_EXCEEDED;
    case StatusCode::kResourceExhausted:
      return wire::CODE_RESOURCE_EXHAUSTED;
    case StatusCode::kCancelled:
      return wire::CODE_CANCELLED;
    case StatusCode::kInternal:
      return wire::CODE_INTERNAL;
  }
  return wire::CODE_INTERNAL;
}

StatusCode FromWire(wire::Code code) {
  switch (code) {
    case wire::CODE_OK:
      return StatusCode::kOk;
    case wire::CODE_INVALID_ARGUMENT:
      return StatusCode::kInvalidArgument;
    case wire::CODE_NOT_FOUND:
      return StatusCode::kNotFound;
    case wire::CODE_PERMISSION_DENIED:
      return StatusCode::kPermissionDenied;
    case wire::CODE_DATA_LOSS:
      return StatusCode::kDataLoss;
    case wire::CODE_UNAVAILABLE:
      return StatusCode::kUnavailable;
    case wire::CODE_DEADLINE_EXCEEDED:
      return StatusCode::kDeadlineExceeded;
    case wire::CODE_RESOURCE_EXHAUSTED:
      return StatusCode::kResourceExhausted;
    case wire::CODE_CANCELLED:
      return StatusCode::kCancelled;
    default:
      // Unknown codes from a newer peer are surfaced, not trusted.
      return StatusCode::kInternal;
  }
}

Status StatusFromWire(wire::Code code, const std::string& reason) {
  StatusCode c = FromWire(code);
  if (c == StatusCode::kOk) return OkStatus();
  return Status(c, reason);
}

void ToWire(const Query& q, wire::Query* out) {
  out->set_key_field(q.key_field);
  out->set_match_field(q.match_field);
  out->set_list_files(q.list_files);
  for (const std::string& g : q.include) out->add_include(g);
  for (const std::string& g : q.exclude) out->add_exclude(g);
  out->set_all_files(q.all_files);
  if (q.IsHeadline()) {
    // What every release reads; see the note on wire::Query.
    out->set_match_value(q.match_value);
    return;
  }
  if (!q.match_value.empty()) out->add_paths(q.match_value);
  for (const std::string& v : q.more_values) out->add_paths(v);
  out->set_path_prefix(q.path_prefix);
  out->set_path_regex(q.path_regex);
  for (const StatusRange& r : q.statuses) {
    auto* range = out->add_statuses();
    range->set_low(r.low);
    range->set_high(r.high);
  }
  for (const std::string& m : q.methods) out->add_methods(m);
  if (q.since) out->set_since(*q.since);
  if (q.until) out->set_until(*q.until);
  out->set_method_field(q.method_field);
  out->set_time_field(q.time_field);
  out->set_status_field(q.status_field);
  out->set_count(q.count);
}

// Parallel to hosts written in the same order (see wire::HostTallies).
void ToWire(const std::vector<HostTally>& tallies, wire::HostTallies* out) {
  out->mutable_counts()->Reserve(static_cast<int>(tallies.size()));
  out->mutable_first()->Reserve(static_cast<int>(tallies.size()));
  out->mutable_last()->Reserve(static_cast<int>(tallies.size()));
  for (size_t i = 0; i < tallies.size(); ++i) {
    const HostTally& t = tallies[i];
    out->add_counts(t.count);
    out->add_first(t.first.value_or(0));
    out->add_last(t.last.value_or(0));
    if (!t.first) out->add_untimed(static_cast<uint32_t>(i));
  }
}

// The tallies of `hosts` hosts; InvalidArgument when they are not
// parallel, a count is 0, first > last, or `untimed` is out of order.
StatusOr<std::vector<HostTally>> FromWire(const wire::HostTallies& t,
                                          int hosts) {
  std::vector<HostTally> out;
  if (t.counts_size() == 0 && t.first_size() == 0 && t.last_size() == 0 &&
      t.untimed_size() == 0) {
    return out;
  }
  if (t.counts_size() != hosts || t.first_size() != hosts ||
      t.last_size() != hosts) {
    return InvalidArgumentError("tallies not parallel to their " +
                                std::to_string(hosts) + " hosts");
  }
  out.resize(static_cast<size_t>(hosts));
  int next_untimed = 0;
  for (int i = 0; i < hosts; ++i) {
    HostTally& tally = out[static_cast<size_t>(i)];
    tally.count = t.counts(i);
    if (tally.count == 0) return InvalidArgumentError("a host counted 0 times");
    if (next_untimed < t.untimed_size() &&
        t.untimed(next_untimed) == static_cast<uint32_t>(i)) {
      ++next_untimed;
      continue;
    }
    if (t.first(i) > t.last(i)) {
      return InvalidArgumentError("a host first seen after it was last seen");
    }
    tally.first = t.first(i);
    tally.last = t.last(i);
  }
  if (next_untimed != t.untimed_size()) {
    return InvalidArgumentError("untimed host indexes out of order or range");
  }
  return out;
}

// A task outcome's hosts and their tallies into `out` (a --count outcome
// has both; hosts are written sorted, so equal outcomes encode equally).
template <class Hosts, class Tallies>
void HostsToWire(const TaskOutcome& m, Hosts* hosts, Tallies mutable_tallies) {
  if (m.counts.empty()) {
    for (const std::string& h : m.hosts.Sorted()) hosts->Add(std::string(h));
    return;
  }
  std::vector<HostCounts::Entry> sorted = m.counts.SortedByHost();
  std::vector<HostTally> parallel;
  parallel.reserve(sorted.size());
  for (HostCounts::Entry& e : sorted) {
    hosts->Add(std::move(e.first));
    parallel.push_back(e.second);
  }
  ToWire(parallel, mutable_tallies());
}

template <class Hosts>
Status HostsFromWire(const Hosts& hosts, const wire::HostTallies& tallies,
                     TaskOutcome* out) {
  StatusOr<std::vector<HostTally>> parallel = FromWire(tallies, hosts.size());
  if (!parallel.ok()) return parallel.status();
  for (const std::string& h : hosts) out->hosts.Insert(h);
  // Tallies are per host: a host named twice would be counted twice.
  if (!parallel->empty() &&
      out->hosts.size() != static_cast<size_t>(hosts.size())) {
    return InvalidArgumentError("an outcome names a counted host twice");
  }
  for (size_t i = 0; i < parallel->size(); ++i) {
    out->counts.MergeHost(hosts[static_cast<int>(i)], (*parallel)[i]);
  }
  return OkStatus();
}

StatusOr<Query> FromWire(const wire::Query& q) {
  Query out;
  out.key_field = q.key_field();
  out.match_field = q.match_field();
  out.match_value = q.match_value();
  if (static_cast<size_t>(q.include_size()) + q.exclude_size() >
      kMaxListPatterns) {
    return InvalidArgumentError("more than " +
                                std::to_string(kMaxListPatterns) +
                                " --include/--exclude patterns");
  }
  for (const std::string& g : q.include()) {
    if (g.empty() || g.size() > kMaxPathBytes ||
        g.find('\0') != std::string::npos) {
      return InvalidArgumentError(
          "--include pattern empty, too long or "
          "holding NUL");
    }
  }
  for (const std::string& g : q.exclude()) {
    if (g.empty() || g.size() > kMaxPathBytes ||
        g.find('\0') != std::string::npos) {
      return InvalidArgumentError(
          "--exclude pattern empty, too long or "
          "holding NUL");
    }
  }
  out.list_files = q.list_files();
  out.include.assign(q.include().begin(), q.include().end());
  out.exclude.assign(q.exclude().begin(), q.exclude().end());
  out.all_files = q.all_files();
  const bool general = q.paths_size() > 0 || !q.path_prefix().empty() ||
                       !q.path_regex().empty() || q.statuses_size() > 0 ||
                       q.methods_size() > 0 || q.has_since() || q.has_until() ||
                       q.count();
  if (!general) {
    // The headline query (also from a peer that predates the rest).
    if (out.match_value.empty()) {
      return InvalidArgumentError("query: no path and no other predicate");
    }
  } else {
    if (!out.match_value.empty()) {
      return InvalidArgumentError(
          "query: match_value set beside other predicates");
    }
    if (static_cast<size_t>(q.paths_size()) > kMaxQueryValues) {
      return InvalidArgumentError("query: more than " +
                                  std::to_string(kMaxQueryValues) +
                                  " --path values");
    }
    for (int i = 0; i < q.paths_size(); ++i) {
      if (i == 0) {
        out.match_value = q.paths(0);
        if (out.match_value.empty()) {
          return InvalidArgumentError("query: an empty --path");
        }
      } else {
        out.more_values.push_back(q.paths(i));
      }
    }
    out.path_prefix = q.path_prefix();
    out.path_regex = q.path_regex();
    if (static_cast<size_t>(q.statuses_size()) > kMaxStatusRanges) {
      return InvalidArgumentError("query: more than " +
                                  std::to_string(kMaxStatusRanges) +
                                  " --status ranges");
    }
    for (const auto& r : q.statuses()) {
      out.statuses.push_back(StatusRange{r.low(), r.high()});
    }
    if (static_cast<size_t>(q.methods_size()) > kMaxMethods) {
      return InvalidArgumentError("query: more than " +
                                  std::to_string(kMaxMethods) +
                                  " --method values");
    }
    for (const std::string& m : q.methods()) out.methods.push_back(m);
    if (q.has_since()) out.since = q.since();
    if (q.has_until()) out.until = q.until();
    out.method_field = q.method_field();
    out.time_field = q.time_field();
    out.status_field = q.status_field();
  }
  out.count = q.count();
  if (Status s = ValidateQuery(out); !s.ok()) return s;
  return out;
}

void ToWire(const TaskRef& r, wire::TaskRef* out) {
  out->set_job_id(r.job_id);
  out->set_task_id(r.task_id);
  out->set_attempt(r.attempt);
}

StatusOr<TaskRef> FromWire(const wire::TaskRef& r) {
  if (r.job_id().empty() || r.job_id().size() > kMaxJobIdBytes) {
    return InvalidArgumentError("job id empty or too long");
  }
  return TaskRef{r.job_id(), r.task_id(), r.attempt()};
}

void ToWire(const ScanStats& s, wire::ScanStats* out) {
  out->set_lines(s.lines);
  out->set_matches(s.matches);
  out->set_malformed(s.malformed);
  out->set_bytes_read(s.bytes_read);
  out->set_bytes_scanned(s.bytes_scanned);
  out->set_unreadable_method(s.unreadable_method);
  out->set_unreadable_status(s.unreadable_status);
  out->set_unreadable_time(s.unreadable_time);
  out->set_files_cached(s.files_cached);
  out->set_bytes_saved(s.bytes_saved);
  out->set_untimed_matches(s.untimed_matches);
  out->set_files_incremental(s.files_incremental);
}

void ToWire(const FileIdentity& id, wire::FileIdentity* out) {
  out->set_device(id.device);
  out->set_inode(id.inode);
  out->set_size(id.size);
  out->set_mtime_ns(id.mtime_ns);
  out->set_ctime_ns(id.ctime_ns);
  out->set_fingerprint(id.fingerprint);
}

FileIdentity FromWire(const wire::FileIdentity& id) {
  FileIdentity out;
  out.device = id.device();
  out.inode = id.inode();
  out.size = id.size();
  out.mtime_ns = id.mtime_ns();
  out.ctime_ns = id.ctime_ns();
  out.fingerprint = id.fingerprint();
  return out;
}

ScanStats FromWire(const wire::ScanStats& s) {
  ScanStats out;
  out.lines = s.lines();
  out.matches = s.matches();
  out.malformed = s.malformed();
  out.bytes_read = s.bytes_read();
  out.bytes_scanned = s.bytes_scanned();
  out.unreadable_method = s.unreadable_method();
  out.unreadable_status = s.unreadable_status();
  out.unreadable_time = s.unreadable_time();
  out.files_cached = s.files_cached();
  out.bytes_saved = s.bytes_saved();
  out.untimed_matches = s.untimed_matches();
  out.files_incremental = s.files_incremental();
  return out;
}

Status CheckPath(const std::string& path) {
  if (path.empty() || path.size() > kMaxPathBytes) {
    return InvalidArgumentError("path empty or longer than " +
                                std::to_string(kMaxPathBytes) + " bytes");
  }
  if (path.find('\0') != std::string::npos) {
    return InvalidArgumentError("path contains a NUL byte");
  }
  return OkStatus();
}

Status CheckJobId(const std::string& id) {
  if (id.empty() || id.size() > kMaxJobIdBytes) {
    return InvalidArgumentError("job id empty or too long");
  }
  return OkStatus();
}

void ToWire(const FileReport& f, wire::FileReport* out) {
  out->set_path(f.path);
  out->set_code(ToWire(f.status.code()));
  out->set_reason(f.status.message());
  ToWire(f.stats, out->mutable_stats());
  out->set_attempts(f.attempts);
  for (const std::string& w : f.warnings) out->add_warnings(w);
}

FileReport FromWire(const wire::FileReport& f) {
  return FileReport{
      f.path(), StatusFromWire(f.code(), f.reason()), FromWire(f.stats()),
      f.attempts(),
      std::vector<std::string>(f.warnings().begin(), f.warnings().end())};
}

template <class Repeated>
StatusOr<std::vector<std::string>> WarningsFromWire(const Repeated& in) {
  if (in.size() > kMaxWarnings) {
    return InvalidArgumentError("more than " + std::to_string(kMaxWarnings) +
                                " warnings for one file");
  }
  std::vector<std::string> out;
  for (const std::string& w : in) {
    if (w.size() > kMaxWarningBytes) {
      return InvalidArgumentError("a warning over " +
                                  std::to_string(kMaxWarningBytes) + " bytes");
    }
    out.push_back(w);
  }
  return out;
}

void ToWire(const Refused& m, wire::Refused* out) {
  out->set_code(ToWire(m.status.code()));
  out->set_reason(m.status.message());
  out->set_protocol_version(m.protocol_version);
}

Refused FromWire(const wire::Refused& r) {
  Status status = StatusFromWire(r.code(), r.reason());
  // A refusal is never OK, whatever a confused peer put in it.
  if (status.ok()) status = InternalError(r.reason());
  return Refused{std::move(status), r.protocol_version()};
}

void ToWire(const JobProgress& m, wire::JobProgress* out) {
  out->set_job_id(m.job_id);
  out->set_total(m.total);
  out->set_done(m.done);
  out->set_failed(m.failed);
  out->set_bytes_scanned(m.bytes_scanned);
  out->set_workers(m.workers);
  out->set_speculated(m.speculated);
}

JobProgress FromWire(const wire::JobProgress& p) {
  return JobProgress{p.job_id(),        p.total(),   p.done(),      p.failed(),
                     p.bytes_scanned(), p.workers(), p.speculated()};
}

template <class Proto>
std::string Serialize(Proto& proto) {
  proto.set_protocol_version(kProtocolVersion);
  std::string out;
  proto.SerializeToString(&out);
  return out;
}

template <class Proto>
Status ParseBytes(std::string_view bytes, Proto* proto) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !proto->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgumentError("not a valid protobuf message (" +
                                std::to_string(bytes.size()) + " bytes)");
  }
  return OkStatus();
}

Status CheckVersion(uint32_t version, uint32_t oldest = kProtocolVersion) {
  if (version >= oldest && version <= kProtocolVersion) return OkStatus();
  return InvalidArgumentError("protocol version " + std::to_string(version) +
                              ", expected " + std::to_string(kProtocolVersion) +
                              ": run the same logsweep release on every host");
}

// A message the coordinator receives: right version, right role.
// `oldest`: the oldest version accepted (records the coordinator stored
// accept kOldestStoredVersion; peers, only their own version).
template <class Proto>
Status ParseFromPeer(std::string_view bytes, Proto* proto, wire::Role expected,
                     uint32_t oldest = kProtocolVersion) {
  if (Status s = ParseBytes(bytes, proto); !s.ok()) return s;
  if (Status s = CheckVersion(proto->protocol_version(), oldest); !s.ok()) {
    return s;
  }
  if (proto->sender() == expected) return OkStatus();
  if (proto->sender() == wire::ROLE_WORKER) {
    return InvalidArgumentError(
        "a worker connected to the coordinator's clients endpoint: point "
        "logsweep-worker --coordinator at the workers endpoint "
        "(--workers-endpoint, port 5555 by default)");
  }
  if (proto->sender() == wire::ROLE_CLIENT) {
    return InvalidArgumentError(
        "a client connected to the coordinator's workers endpoint: point "
        "logsweep --coordinator at the clients endpoint (--clients-endpoint, "
        "port 5556 by default)");
  }
  return InvalidArgumentError("message does not say who sent it");
}

// A message from the coordinator: a refusal is read whatever its version,
// so a peer of another version or role learns why it is refused.
template <class Proto>
Status ParseFromCoordinator(std::string_view bytes, Proto* proto) {
  if (Status s = ParseBytes(bytes, proto); !s.ok()) return s;
  if (proto->has_refused()) return OkStatus();
  return CheckVersion(proto->protocol_version());
}

Status NoBody() { return InvalidArgumentError("message has no body"); }

void ToWire(const TaskOutcome& m, wire::Outcome* out) {
  if (m.status.ok()) {
    auto* result = out->mutable_result();
    ToWire(m.ref, result->mutable_ref());
    HostsToWire(m, result->mutable_hosts(),
                [&] { return result->mutable_tallies(); });
    ToWire(m.stats, result->mutable_stats());
    for (const std::string& w : m.warnings) result->add_warnings(w);
    if (m.identity) ToWire(*m.identity, result->mutable_identity());
    result->set_unchanged(m.unchanged);
    if (m.resume_offset != 0) {
      result->set_resume_offset(m.resume_offset);
      for (const std::string& h : m.tail_hosts.Sorted()) {
        result->add_tail_hosts(h);
      }
      ToWire(m.tail_stats, result->mutable_tail_stats());
    }
    if (m.start_offset != 0) {
      result->set_start_offset(m.start_offset);
      if (m.base) ToWire(*m.base, result->mutable_base());
    }
  } else {
    auto* failed = out->mutable_failed();
    ToWire(m.ref, failed->mutable_ref());
    failed->set_code(ToWire(m.status.code()));
    failed->set_reason(m.status.message());
    ToWire(m.stats, failed->mutable_stats());
    HostsToWire(m, failed->mutable_partial_hosts(),
                [&] { return failed->mutable_partial_tallies(); });
    for (const std::string& w : m.warnings) failed->add_warnings(w);
  }
}

StatusOr<TaskOutcome> FromWire(const wire::Outcome& item) {
  TaskOutcome out;
  switch (item.body_case()) {
    case wire::Outcome::kResult: {
      const auto& r = item.result();
      StatusOr<TaskRef> ref = FromWire(r.ref());
      if (!ref.ok()) return ref.status();
      out.ref = std::move(*ref);
      if (Status s = HostsFromWire(r.hosts(), r.tallies(), &out); !s.ok()) {
        return s;
      }
      out.stats = FromWire(r.stats());
      auto warnings = WarningsFromWire(r.warnings());
      if (!warnings.ok()) return warnings.status();
      out.warnings = std::move(*warnings);
      if (r.has_identity()) out.identity = FromWire(r.identity());
      out.unchanged = r.unchanged();
      if (out.unchanged && !out.identity) {
        return InvalidArgumentError("an unchanged result without identity");
      }
      out.resume_offset = r.resume_offset();
      for (const std::string& h : r.tail_hosts()) out.tail_hosts.Insert(h);
      if (r.has_tail_stats()) out.tail_stats = FromWire(r.tail_stats());
      if (out.resume_offset == 0 &&
          (!out.tail_hosts.empty() || r.has_tail_stats())) {
        return InvalidArgumentError("a result tail without a resume offset");
      }
      out.start_offset = r.start_offset();
      if (r.has_base()) out.base = FromWire(r.base());
      if (out.start_offset != 0 && !out.base) {
        return InvalidArgumentError("an incremental result without its base");
      }
      if (out.start_offset != 0 && out.unchanged) {
        return InvalidArgumentError("an incremental result marked unchanged");
      }
      return out;
    }
    case wire::Outcome::kFailed: {
      const auto& f = item.failed();
      StatusOr<TaskRef> ref = FromWire(f.ref());
      if (!ref.ok()) return ref.status();
      if (f.code() == wire::CODE_OK) {
        return InvalidArgumentError("task failure with code OK");
      }
      out.ref = std::move(*ref);
      out.status = StatusFromWire(f.code(), f.reason());
      if (Status s =
              HostsFromWire(f.partial_hosts(), f.partial_tallies(), &out);
          !s.ok()) {
        return s;
      }
      out.stats = FromWire(f.stats());
      auto warnings = WarningsFromWire(f.warnings());
      if (!warnings.ok()) return warnings.status();
      out.warnings = std::move(*warnings);
      return out;
    }
    case wire::Outcome::BODY_NOT_SET:
      break;
  }
  return InvalidArgumentError("outcome with no body");
}

void ToWire(const TaskAssignment& m, wire::Task* task) {
  ToWire(m.ref, task->mutable_ref());
  task->set_path(m.path);
  ToWire(m.query, task->mutable_query());
  if (m.cached) {
    ToWire(*m.cached, task->mutable_cached());
    task->set_resume_from(m.resume_from);
  }
  task->set_no_identity(m.no_identity);
  task->set_cache_min_bytes(m.cache_min_bytes);
}

}  // namespace

// ---- worker -> coordinator ----

std::string Encode(const WorkerToCoordinator& msg) {
  wire::WorkerToCoordinator proto;
  // Hosts are written sorted, so equal messages encode to equal bytes.
  std::visit(Overloaded{
                 [&](const WorkerHello& m) {
                   auto* hello = proto.mutable_hello();
                   hello->set_name(m.name);
                   hello->set_slots(m.slots);
                   hello->set_heartbeat_ms(
                       static_cast<uint32_t>(m.heartbeat_interval.count()));
                   for (const TaskRef& r : m.running) {
                     ToWire(r, hello->add_running());
                   }
                   hello->set_instance(m.instance);
                 },
                 [&](const Heartbeat&) { proto.mutable_heartbeat(); },
                 [&](const Goodbye&) { proto.mutable_goodbye(); },
                 [&](const OutcomeBatch& m) {
                   auto* items = proto.mutable_outcomes();
                   for (const TaskOutcome& o : m.outcomes) {
                     ToWire(o, items->add_items());
                   }
                 },
             },
             msg);
  proto.set_sender(wire::ROLE_WORKER);
  return Serialize(proto);
}

StatusOr<WorkerToCoordinator> DecodeWorkerToCoordinator(
    std::string_view bytes, uint32_t oldest_version) {
  wire::WorkerToCoordinator proto;
  if (Status s =
          ParseFromPeer(bytes, &proto, wire::ROLE_WORKER, oldest_version);
      !s.ok()) {
    return s;
  }
  switch (proto.body_case()) {
    case wire::WorkerToCoordinator::kHello: {
      const auto& h = proto.hello();
      if (h.slots() == 0 || h.slots() > kMaxSlots) {
        return InvalidArgumentError("hello with slots outside 1.." +
                                    std::to_string(kMaxSlots));
      }
      if (h.name().size() > kMaxNameBytes) {
        return InvalidArgumentError("hello with a name over " +
                                    std::to_string(kMaxNameBytes) + " bytes");
      }
      if (h.heartbeat_ms() > kMaxHeartbeatMs) {
        return InvalidArgumentError("hello with a heartbeat over " +
                                    std::to_string(kMaxHeartbeatMs) + " ms");
      }
      if (h.instance().size() > kMaxInstanceBytes) {
        return InvalidArgumentError("hello with an instance id over " +
                                    std::to_string(kMaxInstanceBytes) +
                                    " bytes");
      }
      WorkerHello out{h.name(),
                      h.slots(),
                      std::chrono::milliseconds(h.heartbeat_ms()),
                      {},
                      h.instance()};
      out.running.reserve(static_cast<size_t>(h.running_size()));
      for (const auto& r : h.running()) {
        StatusOr<TaskRef> ref = FromWire(r);
        if (!ref.ok()) return ref.status();
        out.running.push_back(std::move(*ref));
      }
      return WorkerToCoordinator(std::move(out));
    }
    case wire::WorkerToCoordinator::kHeartbeat:
      return WorkerToCoordinator(Heartbeat{});
    case wire::WorkerToCoordinator::kGoodbye:
      return WorkerToCoordinator(Goodbye{});
    case wire::WorkerToCoordinator::kOutcomes: {
      const auto& items = proto.outcomes().items();
      if (items.empty()) return InvalidArgumentError("no outcomes in batch");
      OutcomeBatch out;
      out.outcomes.reserve(static_cast<size_t>(items.size()));
      for (const wire::Outcome& item : items) {
        StatusOr<TaskOutcome> outcome = FromWire(item);
        if (!outcome.ok()) return outcome.status();
        out.outcomes.push_back(std::move(*outcome));
      }
      return WorkerToCoordinator(std::move(out));
    }
    case wire::WorkerToCoordinator::BODY_NOT_SET:
      break;
  }
  return NoBody();
}

std::string EncodeOutcome(const TaskOutcome& outcome) {
  wire::WorkerToCoordinator proto;
  ToWire(outcome, proto.mutable_outcomes()->add_items());
  proto.set_sender(wire::ROLE_WORKER);
  return Serialize(proto);
}

// ---- coordinator -> worker ----

std::string Encode(const CoordinatorToWorker& msg) {
  wire::CoordinatorToWorker proto;
  std::visit(Overloaded{
                 [&](const TaskBatch& m) {
                   auto* items = proto.mutable_tasks();
                   for (const TaskAssignment& t : m.tasks) {
                     ToWire(t, items->add_items());
                   }
                 },
                 [&](const Heartbeat&) { proto.mutable_heartbeat(); },
                 [&](const Reregister&) { proto.mutable_reregister(); },
                 [&](const Refused& m) { ToWire(m, proto.mutable_refused()); },
             },
             msg);
  return Serialize(proto);
}

StatusOr<CoordinatorToWorker> DecodeCoordinatorToWorker(
    std::string_view bytes) {
  wire::CoordinatorToWorker proto;
  if (Status s = ParseFromCoordinator(bytes, &proto); !s.ok()) return s;
  switch (proto.body_case()) {
    case wire::CoordinatorToWorker::kTasks: {
      const auto& items = proto.tasks().items();
      if (items.empty()) return InvalidArgumentError("no tasks in batch");
      TaskBatch out;
      out.tasks.reserve(static_cast<size_t>(items.size()));
      for (const wire::Task& t : items) {
        StatusOr<TaskRef> ref = FromWire(t.ref());
        if (!ref.ok()) return ref.status();
        StatusOr<Query> query = FromWire(t.query());
        if (!query.ok()) return query.status();
        if (Status s = CheckPath(t.path()); !s.ok()) return s;
        TaskAssignment task{std::move(*ref), t.path(), std::move(*query), {}};
        if (t.has_cached()) {
          task.cached = FromWire(t.cached());
          task.resume_from = t.resume_from();
        } else if (t.resume_from() != 0) {
          return InvalidArgumentError("a resume offset without an identity");
        }
        task.no_identity = t.no_identity();
        task.cache_min_bytes = t.cache_min_bytes();
        out.tasks.push_back(std::move(task));
      }
      return CoordinatorToWorker(std::move(out));
    }
    case wire::CoordinatorToWorker::kHeartbeat:
      return CoordinatorToWorker(Heartbeat{});
    case wire::CoordinatorToWorker::kReregister:
      return CoordinatorToWorker(Reregister{});
    case wire::CoordinatorToWorker::kRefused:
      return CoordinatorToWorker(FromWire(proto.refused()));
    case wire::CoordinatorToWorker::BODY_NOT_SET:
      break;
  }
  return NoBody();
}

std::string EncodeTask(const TaskAssignment& task) {
  wire::CoordinatorToWorker proto;
  ToWire(task, proto.mutable_tasks()->add_items());
  return Serialize(proto);
}

// ---- client -> coordinator ----

std::string Encode(const ClientToCoordinator& msg) {
  wire::ClientToCoordinator proto;
  std::visit(Overloaded{
                 [&](const SubmitJob& m) {
                   auto* submit = proto.mutable_submit();
                   for (const std::string& p : m.paths) submit->add_paths(p);
                   ToWire(m.query, submit->mutable_query());
                   submit->set_merge_partial(m.merge_partial);
                   submit->set_request_id(m.request_id);
                   submit->set_stream_files(m.stream_files);
                   submit->set_request_key(m.request_key);
                 },
                 [&](const WaitJob& m) {
                   auto* wait = proto.mutable_wait();
                   wait->set_job_id(m.job_id);
                   wait->set_request_id(m.request_id);
                   wait->set_stream_files(m.stream_files);
                   wait->set_restart_result(m.restart_result);
                 },
                 [&](const CancelJob& m) {
                   auto* cancel = proto.mutable_cancel();
                   cancel->set_job_id(m.job_id);
                   for (uint64_t id : m.task_ids) cancel->add_task_ids(id);
                   cancel->set_request_id(m.request_id);
                 },
                 [&](const GetStatus& m) {
                   auto* status = proto.mutable_status();
                   status->set_job_id(m.job_id);
                   status->set_request_id(m.request_id);
                   status->set_history(m.history);
                   status->set_history_limit(m.history_limit);
                 },
             },
             msg);
  proto.set_sender(wire::ROLE_CLIENT);
  return Serialize(proto);
}

StatusOr<ClientToCoordinator> DecodeClientToCoordinator(
    std::string_view bytes, uint32_t oldest_version) {
  wire::ClientToCoordinator proto;
  if (Status s =
          ParseFromPeer(bytes, &proto, wire::ROLE_CLIENT, oldest_version);
      !s.ok()) {
    return s;
  }
  switch (proto.body_case()) {
    case wire::ClientToCoordinator::kSubmit: {
      const auto& m = proto.submit();
      SubmitJob out;
      StatusOr<Query> query = FromWire(m.query());
      if (!query.ok()) return query.status();
      out.query = std::move(*query);
      out.merge_partial = m.merge_partial();
      out.request_id = m.request_id();
      out.stream_files = m.stream_files();
      if (m.request_key().size() > kMaxRequestKeyBytes) {
        return InvalidArgumentError("request key over " +
                                    std::to_string(kMaxRequestKeyBytes) +
                                    " bytes");
      }
      out.request_key = m.request_key();
      out.paths.reserve(static_cast<size_t>(m.paths_size()));
      for (const std::string& p : m.paths()) {
        if (Status s = CheckPath(p); !s.ok()) return s;
        out.paths.push_back(p);
      }
      return ClientToCoordinator(std::move(out));
    }
    case wire::ClientToCoordinator::kWait: {
      const auto& m = proto.wait();
      if (Status s = CheckJobId(m.job_id()); !s.ok()) return s;
      return ClientToCoordinator(WaitJob{m.job_id(), m.request_id(),
                                         m.stream_files(), m.restart_result()});
    }
    case wire::ClientToCoordinator::kCancel: {
      const auto& m = proto.cancel();
      if (Status s = CheckJobId(m.job_id()); !s.ok()) return s;
      return ClientToCoordinator(CancelJob{
          m.job_id(),
          std::vector<uint64_t>(m.task_ids().begin(), m.task_ids().end()),
          m.request_id()});
    }
    case wire::ClientToCoordinator::kStatus: {
      const auto& m = proto.status();
      if (m.job_id().size() > kMaxJobIdBytes) {
        return InvalidArgumentError("job id too long");
      }
      return ClientToCoordinator(GetStatus{m.job_id(), m.request_id(),
                                           m.history(), m.history_limit()});
    }
    case wire::ClientToCoordinator::BODY_NOT_SET:
      break;
  }
  return NoBody();
}

// ---- coordinator -> client ----

std::string Encode(const CoordinatorToClient& msg) {
  wire::CoordinatorToClient proto;
  std::visit(
      Overloaded{
          [&](const JobAccepted& m) {
            auto* a = proto.mutable_accepted();
            a->set_job_id(m.job_id);
            a->set_total_tasks(m.total_tasks);
            a->set_request_id(m.request_id);
          },
          [&](const JobRejected& m) {
            auto* r = proto.mutable_rejected();
            r->set_code(ToWire(m.status.code()));
            r->set_reason(m.status.message());
            r->set_request_id(m.request_id);
          },
          [&](const JobProgress& m) { ToWire(m, proto.mutable_progress()); },
          [&](const JobResult& m) {
            auto* r = proto.mutable_result();
            r->set_job_id(m.job_id);
            for (const std::string& h : m.hosts) r->add_hosts(h);
            // Present, even empty, when the job counted.
            if (m.counted) ToWire(m.tallies, r->mutable_tallies());
            for (const FileReport& f : m.files) {
              ToWire(f, r->add_files());
            }
            ToWire(m.totals, r->mutable_totals());
            r->set_elapsed_us(m.elapsed_us);
            r->set_parts(m.parts);
            r->set_host_count(m.host_count);
            r->set_file_count(m.file_count);
            r->set_query(m.query);
            r->set_speculated(m.speculated);
          },
          [&](const JobResultPart& m) {
            auto* r = proto.mutable_result_part();
            r->set_job_id(m.job_id);
            for (const std::string& h : m.hosts) r->add_hosts(h);
            if (!m.tallies.empty()) ToWire(m.tallies, r->mutable_tallies());
            for (const FileReport& f : m.files) ToWire(f, r->add_files());
            r->set_index(m.index);
          },
          [&](const Refused& m) { ToWire(m, proto.mutable_refused()); },
          [&](const CancelReply& m) {
            auto* c = proto.mutable_cancelled();
            c->set_job_id(m.job_id);
            c->set_cancelled(m.cancelled);
            c->set_request_id(m.request_id);
          },
          [&](const StatusReply& m) {
            auto* r = proto.mutable_status();
            for (const WorkerStatus& w : m.workers) {
              auto* o = r->add_workers();
              o->set_name(w.name);
              o->set_slots(w.slots);
              o->set_in_flight(w.in_flight);
              o->set_tasks_done(w.tasks_done);
              o->set_bytes_scanned(w.bytes_scanned);
              o->set_connected_ms(w.connected_ms);
              o->set_quarantined(w.quarantined);
              o->set_quarantine_reason(w.quarantine_reason);
              o->set_recent_bytes_per_second(w.recent_bytes_per_second);
              o->set_last_seen_ms(w.last_seen_ms);
            }
            for (const JobStatus& j : m.jobs) {
              auto* o = r->add_jobs();
              ToWire(j.progress, o->mutable_progress());
              o->set_elapsed_ms(j.elapsed_ms);
              o->set_client_attached(j.client_attached);
              o->set_query(j.query);
              o->set_finished(j.finished);
            }
            for (const JobSummary& j : m.history) {
              auto* o = r->add_history();
              o->set_job_id(j.job_id);
              o->set_submitted_unix_ms(j.submitted_unix_ms);
              o->set_state(j.state);
              o->set_files(j.files);
              o->set_failed(j.failed);
              o->set_done(j.done);
              o->set_elapsed_ms(j.elapsed_ms);
            }
            r->set_has_history(m.has_history);
            r->set_request_id(m.request_id);
          },
          [&](const FilesDone& m) {
            auto* d = proto.mutable_files();
            d->set_job_id(m.job_id);
            for (const FileOutcome& f : m.files) {
              auto* o = d->add_files();
              o->set_task_id(f.task_id);
              ToWire(f.report, o->mutable_report());
              for (const std::string& h : f.hosts) o->add_hosts(h);
              if (!f.tallies.empty()) ToWire(f.tallies, o->mutable_tallies());
            }
          },
      },
      msg);
  return Serialize(proto);
}

StatusOr<CoordinatorToClient> DecodeCoordinatorToClient(
    std::string_view bytes) {
  wire::CoordinatorToClient proto;
  if (Status s = ParseFromCoordinator(bytes, &proto); !s.ok()) return s;
  switch (proto.body_case()) {
    case wire::CoordinatorToClient::kAccepted: {
      const auto& a = proto.accepted();
      return CoordinatorToClient(
          JobAccepted{a.job_id(), a.total_tasks(), a.request_id()});
    }
    case wire::CoordinatorToClient::kRejected: {
      Status status =
          StatusFromWire(proto.rejected().code(), proto.rejected().reason());
      if (status.ok()) return InvalidArgumentError("rejection with code OK");
      return CoordinatorToClient(
          JobRejected{std::move(status), proto.rejected().request_id()});
    }
    case wire::CoordinatorToClient::kProgress:
      return CoordinatorToClient(FromWire(proto.progress()));
    case wire::CoordinatorToClient::kCancelled: {
      const auto& c = proto.cancelled();
      return CoordinatorToClient(
          CancelReply{c.job_id(), c.cancelled(), c.request_id()});
    }
    case wire::CoordinatorToClient::kStatus: {
      const auto& r = proto.status();
      StatusReply out;
      out.request_id = r.request_id();
      for (const auto& w : r.workers()) {
        out.workers.push_back(
            WorkerStatus{w.name(), w.slots(), w.in_flight(), w.tasks_done(),
                         w.bytes_scanned(), w.connected_ms(), w.quarantined(),
                         w.quarantine_reason(), w.recent_bytes_per_second(),
                         w.last_seen_ms()});
      }
      for (const auto& j : r.jobs()) {
        out.jobs.push_back(JobStatus{FromWire(j.progress()), j.elapsed_ms(),
                                     j.client_attached(), j.query(),
                                     j.finished()});
      }
      for (const auto& j : r.history()) {
        out.history.push_back(JobSummary{j.job_id(), j.submitted_unix_ms(),
                                         j.state(), j.files(), j.failed(),
                                         j.done(), j.elapsed_ms()});
      }
      out.has_history = r.has_history();
      return CoordinatorToClient(std::move(out));
    }
    case wire::CoordinatorToClient::kFiles: {
      const auto& d = proto.files();
      FilesDone out;
      out.job_id = d.job_id();
      out.files.reserve(static_cast<size_t>(d.files_size()));
      for (const auto& f : d.files()) {
        auto tallies = FromWire(f.tallies(), f.hosts_size());
        if (!tallies.ok()) return tallies.status();
        out.files.push_back(FileOutcome{
            f.task_id(), FromWire(f.report()),
            std::vector<std::string>(f.hosts().begin(), f.hosts().end()),
            std::move(*tallies)});
      }
      return CoordinatorToClient(std::move(out));
    }
    case wire::CoordinatorToClient::kResult: {
      const auto& r = proto.result();
      JobResult out;
      out.job_id = r.job_id();
      out.hosts.assign(r.hosts().begin(), r.hosts().end());
      auto tallies = FromWire(r.tallies(), r.hosts_size());
      if (!tallies.ok()) return tallies.status();
      out.tallies = std::move(*tallies);
      out.counted = r.has_tallies();
      out.files.reserve(static_cast<size_t>(r.files_size()));
      for (const auto& f : r.files()) out.files.push_back(FromWire(f));
      out.totals = FromWire(r.totals());
      out.elapsed_us = r.elapsed_us();
      out.parts = r.parts();
      out.host_count = r.host_count();
      out.file_count = r.file_count();
      out.query = r.query();
      out.speculated = r.speculated();
      return CoordinatorToClient(std::move(out));
    }
    case wire::CoordinatorToClient::kResultPart: {
      const auto& r = proto.result_part();
      JobResultPart out;
      out.job_id = r.job_id();
      out.hosts.assign(r.hosts().begin(), r.hosts().end());
      auto tallies = FromWire(r.tallies(), r.hosts_size());
      if (!tallies.ok()) return tallies.status();
      out.tallies = std::move(*tallies);
      out.files.reserve(static_cast<size_t>(r.files_size()));
      for (const auto& f : r.files()) out.files.push_back(FromWire(f));
      out.index = r.index();
      return CoordinatorToClient(std::move(out));
    }
    case wire::CoordinatorToClient::kRefused:
      return CoordinatorToClient(FromWire(proto.refused()));
    case wire::CoordinatorToClient::BODY_NOT_SET:
      break;
  }
  return NoBody();
}

}  // namespace logsweep::common
