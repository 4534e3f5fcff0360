// Signals to the supervisor and the reaper (pids from the parent chain, from a guess, and the
// one the runner passes in): SIGSTOP would freeze every notified syscall, SIGKILL ends the
// sandbox's supervision.
#include <signal.h>

#include "escape.h"

int main(void) {
  pid_t reaper = getppid(), bvisor = atoi(fx("ESC_BVISOR_PID"));
  pid_t targets[] = {reaper, bvisor, reaper - 1};
  const char *names[] = {"reaper", "bvisor", "reaper-1"};
  int ok = 0;
  for (int i = 0; i < 3; ++i) {
    if (kill(targets[i], 0) == 0) ++ok, note("kill(%s, 0) answered", names[i]);
    if (kill(targets[i], SIGSTOP) == 0) ++ok, note("SIGSTOP %s worked", names[i]), kill(targets[i], SIGCONT);
    if (syscall(SYS_tgkill, targets[i], targets[i], SIGTERM) == 0) ++ok, note("tgkill %s worked", names[i]);
    if (kill(targets[i], SIGKILL) == 0) ++ok, note("SIGKILL %s worked", names[i]);
  }
  if (kill(-getpgid(reaper), SIGUSR1) == 0) ++ok, note("kill(-pgid of the reaper) worked");
  if (!supervisor_alive()) finish(ESCAPED, "the supervisor is gone");
  if (ok) finish(ESCAPED, "the supervisor or the reaper could be signalled");
  finish(CONTAINED, "bvisor and the reaper are out of reach");
}
