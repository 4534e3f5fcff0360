// Builds the seccomp BPF program from the syscall table, once, in the parent before fork
// (the child then only calls seccomp(2): no allocation, no notified syscall before hand-over).
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

namespace bvisor {

struct FilterOptions {
  bool network_ip = false;       // AF_INET/AF_INET6 sockets notified (network modes other than none)
  bool network_host = false;     // no restriction on IP traffic (network mode host)
  bool count_processes = false;  // fork/vfork/clone (not threads) notified for limits.processes
  bool guard_rlimits = false;    // setrlimit/prlimit64 notified so limits cannot be raised
};

// The program (a few hundred instructions; building it takes microseconds).
std::vector<sock_filter> BuildFilter(const FilterOptions& options);

}  // namespace bvisor
