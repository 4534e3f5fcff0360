// Invalid pointers in every argument the supervisor reads or writes: NULL, 1, a kernel address,
// an unmapped page, a read-only page for output buffers. Each call must fail (EFAULT or the
// like) and the supervisor must survive all of them.
#include <linux/openat2.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "escape.h"

int main(void) {
  const char *allowed = fx("ESC_ALLOWED");
  char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(gone, 4096);
  const uintptr_t bad[] = {0, 1, 0xffffffff81000000UL, (uintptr_t)gone, 0x7fffffffffffUL};
  int successes = 0, calls = 0;
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  strcpy(sun.sun_path, "/tmp/efault.sock");
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); ++i) {
    void *b = (void *)bad[i];
    long r[] = {
        syscall(SYS_open, b, O_RDONLY),
        syscall(SYS_openat, AT_FDCWD, b, O_RDONLY),
        syscall(SYS_openat2, AT_FDCWD, allowed, b, sizeof(struct open_how)),
        syscall(SYS_stat, b, ro),
        syscall(SYS_stat, allowed, b),
        syscall(SYS_newfstatat, AT_FDCWD, allowed, ro, 0),
        syscall(SYS_statx, AT_FDCWD, allowed, 0, STATX_ALL, b),
        syscall(SYS_readlink, "/proc/self/exe", b, 100),
        syscall(SYS_getcwd, b, 4096),
        syscall(SYS_connect, s, b, sizeof(sun)),
        syscall(SYS_bind, s, b, sizeof(sun)),
        syscall(SYS_sendto, s, b, 100, 0, &sun, sizeof(sun)),
        syscall(SYS_sendto, s, "x", 1, 0, b, sizeof(sun)),
        syscall(SYS_rename, b, "/tmp/x"),
        syscall(SYS_rename, allowed, b),
        syscall(SYS_symlink, b, "/tmp/y"),
        syscall(SYS_mkdir, b, 0755),
        syscall(SYS_unlink, b),
        syscall(SYS_chdir, b),
        syscall(SYS_execve, b, NULL, NULL),
        syscall(SYS_getxattr, allowed, b, ro, 10),
        syscall(SYS_getxattr, allowed, "user.x", b, 10),
        syscall(SYS_listxattr, allowed, b, 100),
        syscall(SYS_utimensat, AT_FDCWD, "/tmp", b, 0),
        syscall(SYS_rt_sigqueueinfo, getpid(), SIGCONT, b),
        syscall(SYS_statfs, allowed, b),
        syscall(SYS_setxattr, "/tmp", "user.x", b, 10, 0),
        syscall(SYS_access, b, F_OK),
        syscall(SYS_inotify_add_watch, 0, b, 0),
    };
    for (size_t k = 0; k < sizeof(r) / sizeof(*r); ++k) {
      ++calls;
      // utimensat(times=NULL) is the one call a NULL pointer makes valid, listxattr of a file
      // without attributes writes nothing; the read-only
      // page is an output buffer the supervisor cannot write.
      if (r[k] >= 0 && !(k == 23 && i == 0) && !(k == 22 && r[k] == 0)) ++successes, note("call %zu with pointer %#lx returned %ld", k, (unsigned long)bad[i], r[k]);
    }
  }
  long r = syscall(SYS_getcwd, ro, 4096);  // writing into a read-only page
  if (r >= 0) note("getcwd into a read-only page succeeded");
  if (!supervisor_alive()) finish(ESCAPED, "the supervisor stopped answering after bad pointers");
  if (successes) note("%d of %d calls with a bad pointer reported success", successes, calls);
  finish(CONTAINED, "%d calls with bad pointers, the supervisor is alive", calls);
}
