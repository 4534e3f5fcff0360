// unshare(2) and setns(2) into our own namespaces (by /proc/self/ns and by pidfd).
#include <sched.h>

#include "escape.h"

int main(void) {
  int ok = 0;
  const int flags[] = {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNS, CLONE_FS, CLONE_FILES};
  for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); ++i)
    if (unshare(flags[i]) == 0) ++ok, note("unshare(%#x) worked", flags[i]);
  int e = errno;
  int ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (ns >= 0 && setns(ns, 0) == 0) ++ok, note("setns(/proc/self/ns/mnt) worked");
  int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (pidfd >= 0 && setns(pidfd, CLONE_NEWNS) == 0) ++ok, note("setns(pidfd) worked");
  if (ok) finish(ESCAPED, "namespace syscalls are available");
  finish(CONTAINED, "unshare/setns: %s", strerror(e));
}
