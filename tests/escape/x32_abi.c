// x32 syscall numbers (nr | 0x40000000) from a 64-bit process: openat of the hidden key, getpid.
#include "escape.h"

#define X32 0x40000000L

static void do_openat(void *arg) {
  (void)arg;
  long fd = syscall(X32 | 257, AT_FDCWD, fx("ESC_HIDDEN_FILE"), O_RDONLY, 0);
  if (fd >= 0) leak_fd((int)fd, "x32 openat"), _exit(10);
  printf("x32 openat: %s\n", strerror(errno));
  _exit(errno == ENOSYS ? 12 : 11);
}

static void do_getpid(void *arg) {
  (void)arg;
  long r = syscall(X32 | 39);
  _exit(r > 0 ? 10 : (errno == ENOSYS ? 12 : 11));
}

int main(void) {
  int a = in_child(do_openat, NULL), b = in_child(do_getpid, NULL);
  int ran = 0;
  int sts[] = {a, b};
  const char *names[] = {"openat", "getpid"};
  for (int i = 0; i < 2; ++i) {
    if (WIFSIGNALED(sts[i])) note("%s: killed by signal %d", names[i], WTERMSIG(sts[i]));
    else if (WEXITSTATUS(sts[i]) == 10) ++ran, note("%s: ran", names[i]);
    else note("%s: %s", names[i], WEXITSTATUS(sts[i]) == 12 ? "ENOSYS" : "refused");
  }
  if (ran) finish(ESCAPED, "x32 syscalls ran");
  finish(CONTAINED, "x32 syscall numbers do not run");
}
