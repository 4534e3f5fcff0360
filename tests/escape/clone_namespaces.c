// New namespaces through clone(2) (flags in a register, the low 32 bits that the kernel uses,
// plus garbage in the high bits) and clone3(2) (flags in memory).
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>

#include "escape.h"

int main(void) {
  const struct { unsigned long flag; const char *name; } f[] = {
      {CLONE_NEWUSER, "NEWUSER"}, {CLONE_NEWNS, "NEWNS"},   {CLONE_NEWNET, "NEWNET"}, {CLONE_NEWPID, "NEWPID"},
      {CLONE_NEWIPC, "NEWIPC"},   {CLONE_NEWUTS, "NEWUTS"}, {CLONE_NEWCGROUP, "NEWCGROUP"},
      {CLONE_NEWUSER | 0xff00000000UL, "NEWUSER+high bits"}};
  int made = 0;
  for (size_t i = 0; i < sizeof(f) / sizeof(*f); ++i) {
    fflush(stdout);
    long pid = syscall(SYS_clone, f[i].flag | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid > 0) {
      waitpid((pid_t)pid, NULL, 0);
      ++made;
      note("clone(CLONE_%s) worked", f[i].name);
    }
  }
  struct clone_args ca;
  memset(&ca, 0, sizeof(ca));
  ca.flags = CLONE_NEWUSER | CLONE_NEWNS;
  ca.exit_signal = SIGCHLD;
  fflush(stdout);
  long pid = syscall(SYS_clone3, &ca, sizeof(ca));
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0), ++made, note("clone3(NEWUSER|NEWNS) worked");
  else note("clone3: %s", strerror(errno));
  if (made) finish(ESCAPED, "%d namespace clones succeeded", made);
  finish(CONTAINED, "no clone could create a namespace");
}
