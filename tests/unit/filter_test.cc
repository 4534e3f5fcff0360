// The generated BPF program, run through the kernel's own interpreter (a filter loaded in a
// forked child) to check the register-dependent verdicts.
#include <doctest/doctest.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <set>

#include "filter.h"
#include "syscall_table.h"

namespace bvisor {
namespace {

// Runs `probe` in a child under the filter (no listener: notified syscalls fail with ENOSYS);
// returns the child's exit status.
int UnderFilter(const std::function<int()>& probe) {
  std::vector<sock_filter> prog = BuildFilter(FilterOptions{});
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) _exit(100);
    _exit(probe());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

int Errno(long rc) { return rc < 0 ? errno : 0; }

}  // namespace

TEST_CASE("filter: register-dependent verdicts") {
  struct Case {
    const char* what;
    std::function<int()> probe;
    int expected_exit;
  } cases[] = {
      {"TIOCSTI refused", [] { return Errno(syscall(SYS_ioctl, 0, TIOCSTI, "x")); }, EPERM},
      {"TIOCSTI with high bits refused",
       [] { return Errno(syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, "x")); }, EPERM},
      {"TIOCLINUX refused", [] { return Errno(syscall(SYS_ioctl, 0, TIOCLINUX, "x")); }, EPERM},
      {"other ioctls pass", [] { return Errno(syscall(SYS_ioctl, 999, TCGETS, nullptr)) == EBADF ? 0 : 1; }, 0},
      {"clone with CLONE_NEWUSER refused", [] { return Errno(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)); }, EPERM},
      {"personality(READ_IMPLIES_EXEC) refused", [] { return Errno(syscall(SYS_personality, 0x0400000)); }, EPERM},
      {"personality query allowed", [] { return syscall(SYS_personality, 0xffffffff) >= 0 ? 0 : 1; }, 0},
      {"seccomp new listener refused",
       [] { return Errno(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, nullptr)); },
       EBUSY},
      {"IP sockets refused while the network is off", [] { return Errno(syscall(SYS_socket, 2, 1, 0)); }, EACCES},
      {"prlimit64 on another process refused", [] { return Errno(syscall(SYS_prlimit64, 1, 0, nullptr, nullptr)); }, EPERM},
      {"io_uring_setup refused", [] { return Errno(syscall(SYS_io_uring_setup, 1, nullptr)); }, EPERM},
      {"unknown syscalls notified (ENOSYS without a listener)", [] { return Errno(syscall(SYS_openat, -100, "/", 0)); }, ENOSYS},
      {"getpid allowed", [] { return syscall(SYS_getpid) > 0 ? 0 : 1; }, 0},
      {"TIOCCONS refused", [] { return Errno(syscall(SYS_ioctl, 0, 0x541D, 0)); }, EPERM},
      {"FIFREEZE refused", [] { return Errno(syscall(SYS_ioctl, 0, 0xC0045877, 0)); }, EPERM},
      {"SIOCSIFMTU refused", [] { return Errno(syscall(SYS_ioctl, 0, 0x8922, 0)); }, EPERM},
      {"FIOSETOWN refused", [] { return Errno(syscall(SYS_ioctl, 0, 0x8901, 0)); }, EPERM},
      {"SIOCGIFFLAGS passes", [] { return Errno(syscall(SYS_ioctl, 999, 0x8913, 0)) == EBADF ? 0 : 1; }, 0},
      {"setpriority(PRIO_USER) refused", [] { return Errno(syscall(SYS_setpriority, 2, 0, 10)); }, EPERM},
      {"setpriority of another pid refused", [] { return Errno(syscall(SYS_setpriority, 0, 1, 10)); }, EPERM},
      {"setpriority of self allowed", [] { return Errno(syscall(SYS_setpriority, 0, 0, 1)); }, 0},
      {"sched_setaffinity of another pid refused", [] { return Errno(syscall(SYS_sched_setaffinity, 1, 0, nullptr)); }, EPERM},
      {"F_SETOWN_EX refused", [] { return Errno(syscall(SYS_fcntl, 0, 15 /* F_SETOWN_EX */, nullptr)); }, EPERM},
      {"F_SETOWN notified", [] { return Errno(syscall(SYS_fcntl, 0, 8 /* F_SETOWN */, 1)); }, ENOSYS},
      {"System V IPC refused", [] { return Errno(syscall(SYS_shmget, 1234, 4096, 0)); }, ENOSYS},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    int status = UnderFilter(c.probe);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == c.expected_exit);
  }
}

