// Signals to an outside process by pid: kill, tkill, tgkill, rt_sigqueueinfo,
// rt_tgsigqueueinfo, and pidfd_send_signal through a /proc/<pid> directory fd.
#include <signal.h>

#include "escape.h"

int main(void) {
  pid_t v = atoi(fx("ESC_VICTIM"));
  int ok = 0;
  if (kill(v, 0) == 0) ++ok, note("kill(victim, 0) answered: it exists");
  if (kill(v, SIGKILL) == 0) ++ok, note("kill works");
  if (syscall(SYS_tkill, v, SIGKILL) == 0) ++ok, note("tkill works");
  if (syscall(SYS_tgkill, v, v, SIGKILL) == 0) ++ok, note("tgkill works");
  if (syscall(SYS_tgkill, getpid(), v, SIGKILL) == 0) ++ok, note("tgkill(self, victim) works");
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  si.si_code = SI_QUEUE;
  si.si_pid = getpid();
  if (syscall(SYS_rt_sigqueueinfo, v, SIGKILL, &si) == 0) ++ok, note("rt_sigqueueinfo works");
  if (syscall(SYS_rt_tgsigqueueinfo, v, v, SIGKILL, &si) == 0) ++ok, note("rt_tgsigqueueinfo works");
  char p[64];
  snprintf(p, sizeof(p), "/proc/%d", v);
  int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0 && syscall(SYS_pidfd_send_signal, dfd, SIGKILL, NULL, 0) == 0) ++ok, note("pidfd_send_signal(/proc/pid) works");
  if (ok) finish(ESCAPED, "an outside process could be signalled");
  finish(CONTAINED, "no signal reached the outside process");
}
