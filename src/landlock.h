// Kernel-enforced read grants (Landlock) that let the supervisor answer plain read-only opens
// of host files with CONTINUE instead of opening the file itself and injecting the fd.
//
// Why: an injected fd (SECCOMP_IOCTL_NOTIF_ADDFD) wakes the caller with an ordinary wake-up,
// which on these VMs often lands it on the other, halted vCPU: measured 90 us per open+close
// in long runs against 8 us when both stay on one CPU. A CONTINUE reply is a same-CPU wake-up.
//
// Why it is safe: CONTINUE lets the kernel re-read the path, so a racing thread can swap it
// after the supervisor's check (TOCTOU). The sandbox is therefore restricted by a Landlock
// domain that allows reading files and listing directories only below the paths this policy
// lets it read from the host (hidden, private, /proc and /dev excluded). Whatever path the
// kernel finally opens, it is one the policy lets the sandbox read anyway. Only open/openat
// with read-only flags (registers, not memory) are continued, so the kernel cannot be made to
// write. What a swap can still reach is listed under "Read-only opens" in bvisor(1) SECURITY.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "policy.h"
#include "unique_fd.h"

namespace bvisor {

class ReadGrants {
 public:
  // The host paths the sandbox may read directly under `policy`; `store_root` (the overlay
  // store: the sandbox's own files, executed from there) is granted to the kernel check but
  // never continued by the supervisor.
  static ReadGrants Compute(const Policy& policy, const std::string& store_root);

  // Whether the host file `real` lies below a granted path.
  bool Covers(std::string_view real) const;
  // The Landlock ruleset for the grants; invalid when Landlock is unavailable (then every open
  // keeps the injected fd).
  UniqueFd MakeRuleset() const;

  const std::vector<std::string>& Dirs() const { return dirs_; }
  const std::vector<std::string>& Files() const { return files_; }
  bool Empty() const { return dirs_.empty() && files_.empty(); }

 private:
  void Grant(const std::string& path, const std::vector<std::string>& excluded, int depth);
  void Add(const std::string& path, bool dir);

  std::vector<std::string> dirs_;   // whole hierarchies
  std::vector<std::string> files_;  // single files in partly granted directories
  std::unordered_set<std::string> granted_;
  std::string store_root_;
  bool too_many_ = false;
};

// In the sandbox's first process, after PR_SET_NO_NEW_PRIVS: applies the ruleset.
// Async-signal-safe. True on success.
bool RestrictSelf(int ruleset_fd);

}  // namespace bvisor
