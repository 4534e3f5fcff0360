// BPF generation. libseccomp emits the per-number part (architecture checks, allow / errno /
// notify by syscall number); a short hand-written prologue in front of it decides the few
// syscalls whose verdict depends on a register value, comparing exactly the 32 bits the
// kernel itself looks at (ioctl's request and clone's flags are truncated to 32 bits).
#include "filter.h"

#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "syscall_table.h"
#include "unique_fd.h"

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
    if (distance > 255) throw std::logic_error("BPF prologue jump too long");
    return static_cast<uint8_t>(distance);
  }
  void Jump(uint16_t op, uint32_t k, int label, bool when_true) {
    fixups_.push_back({code_.size(), label, when_true ? Fixup::kTrue : Fixup::kFalse});
    code_.push_back(BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0));
  }

  std::vector<sock_filter> code_;
  std::vector<int> labels_;
  std::vector<Fixup> fixups_;
};

// Register-dependent verdicts. Falls through to the libseccomp part (which allows these
// syscalls by number) when nothing here matched.
std::vector<sock_filter> Prologue(const FilterOptions& options) {
  Assembler a;
  const int done = a.NewLabel(), eperm = a.NewLabel(), ebusy = a.NewLabel(), notify = a.NewLabel();
  const int ioctl = a.NewLabel(), clone = a.NewLabel(), personality = a.NewLabel();
  const int seccomp = a.NewLabel(), socket = a.NewLabel(), prlimit = a.NewLabel();
  const int sendto = a.NewLabel(), sendmsg = a.NewLabel(), sendmmsg = a.NewLabel();
  const int self_pid = a.NewLabel(), priority = a.NewLabel(), fcntl = a.NewLabel();

  // A foreign ABI is left to the libseccomp part, which kills it.
  a.Load(kArchOffset);
  a.JumpIfNotEqual(AUDIT_ARCH_X86_64, done);
  a.Load(kNrOffset);
  for (const SyscallRow& row : SyscallTable()) {
    auto nr = static_cast<uint32_t>(row.nr);
    switch (row.rule) {
      case FilterRule::kIoctl: a.JumpIfEqual(nr, ioctl); break;
      case FilterRule::kClone: a.JumpIfEqual(nr, clone); break;
      case FilterRule::kPersonality: a.JumpIfEqual(nr, personality); break;
      case FilterRule::kSeccomp: a.JumpIfEqual(nr, seccomp); break;
      case FilterRule::kSocket: a.JumpIfEqual(nr, socket); break;
      case FilterRule::kSendto: a.JumpIfEqual(nr, sendto); break;
      case FilterRule::kSendmsg: a.JumpIfEqual(nr, nr == SYS_sendmmsg ? sendmmsg : sendmsg); break;
      case FilterRule::kFork:
        if (options.count_processes) a.JumpIfEqual(nr, notify);
        break;
      case FilterRule::kRlimit:
        if (options.guard_rlimits) {
          a.JumpIfEqual(nr, notify);
        } else if (nr == SYS_prlimit64) {
          a.JumpIfEqual(nr, prlimit);
        }
        break;
      case FilterRule::kSelfPid: a.JumpIfEqual(nr, self_pid); break;
      case FilterRule::kPriority: a.JumpIfEqual(nr, priority); break;
      case FilterRule::kFcntl: a.JumpIfEqual(nr, fcntl); break;
      case FilterRule::kAllow:
      case FilterRule::kNotify:
      case FilterRule::kErrno: break;
    }
  }
  a.Goto(done);

  a.Bind(ioctl);
  a.Load(ArgLow(1));
  for (uint32_t request : kDeniedIoctls) a.JumpIfEqual(request, eperm);
  for (uint32_t request : kAllowedSocketIoctls) a.JumpIfEqual(request, done);
  a.And(0xffffff00);
  a.JumpIfEqual(0x8900, eperm);
  a.Goto(done);

  a.Bind(self_pid);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(0, eperm);
  a.Goto(done);

  // setpriority(PRIO_PROCESS = 0, 0) and ioprio_set(IOPRIO_WHO_PROCESS = 1, 0): the caller only
  // (PRIO_USER with who 0 would renice every process of the user on the host).
  a.Bind(priority);
  const int prio_who = a.NewLabel();
  a.Load(kNrOffset);
  a.JumpIfEqual(SYS_ioprio_set, prio_who);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(0, eperm);
  a.Load(ArgLow(1));
  a.JumpIfNotEqual(0, eperm);
  a.Goto(done);
  a.Bind(prio_who);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(1, eperm);
  a.Load(ArgLow(1));
  a.JumpIfNotEqual(0, eperm);
  a.Goto(done);

  a.Bind(fcntl);
  a.Load(ArgLow(1));
  a.JumpIfEqual(F_SETOWN, notify);
  a.JumpIfEqual(F_SETOWN_EX, eperm);
  a.JumpIfEqual(F_SETLEASE, eperm);  // a lease stalls host processes that open the file
  a.Goto(done);

  a.Bind(clone);
  a.Load(ArgLow(0));
  a.JumpIfAnySet(kCloneNewFlags, eperm);
  if (options.count_processes) {
    a.JumpIfAnySet(CLONE_THREAD, done);  // threads are not processes
    a.Goto(notify);
  }
  a.Goto(done);

  // personality(0) sets the default, 0xffffffff only queries; anything else (READ_IMPLIES_EXEC,
  // ADDR_NO_RANDOMIZE, ...) weakens the process.
  a.Bind(personality);
  a.Load(ArgLow(0));
  a.JumpIfEqual(0, done);
  a.JumpIfEqual(0xffffffff, done);
  a.Goto(eperm);

  // A second listener in the same filter chain fails with EBUSY in the kernel anyway; refuse
  // it up front so a nested supervisor cannot even try.
  a.Bind(seccomp);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(SECCOMP_SET_MODE_FILTER, done);
  a.Load(ArgLow(1));
  a.JumpIfAnySet(SECCOMP_FILTER_FLAG_NEW_LISTENER, ebusy);
  a.Goto(done);

  a.Bind(socket);
  a.Load(ArgLow(0));
  a.JumpIfEqual(AF_UNIX, notify);
  if (options.network_ip) {
    a.JumpIfEqual(AF_INET, notify);
    a.JumpIfEqual(AF_INET6, notify);
  }
  a.Ret(RetErrno(EACCES));

  // prlimit64 on another process (without a guard, the caller's own limits are its business).
  a.Bind(prlimit);
  a.Load(ArgLow(0));
  a.JumpIfNotEqual(0, eperm);
  a.Load(ArgHigh(0));
  a.JumpIfNotEqual(0, eperm);
  a.Goto(done);

  a.Bind(sendto);
  a.Load(ArgLow(4));
  a.JumpIfNotEqual(0, notify);
  a.Load(ArgHigh(4));
  a.JumpIfNotEqual(0, notify);
  a.Goto(done);

  // TCP Fast Open connects wherever msg_name says: refused unless the network is unrestricted.
  a.Bind(sendmsg);
  a.Load(ArgLow(2));
  if (!options.network_host) a.JumpIfAnySet(MSG_FASTOPEN, eperm);
  a.Goto(done);
  a.Bind(sendmmsg);
  a.Load(ArgLow(3));
  if (!options.network_host) a.JumpIfAnySet(MSG_FASTOPEN, eperm);
  a.Goto(done);

  a.Bind(eperm);
  a.Ret(RetErrno(EPERM));
  a.Bind(ebusy);
  a.Ret(RetErrno(EBUSY));
  a.Bind(notify);
  a.Ret(SECCOMP_RET_USER_NOTIF);
  a.Bind(done);
  return a.Finish();
}

