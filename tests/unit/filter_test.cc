// The generated BPF program, run through the kernel's own interpreter (a filter loaded in a
// forked child) to check the register-dependent verdicts.
#include <doctest/doctest.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "filter.h"

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
  // x32 numbers carry bit 30; libseccomp's architecture checks kill the caller.
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
