// Cross-process memory and fds: process_vm_readv/writev, pidfd_getfd and kcmp against bvisor,
// the reaper, an outside process and a sibling.
#include <signal.h>
#include <sys/uio.h>

#include "escape.h"

int main(void) {
  pid_t sibling = fork();
  if (sibling == 0) {
    for (;;) pause();
  }
  pid_t targets[] = {atoi(fx("ESC_BVISOR_PID")), getppid(), atoi(fx("ESC_VICTIM")), sibling};
  const char *names[] = {"bvisor", "reaper", "outside", "sibling"};
  int ok = 0;
  char buf[64] = "PWNED";
  for (int i = 0; i < 4; ++i) {
    struct iovec l = {buf, sizeof(buf)}, r = {(void *)0x400000, sizeof(buf)};
    if (process_vm_readv(targets[i], &l, 1, &r, 1, 0) >= 0 || errno == EFAULT) ++ok, note("readv %s", names[i]);
    if (process_vm_writev(targets[i], &l, 1, &r, 1, 0) >= 0 || errno == EFAULT) ++ok, note("writev %s", names[i]);
    if (syscall(SYS_kcmp, getpid(), targets[i], 0, 0, 0) >= 0) ++ok, note("kcmp %s", names[i]);
  }
  int e = errno;
  int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (self >= 0 && syscall(SYS_pidfd_getfd, self, 1, 0) >= 0) ++ok, note("pidfd_getfd works");
  kill(sibling, SIGKILL);
  waitpid(sibling, NULL, 0);
  if (ok) finish(ESCAPED, "cross-process memory access is available");
  finish(CONTAINED, "process_vm_*/kcmp/pidfd_getfd: %s", strerror(e));
}
