// find_robots: bench/baselines/findrobots.py, the Python original, written
// with logsweep's futures API. The Python program maps find_robots() over
// the files with a ProcessPoolExecutor and unions the host sets; here a
// coordinator's workers do the mapping and each file's future delivers its
// hosts as it finishes.
//
//   find_robots [--coordinator tcp://HOST:5556] PATH...
//
// PATH is a file, a directory (searched for log files) or a glob, as for
// `logsweep run`. Prints the sorted unique hosts that requested
// /robots.txt; a file that cannot be scanned, or a path that gives none, is
// reported on stderr and the exit status is 3.
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "logsweep/client.h"

int main(int argc, char** argv) {
  std::string endpoint = "tcp://127.0.0.1:5556";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--coordinator") == 0 && i + 1 < argc) {
      endpoint = argv[++i];
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: find_robots [--coordinator EP] PATH...\n");
    return 2;
  }
  try {
    logsweep::Client client(endpoint);
    logsweep::Job job = client.submit(files);  // Query{} is /robots.txt

    std::set<std::string> all_hosts;  // reduce: union, sorted bytewise
    int failed = 0;
    for (const logsweep::TaskFuture& future : job.as_completed()) {
      try {
        for (std::string& host : future.result()) {
          all_hosts.insert(std::move(host));
        }
      } catch (const logsweep::Error& e) {
        std::fprintf(stderr, "find_robots: %s\n", e.what());
        ++failed;
      }
    }
    for (const std::string& host : all_hosts) {
      std::fwrite(host.data(), 1, host.size(), stdout);
      std::fputc('\n', stdout);
    }
    return failed == 0 ? 0 : 3;
  } catch (const logsweep::Error& e) {
    std::fprintf(stderr, "find_robots: %s\n", e.what());
    return 1;
  }
}
