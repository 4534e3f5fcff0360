// The run report: what the sandboxed command did, as versioned JSON, plus a one-line summary.
//
// Schema (version 1), the single written-down definition (man/bvisor.1 REPORT mirrors it):
// {
//   "version": 1,
//   "command": ["bash", "-c", "..."],          argv as given
//   "policy": "default",                        policy name
//   "exit": {"code": 0, "signal": null, "timed_out": false},
//       code: bvisor's own exit status; signal: the signal name that killed the command or null
//   "wall_ms": 12.5, "cpu_user_ms": 3.1, "cpu_system_ms": 4.0, "max_rss_kb": 3456,
//   "syscalls": {"openat": {"allowed": 10, "denied": 1}, ...}   every notified syscall
//   "blocked": {"ptrace": 1, ...}               attempts refused outright, by syscall name
//   "denials": [{"syscall": "openat", "path": "/home/u/.ssh/id_rsa", "reason": "policy: deny",
//                "errno": "ENOENT", "pid": 123}, ...],   the first kMaxDenials
//   "denials_total": 1,                         all denials, also those not listed
//   "execs": [{"path": "/usr/bin/make", "pid": 124}, ...],   the first kMaxExecs
//   "execs_total": 1,
//   "overlay": {"kept": "/path" or null,
//               "changes": [{"path": "/x", "kind": "created|modified|deleted|metadata",
//                            "type": "file|dir|symlink|other", "size": 10,
//                            "content_differs": true}]}
//   "leftover_processes": 0,                    still running when the command exited (killed)
//   "peak_processes": 3,                        most live sandbox processes seen (when counted)
//   "limit": "timeout_seconds" or null,         the policy limit that ended the run, if any
//   "env_removed": ["GITHUB_TOKEN", ...],       variables withheld from the command (names only)
//   "files": {"read": [...], "written": [...]}  only with the policy's report.files (audit)
//   "network": [{"address": "127.0.0.1", "port": 8080, "operation": "connect",
//                "allowed": true, "count": 2}, ...]    every IP connect/bind/sendto attempt
// }
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace bvisor {

struct OverlayChange {
  enum class Kind { kCreated, kModified, kDeleted, kMetadata };
  enum class Type { kFile, kDir, kSymlink, kOther };
  std::string path;
  Kind kind;
  Type type;
  int64_t size = 0;
  bool content_differs = false;
};

class Report {
 public:
  static constexpr int kVersion = 1;
  static constexpr size_t kMaxDenials = 100;
  static constexpr size_t kMaxExecs = 1000;
  static constexpr int kMaxNr = 512;

  // Hot path: no allocation once a syscall has been seen.
  void CountSyscall(int nr, std::string_view name, bool allowed);
  void CountBlocked(std::string_view name);
  void AddDenial(std::string_view syscall, std::string_view path, std::string_view reason, int error, pid_t pid);
  void AddExec(std::string_view path, pid_t pid);
  void AddNetwork(std::string_view address, int port, std::string_view operation, bool allowed);
  // With report.files: the set of files read and written (capped at kMaxFiles each).
  void AddFile(std::string_view path, bool written);
  static constexpr size_t kMaxFiles = 100000;
  bool list_files = false;

  std::vector<std::string> command;
  std::string policy_name;
  int exit_code = 0;
  int exit_signal = 0;  // 0: not killed by a signal
  bool timed_out = false;
  double wall_ms = 0, cpu_user_ms = 0, cpu_system_ms = 0;
  int64_t max_rss_kb = 0;
  int leftover_processes = 0;
  int peak_processes = 0;
  std::optional<std::string> limit;  // which limit ended the run
  std::vector<std::string> env_removed;
  std::optional<std::string> overlay_kept;
  std::vector<OverlayChange> overlay_changes;

  uint64_t DenialsTotal() const { return denials_total_; }
  nlohmann::json ToJson() const;
  // "bvisor: exit 2 in 1503 ms; 3 changes in the overlay (kept in /tmp/x); 1 denial: openat /x (ENOENT)"
  std::string Summary() const;

 private:
  struct Counts {
    std::string_view name;
    uint64_t allowed = 0, denied = 0;
  };
  struct Denial {
    std::string syscall, path, reason;
    int error;
    pid_t pid;
  };
  struct Exec {
    std::string path;
    pid_t pid;
  };
  std::array<Counts, kMaxNr> counts_{};
  std::vector<std::pair<std::string, uint64_t>> blocked_;
  std::vector<Denial> denials_;
  uint64_t denials_total_ = 0;
  std::vector<Exec> execs_;
  uint64_t execs_total_ = 0;
  struct Connection {
    std::string address, operation;
    int port;
    bool allowed;
    uint64_t count;
  };
  std::vector<Connection> network_;
  std::set<std::string> files_read_, files_written_;
};

// "ENOENT" for ENOENT, "E<number>" when unknown.
std::string_view ErrnoName(int error);
// "SIGKILL" for 9.
std::string SignalName(int sig);

}  // namespace bvisor
