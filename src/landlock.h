// Kernel-enforced grants (Landlock) that let the supervisor answer plain opens of host files
// with CONTINUE instead of opening the file itself and injecting the fd.
//
// Why: an injected fd (SECCOMP_IOCTL_NOTIF_ADDFD) wakes the caller with an ordinary wake-up,
// which on these VMs often lands it on the other, halted vCPU: measured 90 us per open+close
// in long runs against 8 us when both stay on one CPU. A CONTINUE reply is a same-CPU wake-up.
//
// Why it is safe: CONTINUE lets the kernel re-read the path, so a racing thread can swap it
// after the supervisor's check (TOCTOU). The sandbox is therefore restricted by a Landlock
// domain that allows reading files and listing directories only below the paths this policy
// lets it read from the host, and writing files or creating them only below its rw areas and
// on the harmless devices (/dev/null, /dev/zero, ...); hidden and private paths, /proc, the
// rest of /dev and the overlay store are excluded. Whatever path the kernel finally opens, the
// policy lets the sandbox do that to it anyway. The open flags are registers, so the kernel
// does what the supervisor checked. What a swap can still reach is listed under "Read-only
// opens" and "Out of scope" in bvisor(1) SECURITY.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "policy.h"
#include "unique_fd.h"

namespace bvisor {

class LandlockGrants {
 public:
  // The host paths the sandbox may read, and write, directly under `policy`. `store_root` (the
  // overlay store: the sandbox's own files, executed from there) is granted for reading to the
  // kernel check but never continued by the supervisor.
  static LandlockGrants Compute(const Policy& policy, const std::string& store_root);
  // Whether this kernel offers Landlock and BVISOR_NO_LANDLOCK is unset: without it, computing
  // grants is wasted start-up time.
  static bool Available();

  // Whether the host file `real` lies below a read (or write) grant.
  bool CoversRead(std::string_view real) const { return Covers(read_granted_, real); }
  bool CoversWrite(std::string_view real) const { return Covers(write_granted_, real); }
  // The Landlock ruleset for the grants; invalid when Landlock is unavailable (then every open
  // keeps the injected fd).
  UniqueFd MakeRuleset() const;

  // What is granted (for tests): whole directories and single files, for reading or writing.
  std::vector<std::string> Dirs(bool write) const;
  std::vector<std::string> Files(bool write) const;
  bool Empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string path;
    bool dir;
    bool write;
  };
  // Looks paths up by string_view: Covers runs on every open and allocates nothing.
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using PathSet = std::unordered_set<std::string, PathHash, std::equal_to<>>;
  bool Covers(const PathSet& granted, std::string_view real) const;
  void GrantTops(const std::vector<std::string>& tops, const std::vector<std::string>& excluded, bool write);
  void Grant(const std::string& path, const std::vector<std::string>& excluded, int depth, bool write);
  void Add(const std::string& path, bool dir, bool write);

  std::vector<Entry> entries_;
  PathSet read_granted_, write_granted_;
  std::string store_root_;
  bool too_many_ = false;
};

// In the sandbox's first process, after PR_SET_NO_NEW_PRIVS: applies the ruleset.
// Async-signal-safe. True on success.
bool RestrictSelf(int ruleset_fd);

}  // namespace bvisor
