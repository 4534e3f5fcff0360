// pidfd_open of outside processes (the victim, bvisor, the reaper, init), then a signal through
// the pidfd. A pidfd also works as a directory fd base for /proc tricks.
#include <signal.h>

#include "escape.h"

int main(void) {
  pid_t targets[] = {atoi(fx("ESC_VICTIM")), atoi(fx("ESC_BVISOR_PID")), getppid(), 1};
  const char *names[] = {"outside", "bvisor", "reaper", "init"};
  int ok = 0;
  for (int i = 0; i < 4; ++i) {
    int fd = (int)syscall(SYS_pidfd_open, targets[i], 0);
    if (fd < 0) continue;
    ++ok;
    note("pidfd_open(%s) worked", names[i]);
    if (i == 0 && syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0) note("and SIGKILL went through");
  }
  if (ok) finish(ESCAPED, "pidfds of outside processes are available");
  finish(CONTAINED, "pidfd_open refuses outside processes");
}
