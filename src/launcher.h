// Starts the sandbox: bvisor -> reaper -> command. The reaper is a child subreaper outside the
// filter that outlives bvisor just long enough to kill every sandbox process if bvisor dies;
// the command installs the filter and hands the listener to bvisor over a socketpair.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace bvisor {

struct LaunchSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH like execvp
  std::vector<std::string> env;
  const std::vector<sock_filter>* filter = nullptr;
  // Hard and soft limits set before exec (RLIMIT_CORE is always 0: no core file can land in a
  // host directory).
  std::vector<std::pair<int, uint64_t>> rlimits;
  int stdout_fd = -1;  // replaces the command's stdout/stderr when >= 0
  int stderr_fd = -1;
  int landlock_fd = -1;  // a LandlockGrants ruleset the command applies to itself, or -1
};

// Messages the reaper sends on `control` (fixed-size records).
struct ReaperMessage {
  enum Type : int32_t { kRootExited = 1, kAllGone = 2, kRootStopped = 3 };
  int32_t type;
  int32_t wait_status;  // for kRootExited and kRootStopped
  int32_t killed;       // for kAllGone: processes still alive when the command ended
};

// Commands bvisor sends to the reaper; closing the socket means the same as kKillAll.
enum class ReaperCommand : char { kKillAll = 'k' };

struct Sandboxed {
  pid_t reaper = -1;
  pid_t root = -1;          // the command
  UniqueFd listener;        // seccomp user notification fd
  UniqueFd control;         // SOCK_SEQPACKET to the reaper
  bool foreground_tty = false;  // the command's process group owns the terminal
  bool landlocked = false;      // the command applied spec.landlock_fd
};

struct LaunchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws LaunchError with a message that names the failing call and its likely cause.
Sandboxed Launch(const LaunchSpec& spec);

}  // namespace bvisor
