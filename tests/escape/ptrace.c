// ptrace of a sibling, of the parent (the reaper), of an outside process; PTRACE_TRACEME.
#include <signal.h>
#include <sys/ptrace.h>

#include "escape.h"

int main(void) {
  pid_t sibling = fork();
  if (sibling == 0) {
    for (;;) pause();
  }
  pid_t targets[] = {sibling, getppid(), atoi(fx("ESC_VICTIM")), atoi(fx("ESC_BVISOR_PID"))};
  const char *names[] = {"sibling", "parent", "outside", "bvisor"};
  int ok = 0;
  for (int i = 0; i < 4; ++i) {
    if (ptrace(PTRACE_ATTACH, targets[i], 0, 0) == 0) ++ok, note("PTRACE_ATTACH %s works", names[i]);
    if (ptrace(PTRACE_SEIZE, targets[i], 0, 0) == 0) ++ok, note("PTRACE_SEIZE %s works", names[i]);
  }
  int e = errno;
  pid_t c = fork();
  if (c == 0) _exit(ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 ? 0 : 1);
  int st;
  waitpid(c, &st, 0);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ++ok, note("PTRACE_TRACEME works");
  kill(sibling, SIGKILL);
  waitpid(sibling, NULL, 0);
  if (ok) finish(ESCAPED, "ptrace is available");
  finish(CONTAINED, "ptrace: %s", strerror(e));
}
