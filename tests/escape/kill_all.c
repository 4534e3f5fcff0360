// kill(-1, SIGKILL): every process the caller may signal. Only sandbox members may die; the
// runner checks its outside processes afterwards. A member child shows the signal did work.
#include <signal.h>

#include "escape.h"

int main(void) {
  pid_t child = fork();
  if (child == 0) {
    for (;;) pause();
  }
  signal(SIGTERM, SIG_IGN);
  int r = kill(-1, SIGKILL);
  int e = errno;
  int st = 0;
  waitpid(child, &st, 0);
  note("kill(-1) = %d (%s), our child %s", r, r ? strerror(e) : "ok",
       WIFSIGNALED(st) ? "was killed" : "survived");
  kill(-1, SIGSTOP);  // the outside sleep must not be stopped either (not checked: harmless)
  kill(-1, SIGCONT);
  finish(CONTAINED, "kill(-1) issued; the runner checks the outside processes");
}
