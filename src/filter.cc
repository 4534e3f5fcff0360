// BPF generation, straight from the syscall table. The program is an architecture check, then a
// balanced binary search over the syscall number (every path is ~20 instructions long), whose
// leaves allow, refuse, notify, or jump to a short check of the few syscalls whose verdict
// depends on a register value, comparing exactly the 32 bits the kernel itself looks at
// (ioctl's request and clone's flags are truncated to 32 bits).
//
// Why not libseccomp: it emits a linear chain of comparisons, and the kernel, when the filter is
// attached, runs the program once per syscall number to find the always-allowed ones. With a
// 300-deep chain that took ~0.3 ms in seccomp(2) plus ~1 ms in libseccomp, for every run.
#include "filter.h"

#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>

#include <cerrno>
#include <cstddef>
#include <span>
#include <stdexcept>

#include "syscall_table.h"

namespace bvisor {
namespace {

constexpr uint32_t kNrOffset = offsetof(seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(seccomp_data, arch);
constexpr uint32_t ArgLow(int i) { return offsetof(seccomp_data, args) + 8 * static_cast<uint32_t>(i); }
constexpr uint32_t ArgHigh(int i) { return ArgLow(i) + 4; }

constexpr uint32_t RetErrno(int e) { return SECCOMP_RET_ERRNO | (static_cast<uint32_t>(e) & SECCOMP_RET_DATA); }

constexpr uint32_t kCloneNewFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
// Terminal injection (TIOCSTI, TIOCLINUX) and inode flags such as immutable/append-only
// (FS_IOC_SETFLAGS and its 32-bit twin, FS_IOC_FSSETXATTR), which act on read-only fds too.
// Terminal injection and console redirection (TIOCSTI, TIOCLINUX, TIOCCONS), inode flags such as
// immutable/append-only (FS_IOC_SETFLAGS and its 32-bit twin, FS_IOC_FSSETXATTR), which act on
// read-only fds too, and filesystem administration (FIFREEZE, FITHAW, FS_IOC_SETFSLABEL,
// EXT4_IOC_SHUTDOWN/XFS_IOC_GOINGDOWN): all work on the host's objects from inside.
constexpr uint32_t kDeniedIoctls[] = {0x5412,     0x541C,     0x541D,     0x40086602, 0x40046602,
                                      0x401c5820, 0xC0045877, 0xC0045878, 0x41009432, 0x8004587D};
// Socket ioctls 0x89xx set interfaces, routes, ARP entries and SIGIO owners of the host's
// network stack; only these queries pass.
constexpr uint32_t kAllowedSocketIoctls[] = {0x8906, 0x8907, 0x8910, 0x8912, 0x8913, 0x8915, 0x8917, 0x8919,
                                             0x891b, 0x891d, 0x8921, 0x8927, 0x8933, 0x8938, 0x8942};

// A forward-only BPF assembler: jumps name labels, resolved when the program is finished.
class Assembler {
 public:
  void Load(uint32_t offset) { code_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
  void Ret(uint32_t value) { code_.push_back(BPF_STMT(BPF_RET | BPF_K, value)); }
  void And(uint32_t mask) { code_.push_back(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask)); }
  // if (A == k) goto label.
  void JumpIfEqual(uint32_t k, int label) { Jump(BPF_JEQ, k, label, true); }
  void JumpIfNotEqual(uint32_t k, int label) { Jump(BPF_JEQ, k, label, false); }
  // if (A & k) goto label.
  void JumpIfAnySet(uint32_t k, int label) { Jump(BPF_JSET, k, label, true); }
  // The same, however far the label: a conditional jump reaches only 255 instructions, so
  // it skips or takes an unconditional one.
  void GotoIfAtLeast(uint32_t k, int label) { FarJump(BPF_JGE, k, label, true); }
  void GotoIfEqual(uint32_t k, int label) { FarJump(BPF_JEQ, k, label, true); }
  void GotoIfNotEqual(uint32_t k, int label) { FarJump(BPF_JEQ, k, label, false); }
  void Goto(int label) {
    fixups_.push_back({code_.size(), label, Fixup::kAlways});
    code_.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
  }
  int NewLabel() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size()) - 1;
  }
  void Bind(int label) { labels_[static_cast<size_t>(label)] = static_cast<int>(code_.size()); }

