// State shared by the supervisor loop and the handlers (one per run, owned by the loop), and
// the path front-end: every handler gets its paths read once, resolved and checked here.
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "errno_or.h"
#include "network.h"
#include "notifier.h"
#include "policy.h"
#include "reply.h"
#include "report.h"
#include "syscall_table.h"
#include "landlock.h"
#include "vfs.h"

namespace bvisor {

class Sandbox {
 public:
  Sandbox(Notifier& notifier, Vfs& vfs, Report& report, const Policy& policy, pid_t ancestor, pid_t root);

  Notifier& notifier;
  Vfs& vfs;
  Report& report;
  const Policy& policy;
  const pid_t ancestor;  // the reaper: every sandbox process descends from it
  const pid_t root;      // the command
  // Set when the sandbox runs under these Landlock grants: plain opens of host files they
  // cover are answered with CONTINUE (see landlock.h).
  const LandlockGrants* grants = nullptr;

  // Reads the NUL-terminated path in register `arg` (EFAULT, ENAMETOOLONG).
  ErrnoOr<std::string> ReadPath(const seccomp_notif& n, int arg);
  // The virtual directory a relative path starts from: the caller's cwd for AT_FDCWD,
  // otherwise the directory fd's path (ENOTDIR for non-directories, EBADF for bad fds).
  // A directory that was removed has no name: ENOENT, unless `removed` is given, which is then
  // set and the directory's last name returned.
  // `host` (optional) is set when that directory is a host one (not in the overlay store).
  ErrnoOr<std::string> BaseDir(const seccomp_notif& n, int dirfd_arg, bool* removed = nullptr, bool* host = nullptr);
  // Reads and resolves the path in `path_arg` (relative to `dirfd_arg`, -1 for the cwd).
  // With `empty_path_ok` (AT_EMPTY_PATH) an empty path names the dirfd itself.
  ErrnoOr<Node> ResolvePath(const seccomp_notif& n, int dirfd_arg, int path_arg, bool follow,
                            bool empty_path_ok = false, std::string* raw = nullptr);
  // The path of an entry operation (mkdir, mknod, symlink, link's new name, unlink, rmdir,
  // rename): as in the kernel, which resolves only the parent for these, the last component is
  // never followed, not even with a trailing slash. `trailing_slash` says whether there was one
  // (the handler applies its syscall's rule); `last` gets the last component as written.
  // Resolves a path string already read from the tracee, relative to `dirfd_arg` (-1 for the
  // cwd), also from a directory that was removed meanwhile. Callers clear LastDenied first.
  ErrnoOr<Node> ResolveAt(const seccomp_notif& n, int dirfd_arg, std::string_view path, bool follow);
  ErrnoOr<Node> ResolveEntry(const seccomp_notif& n, int dirfd_arg, int path_arg, bool* trailing_slash,
                             std::string* last = nullptr);
  // The node an fd of the caller refers to (by its path; kMagic for pipes, sockets, deleted files).
  ErrnoOr<Node> NodeOfFd(const seccomp_notif& n, int fd);
  Caller CallerOf(const seccomp_notif& n) const;

  // False once the tracee died or its syscall was interrupted: data read from it is stale.
  bool StillValid(const seccomp_notif& n) { return notifier.IdValid(n.id); }

  // The error reply for a failed operation on `path`; policy refusals (a hidden path, a
  // read-only area) are also recorded as denials.
  Reply Fail(const seccomp_notif& n, const SyscallRow& row, int error, std::string_view path);
  // Notes a file the command read or wrote (report.files, the audit preset).
  void NoteFile(const std::string& vpath, bool written) {
    if (report.list_files) report.AddFile(vpath, written);
  }
  // Records a denial in the report and returns the error reply.
  Reply Deny(const seccomp_notif& n, const SyscallRow& row, std::string_view path, int error,
             std::string_view reason);

  NetworkRules network;
  // Set once PTRACE_SEIZE was refused: exec and chdir then continue in the kernel where the
  // kernel reaches the checked file, and fail where only the overlay has it.
  bool ptrace_unavailable = false;

  // limits.processes: an estimate of live sandbox processes, corrected by a /proc scan
  // whenever it reaches the limit and every kRescanEvery forks.
  uint64_t process_estimate = 1;
  uint64_t forks_since_scan = 0;
  // When recent forks were let through: a child may not be in /proc yet when we scan.
  std::deque<uint64_t> recent_forks_ns;

  // Sockets the supervisor created for the sandbox, by inode: bind/connect run on these, so
  // the address that was checked is the address the kernel uses.
  std::map<ino_t, UniqueFd> sockets;

  // Notifications that arrived while a handler waited for one particular tracee (redirect.cc);
  // the loop answers them before polling again.
  std::deque<seccomp_notif> deferred;

  // Whether the root process is still bvisor's own code (before its first successful execve).
  bool RootNotYetExeced(pid_t tid);

 private:
  // A relative path from a removed directory: the kernel still walks from it, "." being the
  // directory itself (reachable through its /proc link only), ".." its old parent; nothing
  // else is in it.
  ErrnoOr<Node> ResolveFromRemoved(const seccomp_notif& n, int dirfd_arg, std::string_view path,
                                   std::string_view old_name, bool follow);
  bool root_execed_ = false;
};

// The tgid of a thread, from /proc (0 when gone).
pid_t TgidOf(pid_t tid);

// The umask of a thread, from /proc (022 when unknown): the supervisor's own is 0, so whatever
// it creates for the sandbox applies the caller's explicitly.
mode_t UmaskOf(pid_t tid);

}  // namespace bvisor
