// The exec/chdir redirect (design and TOCTOU analysis in redirect.h).
#include "redirect.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "exec_inspect.h"
#include "sandbox.h"
#include "tracee_memory.h"

namespace bvisor {
namespace {

constexpr uint64_t kSyscallInsn = 0x050f;  // "syscall", little-endian
constexpr size_t kRedZone = 128;
constexpr size_t kMaxArgs = 1 << 16;

// Registers of a thread blocked in a syscall, from /proc/<tid>/syscall ("nr a0..a5 sp pc").
bool BlockedRegisters(pid_t tid, uint64_t* sp, uint64_t* pc) {
  char path[64], buf[512];
  std::snprintf(path, sizeof(path), "/proc/%d/syscall", tid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  ssize_t n = fd ? read(fd.Get(), buf, sizeof(buf) - 1) : -1;
  if (n <= 0) return false;
  buf[n] = '\0';
  unsigned long long v[9];
  if (std::sscanf(buf, "%*d %llx %llx %llx %llx %llx %llx %llx %llx", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &v[6], &v[7]) != 8) {
    return false;
  }
  *sp = v[6];
  *pc = v[7];
  return true;
}

// Scratch data written below the tracee's stack pointer before it is rewound.
class Scratch {
 public:
  explicit Scratch(uint64_t sp) : top_(sp - kRedZone) {}
  // Appends a string; returns its future address.
  uint64_t String(const std::string& s) {
    uint64_t at = Offset(s.size() + 1);
    std::memcpy(bytes_.data() + (at - base_guess_), s.c_str(), s.size() + 1);
    return at;
  }
  void Layout(size_t total) {
    base_guess_ = (top_ - total) & ~uint64_t{15};
    bytes_.assign(static_cast<size_t>(top_ - base_guess_), 0);
    used_ = 0;
  }
  uint64_t Pointers(const std::vector<uint64_t>& ptrs) {
    uint64_t at = Offset(ptrs.size() * 8 + 8);
    at = (at + 7) & ~uint64_t{7};
    std::memcpy(bytes_.data() + (at - base_guess_), ptrs.data(), ptrs.size() * 8);
    return at;
  }
  int Write(pid_t tid) { return WriteTraceeMemory(tid, base_guess_, bytes_.data(), bytes_.size()); }

 private:
  uint64_t Offset(size_t len) {
    uint64_t at = base_guess_ + used_;
    used_ += len + 8;
    return at;
  }
  uint64_t top_;
  uint64_t base_guess_ = 0;
  size_t used_ = 0;
  std::vector<char> bytes_;
};

class Tracer {
 public:
  explicit Tracer(pid_t tid) : tid_(tid) {}

  // Waits for the next stop; false when the tracee is gone. Signal-delivery stops on the way
  // are passed on to the tracee (its handlers run before the rewritten syscall).
  bool Next(int* status, int resume_request) {
    for (;;) {
      pid_t r = waitpid(tid_, status, __WALL);
      if (r < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (!WIFSTOPPED(*status)) return false;
      int sig = WSTOPSIG(*status);
      bool syscall_stop = sig == (SIGTRAP | 0x80);
      bool event = (*status >> 16) != 0;
      if (syscall_stop || event) return true;
      ptrace(static_cast<__ptrace_request>(resume_request), tid_, 0, sig);
    }
  }
  bool Syscall() { return ptrace(PTRACE_SYSCALL, tid_, 0, 0) == 0; }
  bool GetRegs(user_regs_struct& r) { return ptrace(PTRACE_GETREGS, tid_, 0, &r) == 0; }
  bool SetRegs(const user_regs_struct& r) { return ptrace(PTRACE_SETREGS, tid_, 0, &r) == 0; }
  void Detach() { ptrace(PTRACE_DETACH, tid_, 0, 0); }

  // Runs one syscall in the stopped tracee (rewound onto its own syscall instruction) and
  // returns its result; `on_entry` runs between the entry stop and the syscall itself.
  bool Inject(const user_regs_struct& at, uint64_t nr, uint64_t a0, int64_t* result) {
    user_regs_struct r = at;
    r.rip -= 2;
    r.rax = nr;
    r.orig_rax = static_cast<uint64_t>(-1);
    r.rdi = a0;
    int status;
    if (!SetRegs(r) || !Syscall() || !Next(&status, PTRACE_SYSCALL)) return false;  // entry
    if (!Syscall() || !Next(&status, PTRACE_SYSCALL)) return false;                  // exit
    if (!GetRegs(r)) return false;
    *result = static_cast<int64_t>(r.rax);
    return true;
  }

 private:
  pid_t tid_;
};

// Waits for the notification the tracee raises for the rewritten execveat and lets it run;
// other tracees' notifications are kept for the loop.
bool ContinueRewrittenExec(Sandbox& sb, pid_t tid, int fd_number) {
  for (int waited_ms = 0; waited_ms < 10000;) {
    pollfd p{sb.notifier.Fd(), POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) {
      waited_ms += 50;
      int status;
      if (waitpid(tid, &status, __WALL | WNOHANG | WNOWAIT) == tid && !WIFSTOPPED(status)) return false;
      continue;
    }
    seccomp_notif n;
    if (sb.notifier.Receive(n) != 0) continue;
    if (static_cast<pid_t>(n.pid) != tid) {
      sb.deferred.push_back(n);
      continue;
    }
    if (n.data.nr == SYS_execveat && static_cast<int>(n.data.args[0]) == fd_number) {
      // TOCTOU: the file is named by the fd bvisor installed (a register); see redirect.h for
      // the path argument, and the exe check after the exec event.
      sb.notifier.RespondContinue(n.id);
      return true;
    }
    sb.notifier.RespondError(n.id, EPERM);
    return false;
  }
  return false;
}

std::optional<Reply> Redirect(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, UniqueFd target, bool exec,
                              const Node* node) {
  if (sb.ptrace_unavailable) return std::nullopt;
  const pid_t tid = static_cast<pid_t>(n.pid);
  uint64_t sp = 0, pc = 0;
  if (!BlockedRegisters(tid, &sp, &pc)) return Reply::Error(ESRCH);
  uint64_t insn = 0;
  if (ReadTraceeMemory(tid, pc - 2, &insn, 2) != 0 || (insn & 0xffff) != kSyscallInsn) {
    return sb.Deny(n, row, node != nullptr ? node->vpath : "", ENOEXEC, "redirect needs a syscall instruction");
  }

  // For exec: the new argument vector (scripts) and the empty path, prepared before anything
  // irrevocable happens so that failures are plain errors.
  Scratch scratch(sp);
  uint64_t empty_path = 0, new_argv = 0;
  UniqueFd exec_fd = std::move(target);
  struct stat expected {};
  if (exec) {
    const bool at = row.nr == SYS_execveat;
    uint64_t argv_addr = at ? n.data.args[2] : n.data.args[1];
    Shebang shebang;
    std::vector<uint64_t> argv;
    std::string raw;
    if (ParseShebang(node->real, shebang)) {
      ErrnoOr<std::string> path = sb.ReadPath(n, at ? 1 : 0);
      if (!path.Ok()) return Reply::Error(path.Error());
      raw = *path;
      ErrnoOr<Node> interp = sb.ResolveAt(n, -1, shebang.interpreter, true);
      if (!interp.Ok() || !interp->Exists()) return sb.Fail(n, row, interp.Ok() ? ENOENT : interp.Error(), shebang.interpreter);
      if (!S_ISREG(interp->st.st_mode)) return Reply::Error(EACCES);
      exec_fd.Reset(open(interp->real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
      if (!exec_fd) return Reply::Error(errno);
      sb.report.AddExec(interp->vpath, tid);
      // Old argv pointers after argv[0].
      for (size_t i = 1; i < kMaxArgs; ++i) {
        uint64_t p = 0;
        if (argv_addr == 0 || ReadTraceeMemory(tid, argv_addr + 8 * i, &p, 8) != 0) {
          if (i == 1) break;  // argv may be empty
          return Reply::Error(EFAULT);
        }
        if (p == 0) break;
        argv.push_back(p);
      }
      if (argv_addr != 0) {
        uint64_t first = 0;
        if (ReadTraceeMemory(tid, argv_addr, &first, 8) != 0) return Reply::Error(EFAULT);
        if (first == 0) argv.clear();
      }
    }
    if (fstat(exec_fd.Get(), &expected) != 0) return Reply::Error(errno);
    size_t total = 128 + shebang.interpreter.size() + shebang.arg.size() + raw.size() + 16 * (argv.size() + 8);
    scratch.Layout(total);
    empty_path = scratch.String("");
    if (!shebang.interpreter.empty()) {
      std::vector<uint64_t> ptrs{scratch.String(shebang.interpreter)};
      if (!shebang.arg.empty()) ptrs.push_back(scratch.String(shebang.arg));
      ptrs.push_back(scratch.String(raw));
      ptrs.insert(ptrs.end(), argv.begin(), argv.end());
      new_argv = scratch.Pointers(ptrs);
    }
    if (scratch.Write(tid) != 0) return Reply::Error(E2BIG);
  }

  // Attach first: if ptrace is forbidden here (Yama, a container profile), nothing has been
  // done yet and the caller can fall back.
  if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) != 0) {
    if (errno == EPERM || errno == EACCES) {
      sb.ptrace_unavailable = true;
      spdlog::info("ptrace unavailable ({}): exec and chdir continue in the kernel", std::strerror(errno));
    }
    return std::nullopt;
  }
  int fd_number = sb.notifier.AddFd(n.id, exec_fd.Get(), true, false);
  if (fd_number < 0) {
    ptrace(PTRACE_DETACH, tid, 0, 0);
    return fd_number == -ENOENT ? Reply::Handled() : Reply::Error(-fd_number);
  }
  ptrace(PTRACE_INTERRUPT, tid, 0, 0);
  sb.notifier.RespondValue(n.id, 0);  // the tracee now stops before returning to user space

  Tracer t(tid);
  int status = 0;
  user_regs_struct saved{};
  if (!t.Next(&status, PTRACE_CONT) || !t.GetRegs(saved)) return Reply::Handled();
  spdlog::debug("redirect: tid {} stopped (status {:#x}), fd {}, rax {:#x} rip {:#x}", tid, status, fd_number,
                saved.rax, saved.rip);
  int64_t result = 0;
  if (!exec) {
    if (!t.Inject(saved, SYS_fchdir, static_cast<uint64_t>(fd_number), &result)) return Reply::Handled();
    spdlog::debug("redirect: fchdir({}) = {}", fd_number, result);
  } else {
    user_regs_struct r = saved;
    const bool at = row.nr == SYS_execveat;
    r.rip -= 2;
    r.orig_rax = static_cast<uint64_t>(-1);
    r.rax = SYS_execveat;
    r.rdi = static_cast<uint64_t>(fd_number);
    r.rsi = empty_path;
    r.rdx = new_argv != 0 ? new_argv : (at ? saved.rdx : saved.rsi);
    r.r10 = at ? saved.r10 : saved.rdx;
    r.r8 = AT_EMPTY_PATH;
    if (!t.SetRegs(r) || !t.Syscall() || !t.Next(&status, PTRACE_SYSCALL)) return Reply::Handled();  // entry
    if (!t.Syscall()) return Reply::Handled();
    if (!ContinueRewrittenExec(sb, tid, fd_number)) return Reply::Handled();
    if (!t.Next(&status, PTRACE_SYSCALL)) return Reply::Handled();
    if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
      // Exec done; before the new image runs one instruction, make sure it is what we checked.
      struct stat exe {};
      char link[64];
      std::snprintf(link, sizeof(link), "/proc/%d/exe", tid);
      if (stat(link, &exe) != 0 || exe.st_ino != expected.st_ino || exe.st_dev != expected.st_dev) {
        kill(tid, SIGKILL);
        sb.report.AddDenial(row.name, node->vpath, "exec target swapped during the redirect", EPERM, tid);
      }
      t.Detach();
      return Reply::Handled();
    }
    user_regs_struct after{};
    if (!t.GetRegs(after)) return Reply::Handled();
    result = static_cast<int64_t>(after.rax);
  }
  // Close our fd in the tracee and give it back the registers it had, with the result.
  int64_t ignored = 0;
  t.Inject(saved, SYS_close, static_cast<uint64_t>(fd_number), &ignored);
  saved.rax = static_cast<uint64_t>(result);
  t.SetRegs(saved);
  t.Detach();
  return Reply::Handled();
}

}  // namespace

std::optional<Reply> RedirectChdir(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, UniqueFd dir) {
  return Redirect(sb, n, row, std::move(dir), false, nullptr);
}

std::optional<Reply> RedirectExec(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, UniqueFd file,
                                  const Node& node) {
  return Redirect(sb, n, row, std::move(file), true, &node);
}

}  // namespace bvisor