  std::vector<sock_filter> Finish() {
    for (const Fixup& f : fixups_) {
      int target = labels_[static_cast<size_t>(f.label)];
      if (target < 0) throw std::logic_error("BPF label never bound");
      uint32_t distance = static_cast<uint32_t>(target) - static_cast<uint32_t>(f.at) - 1;
      sock_filter& insn = code_[f.at];
      switch (f.kind) {
        case Fixup::kAlways: insn.k = distance; break;
        case Fixup::kTrue: insn.jt = Narrow(distance); break;
        case Fixup::kFalse: insn.jf = Narrow(distance); break;
      }
    }
    return code_;
  }

 private:
  struct Fixup {
    size_t at;
    int label;
    enum Kind { kAlways, kTrue, kFalse } kind;
  };
  static uint8_t Narrow(uint32_t distance) {
    if (distance > 255) throw std::logic_error("BPF conditional jump too long");
    return static_cast<uint8_t>(distance);
  }
  void FarJump(uint16_t op, uint32_t k, int label, bool when_true) {
    const uint8_t take = 0, skip = 1;  // to the next instruction (the far jump) or past it
    code_.push_back(BPF_JUMP(BPF_JMP | op | BPF_K, k, when_true ? take : skip, when_true ? skip : take));
    Goto(label);
  }
  void Jump(uint16_t op, uint32_t k, int label, bool when_true) {
    fixups_.push_back({code_.size(), label, when_true ? Fixup::kTrue : Fixup::kFalse});
    code_.push_back(BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0));
  }

  std::vector<sock_filter> code_;
  std::vector<int> labels_;
  std::vector<Fixup> fixups_;
};

// What the number search does for one syscall: return a verdict, or go to a register check.
struct Leaf {
  bool check = false;
  uint32_t value = 0;  // a seccomp return value, or the label of the check
  bool operator==(const Leaf&) const = default;
};

// The first syscall number of a run of numbers with the same leaf.
struct Run {
  uint32_t first;
  Leaf leaf;
};

// Labels of the register checks; each ends in a shared return.
struct Checks {
  int allow, eperm, ebusy, notify;
  int ioctl, clone, personality, seccomp, socket, prlimit, sendto, sendmsg, sendmmsg, self_pid, priority, fcntl;
};

Leaf LeafFor(const SyscallRow& row, const FilterOptions& options, const Checks& c) {
  auto ret = [](uint32_t v) { return Leaf{false, v}; };
  auto check = [](int label) { return Leaf{true, static_cast<uint32_t>(label)}; };
  switch (row.rule) {
    case FilterRule::kAllow: return ret(SECCOMP_RET_ALLOW);
    case FilterRule::kNotify: return ret(SECCOMP_RET_USER_NOTIF);
    case FilterRule::kErrno: return ret(RetErrno(row.filter_errno));
    case FilterRule::kIoctl: return check(c.ioctl);
    case FilterRule::kClone: return check(c.clone);
    case FilterRule::kPersonality: return check(c.personality);
    case FilterRule::kSeccomp: return check(c.seccomp);
    case FilterRule::kSocket: return check(c.socket);
    case FilterRule::kSendto: return check(c.sendto);
    case FilterRule::kSendmsg: return check(row.nr == SYS_sendmmsg ? c.sendmmsg : c.sendmsg);
    case FilterRule::kFork: return ret(options.count_processes ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW);
    case FilterRule::kRlimit:
      if (options.guard_rlimits) return ret(SECCOMP_RET_USER_NOTIF);
      return row.nr == SYS_prlimit64 ? check(c.prlimit) : ret(SECCOMP_RET_ALLOW);
    case FilterRule::kSelfPid: return check(c.self_pid);
    case FilterRule::kPriority: return check(c.priority);
    case FilterRule::kFcntl: return check(c.fcntl);
  }
  return ret(SECCOMP_RET_USER_NOTIF);
}

