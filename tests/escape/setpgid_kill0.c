// Join bvisor's process group (learnt with getpgid on the parent), then kill(0, SIGUSR1) and
// kill(-pgid, SIGUSR1): a host process waiting in that group logs any SIGUSR1 that reaches it.
#include <signal.h>

#include "escape.h"

int main(void) {
  pid_t reaper = getppid();
  pid_t pg = getpgid(reaper);
  note("the reaper's group is %d", pg);
  if (setpgid(0, pg) == 0) note("joined it");
  else note("setpgid: %s", strerror(errno));
  signal(SIGUSR1, SIG_IGN);
  int a = kill(0, SIGUSR1);
  int b = kill(-pg, SIGUSR1);
  pid_t gv = getenv("ESC_GROUP_VICTIM") ? atoi(getenv("ESC_GROUP_VICTIM")) : 0;
  int c = gv > 0 ? kill(gv, SIGUSR1) : -1;
  usleep(300000);
  note("kill(0) = %d, kill(-pgid) = %d, kill(group victim) = %d", a, b, c);
  finish(CONTAINED, "signals sent; the runner checks the group's host process");
}