TEST_CASE("filter: x32 and i386 system calls never reach the kernel") {
  // x32 numbers carry bit 30, i386 ones come with another audit arch: the caller is killed.
  int status = UnderFilter([] { return static_cast<int>(syscall(0x40000000 | SYS_getpid)); });
  CHECK(WIFSIGNALED(status));
  status = UnderFilter([] {
    long ret;
    asm volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");  // i386 getpid
    return 0;
  });
  CHECK(WIFSIGNALED(status));
}

}  // namespace bvisor

namespace bvisor {
namespace {

// A classic-BPF interpreter for the instructions the generator emits, so that every syscall
// number can be checked without loading a filter per number.
uint32_t Evaluate(const std::vector<sock_filter>& prog, const seccomp_data& data) {
  uint32_t a = 0;
  size_t pc = 0;
  for (int steps = 0; steps < 4096; ++steps) {
    REQUIRE(pc < prog.size());
    const sock_filter& i = prog[pc++];
    switch (i.code) {
      case BPF_LD | BPF_W | BPF_ABS: std::memcpy(&a, reinterpret_cast<const char*>(&data) + i.k, 4); break;
      case BPF_ALU | BPF_AND | BPF_K: a &= i.k; break;
      case BPF_JMP | BPF_JA: pc += i.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i.k ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i.k ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i.k) != 0 ? i.jt : i.jf; break;
      case BPF_RET | BPF_K: return i.k;
      default: FAIL("unexpected BPF instruction " << i.code); return 0;
    }
  }
  FAIL("BPF program did not return");
  return 0;
}

uint32_t VerdictFor(const std::vector<sock_filter>& prog, uint32_t nr, uint32_t arch = AUDIT_ARCH_X86_64) {
  seccomp_data data{};
  data.nr = static_cast<int>(nr);
  data.arch = arch;
  return Evaluate(prog, data);
}

}  // namespace

TEST_CASE("filter: every syscall number gets the table's verdict") {
  for (bool counted : {false, true}) {
    FilterOptions options;
    options.count_processes = counted;
    options.guard_rlimits = counted;
    std::vector<sock_filter> prog = BuildFilter(options);
    std::set<uint32_t> known;
    for (const SyscallRow& row : SyscallTable()) {
      CAPTURE(row.name);
      CAPTURE(counted);
      known.insert(static_cast<uint32_t>(row.nr));
      uint32_t got = VerdictFor(prog, static_cast<uint32_t>(row.nr));  // every argument 0
      uint32_t allow = SECCOMP_RET_ALLOW, notify = SECCOMP_RET_USER_NOTIF;
      switch (row.rule) {
        case FilterRule::kAllow: CHECK(got == allow); break;
        case FilterRule::kNotify: CHECK(got == notify); break;
        case FilterRule::kErrno: CHECK(got == (SECCOMP_RET_ERRNO | static_cast<uint32_t>(row.filter_errno))); break;
        case FilterRule::kSocket: CHECK(got == (SECCOMP_RET_ERRNO | EACCES)); break;  // family 0
        case FilterRule::kFork: CHECK(got == (counted ? notify : allow)); break;
        case FilterRule::kRlimit: CHECK(got == (counted ? notify : allow)); break;
        case FilterRule::kPriority:  // ioprio_set's "who" 0 is not IOPRIO_WHO_PROCESS
          CHECK(got == (row.nr == SYS_ioprio_set ? (SECCOMP_RET_ERRNO | EPERM) : allow));
          break;
        case FilterRule::kClone: CHECK(got == (counted ? notify : allow)); break;
        case FilterRule::kIoctl:
        case FilterRule::kPersonality:
        case FilterRule::kSeccomp:
        case FilterRule::kSendto:
        case FilterRule::kSendmsg:
        case FilterRule::kSelfPid:
        case FilterRule::kFcntl: CHECK(got == allow); break;
      }
    }
    for (uint32_t nr = 0; nr < 2048; ++nr) {
      if (known.count(nr) == 0) CHECK(VerdictFor(prog, nr) == SECCOMP_RET_USER_NOTIF);
    }
    CHECK(VerdictFor(prog, 0xffffffff) == (SECCOMP_RET_ERRNO | ENOSYS));
    for (uint32_t nr : {0x40000000u, 0x40000000u | SYS_getpid, 0x7fffffffu, 0x80000000u, 0xfffffffeu}) {
      CHECK(VerdictFor(prog, nr) == SECCOMP_RET_KILL_PROCESS);
    }
    CHECK(VerdictFor(prog, SYS_getpid, AUDIT_ARCH_I386) == SECCOMP_RET_KILL_PROCESS);
  }
}

}  // namespace bvisor