// Runs of equal leaves over all syscall numbers; numbers missing from the table are notified
// (the supervisor answers ENOSYS and reports them).
std::vector<Run> NumberRuns(const FilterOptions& options, const Checks& c) {
  std::vector<std::pair<uint32_t, Leaf>> rows;
  for (const SyscallRow& row : SyscallTable()) rows.emplace_back(static_cast<uint32_t>(row.nr), LeafFor(row, options, c));
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  const Leaf unknown{false, SECCOMP_RET_USER_NOTIF};
  std::vector<Run> runs;
  auto add = [&](uint32_t first, const Leaf& leaf) {
    if (runs.empty() || !(runs.back().leaf == leaf)) runs.push_back({first, leaf});
  };
  uint32_t next = 0;
  for (const auto& [nr, leaf] : rows) {
    if (nr > next) add(next, unknown);
    add(nr, leaf);
    next = nr + 1;
  }
  add(next, unknown);
  return runs;
}

// A balanced binary search over the runs; A holds the syscall number throughout.
void EmitSearch(Assembler& a, std::span<const Run> runs) {
  if (runs.size() == 1) {
    if (runs[0].leaf.check) {
      a.Goto(static_cast<int>(runs[0].leaf.value));
    } else {
      a.Ret(runs[0].leaf.value);
    }
    return;
  }
  size_t mid = runs.size() / 2;
  int upper = a.NewLabel();
  a.GotoIfAtLeast(runs[mid].first, upper);
  EmitSearch(a, runs.first(mid));
  a.Bind(upper);
  EmitSearch(a, runs.subspan(mid));
}

