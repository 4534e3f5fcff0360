// The one table of syscalls: it drives the BPF filter, the notification dispatch,
// the decoding of path arguments, and the names in the report. Adding a syscall = one row.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

struct seccomp_notif;

namespace bvisor {

class Sandbox;
struct Reply;
struct SyscallRow;

using Handler = Reply (*)(Sandbox& sandbox, const seccomp_notif& notif, const SyscallRow& row);

// What the BPF filter does with the syscall before the supervisor sees it.
enum class FilterRule {
  kAllow,        // process-local or fd-based: allowed at zero cost
  kNotify,       // sent to the supervisor
  kErrno,        // refused in BPF with `filter_errno`
  kClone,        // allowed unless a CLONE_NEW* flag is set (EPERM)
  kIoctl,        // allowed unless the request is terminal injection or inode flags (EPERM)
  kPersonality,  // only the default personality and queries (EPERM otherwise)
  kSeccomp,      // allowed unless it asks for a new listener (EBUSY, as the kernel would)
  kSocket,       // AF_UNIX notified; IP and raw families refused while the network is off
  kSendto,       // allowed without a destination address, notified with one
  kSendmsg,      // allowed, but MSG_FASTOPEN (a connect in disguise) refused unless network is host
  kFork,         // allowed, or notified when live processes are counted
  kRlimit,       // allowed (prlimit64: on the caller only), or notified when limits are guarded
  kSelfPid,      // allowed when arg0 (a pid) is 0, the caller itself; EPERM otherwise
  kPriority,     // setpriority/ioprio_set: only the caller's own process (which/who), EPERM otherwise
  kFcntl,        // allowed, except F_SETOWN (notified: SIGIO reaches only sandbox members) and
                 // F_SETOWN_EX (refused: its target lives in memory)
};

// Register index of an argument, or -1 when the syscall has no such argument.
struct ArgRoles {
  int8_t dirfd = -1;   // directory fd the path is relative to (AT_FDCWD allowed)
  int8_t path = -1;    // pointer to a NUL-terminated path
  int8_t dirfd2 = -1;  // second path (rename, link, symlink target side)
  int8_t path2 = -1;
  int8_t flags = -1;   // AT_* / O_* flags
};

struct SyscallRow {
  std::string_view name;  // the kernel's name, used in the report
  int nr;
  FilterRule rule;
  int filter_errno;       // for FilterRule::kErrno
  ArgRoles args;
  bool writes;            // modifies the filesystem (refused in read-only areas)
  Handler handler;        // for notified syscalls; nullptr otherwise
};

// Every row, ordered by name.
std::span<const SyscallRow> SyscallTable();

// The row for a syscall number, or nullptr (unknown syscalls fail closed with ENOSYS).
const SyscallRow* FindSyscall(int nr);

}  // namespace bvisor