void Check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-rc));
}

std::vector<sock_filter> NumberPart() {
  // Unknown syscalls are notified: the supervisor answers ENOSYS and counts them.
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
  if (ctx == nullptr) throw std::runtime_error("seccomp_init failed");
  struct Release {
    scmp_filter_ctx c;
    ~Release() { seccomp_release(c); }
  } release{ctx};
  for (const SyscallRow& row : SyscallTable()) {
    uint32_t action = 0;
    switch (row.rule) {
      case FilterRule::kNotify:
      case FilterRule::kSocket: continue;  // the default action, or decided in the prologue
      case FilterRule::kErrno: action = SCMP_ACT_ERRNO(static_cast<uint32_t>(row.filter_errno)); break;
      case FilterRule::kAllow:
      case FilterRule::kClone:
      case FilterRule::kIoctl:
      case FilterRule::kPersonality:
      case FilterRule::kSeccomp:
      case FilterRule::kSendto:
      case FilterRule::kSendmsg:
      case FilterRule::kFork:
      case FilterRule::kRlimit:
      case FilterRule::kSelfPid:
      case FilterRule::kPriority:
      case FilterRule::kFcntl: action = SCMP_ACT_ALLOW; break;
    }
    Check(seccomp_rule_add(ctx, action, row.nr, 0), "seccomp_rule_add");
  }
  // An in-memory file so that libseccomp's exporter needs no path.
  UniqueFd mem(memfd_create("bvisor-bpf", MFD_CLOEXEC));
  if (!mem) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  Check(seccomp_export_bpf(ctx, mem.Get()), "seccomp_export_bpf");
  off_t size = lseek(mem.Get(), 0, SEEK_END);
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(mem.Get(), prog.data(), static_cast<size_t>(size), 0) != size)
    throw std::runtime_error("reading the exported BPF failed");
  return prog;
}

}  // namespace

std::vector<sock_filter> BuildFilter(const FilterOptions& options) {
  std::vector<sock_filter> prog = Prologue(options);
  std::vector<sock_filter> rest = NumberPart();
  prog.insert(prog.end(), rest.begin(), rest.end());
  if (prog.size() > BPF_MAXINSNS) throw std::runtime_error("seccomp filter too large");
  return prog;
}

}  // namespace bvisor