// Register-dependent verdicts: each block ends in one of the shared returns.
void EmitChecks(Assembler& a, const FilterOptions& options, const Checks& c) {
  a.Bind(c.ioctl);
  a.Load(ArgLow(1));
  for (uint32_t request : kDeniedIoctls) a.JumpIfEqual(request, c.eperm);
  for (uint32_t request : kAllowedSocketIoctls) a.JumpIfEqual(request, c.allow);
  a.And(0xffffff00);
  a.JumpIfEqual(0x8900, c.eperm);
  a.Goto(c.allow);

  a.Bind(c.self_pid);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(0, c.eperm);
  a.Goto(c.allow);

  // setpriority(PRIO_PROCESS = 0, 0) and ioprio_set(IOPRIO_WHO_PROCESS = 1, 0): the caller only
  // (PRIO_USER with who 0 would renice every process of the user on the host).
  a.Bind(c.priority);
  const int prio_who = a.NewLabel();
  a.Load(kNrOffset);
  a.JumpIfEqual(SYS_ioprio_set, prio_who);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(0, c.eperm);
  a.Load(ArgLow(1));
  a.JumpIfNotEqual(0, c.eperm);
  a.Goto(c.allow);
  a.Bind(prio_who);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(1, c.eperm);
  a.Load(ArgLow(1));
  a.JumpIfNotEqual(0, c.eperm);
  a.Goto(c.allow);

  a.Bind(c.fcntl);
  a.Load(ArgLow(1));
  a.JumpIfEqual(F_SETOWN, c.notify);
  a.JumpIfEqual(F_SETOWN_EX, c.eperm);
  a.JumpIfEqual(F_SETLEASE, c.eperm);  // a lease stalls host processes that open the file
  a.Goto(c.allow);

  a.Bind(c.clone);
  a.Load(ArgLow(0));
  a.JumpIfAnySet(kCloneNewFlags, c.eperm);
  if (options.count_processes) {
    a.JumpIfAnySet(CLONE_THREAD, c.allow);  // threads are not processes
    a.Goto(c.notify);
  }
  a.Goto(c.allow);

  // personality(0) sets the default, 0xffffffff only queries; anything else (READ_IMPLIES_EXEC,
  // ADDR_NO_RANDOMIZE, ...) weakens the process.
  a.Bind(c.personality);
  a.Load(ArgLow(0));
  a.JumpIfEqual(0, c.allow);
  a.JumpIfEqual(0xffffffff, c.allow);
  a.Goto(c.eperm);

  // A second listener in the same filter chain fails with EBUSY in the kernel anyway; refuse
  // it up front so a nested supervisor cannot even try.
  a.Bind(c.seccomp);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(SECCOMP_SET_MODE_FILTER, c.allow);
  a.Load(ArgLow(1));
  a.JumpIfAnySet(SECCOMP_FILTER_FLAG_NEW_LISTENER, c.ebusy);
  a.Goto(c.allow);

  a.Bind(c.socket);
  a.Load(ArgLow(0));
  a.JumpIfEqual(AF_UNIX, c.notify);
  if (options.network_ip) {
    a.JumpIfEqual(AF_INET, c.notify);
    a.JumpIfEqual(AF_INET6, c.notify);
  }
  a.Ret(RetErrno(EACCES));

  // prlimit64 on another process (without a guard, the caller's own limits are its business).
  a.Bind(c.prlimit);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(0, c.eperm);
  a.Load(ArgHigh(0));
  a.JumpIfNotEqual(0, c.eperm);
  a.Goto(c.allow);

  a.Bind(c.sendto);
  a.Load(ArgLow(4));
  a.JumpIfNotEqual(0, c.notify);
  a.Load(ArgHigh(4));
  a.JumpIfNotEqual(0, c.notify);
  a.Goto(c.allow);

  // TCP Fast Open connects wherever msg_name says: refused unless the network is unrestricted.
  a.Bind(c.sendmsg);
  a.Load(ArgLow(2));
  if (!options.network_host) a.JumpIfAnySet(MSG_FASTOPEN, c.eperm);
  a.Goto(c.allow);
  a.Bind(c.sendmmsg);
  a.Load(ArgLow(3));
  if (!options.network_host) a.JumpIfAnySet(MSG_FASTOPEN, c.eperm);
  a.Goto(c.allow);

  a.Bind(c.eperm);
  a.Ret(RetErrno(EPERM));
  a.Bind(c.ebusy);
  a.Ret(RetErrno(EBUSY));
  a.Bind(c.notify);
  a.Ret(SECCOMP_RET_USER_NOTIF);
  a.Bind(c.allow);
  a.Ret(SECCOMP_RET_ALLOW);
}

}  // namespace

std::vector<sock_filter> BuildFilter(const FilterOptions& options) {
  Assembler a;
  Checks c{};
  for (int* label : {&c.allow, &c.eperm, &c.ebusy, &c.notify, &c.ioctl, &c.clone, &c.personality, &c.seccomp,
                     &c.socket, &c.prlimit, &c.sendto, &c.sendmsg, &c.sendmmsg, &c.self_pid, &c.priority, &c.fcntl}) {
    *label = a.NewLabel();
  }
  // Other ABIs (i386 through int 0x80, x32 numbers with bit 30) have other syscall numbers:
  // the process is killed. -1 is what a debugger sets to skip a syscall: ENOSYS, as natively.
  const int kill = a.NewLabel(), no_syscall = a.NewLabel();
  a.Load(kArchOffset);
  a.GotoIfNotEqual(AUDIT_ARCH_X86_64, kill);
  a.Load(kNrOffset);
  a.GotoIfEqual(0xffffffff, no_syscall);
  a.GotoIfAtLeast(0x40000000, kill);
  EmitSearch(a, NumberRuns(options, c));
  a.Bind(kill);
  a.Ret(SECCOMP_RET_KILL_PROCESS);
  a.Bind(no_syscall);
  a.Ret(RetErrno(ENOSYS));
  EmitChecks(a, options, c);
  std::vector<sock_filter> prog = a.Finish();
  if (prog.size() > BPF_MAXINSNS) throw std::runtime_error("seccomp filter too large");
  return prog;
}

}  // namespace bvisor
