// chroot(2) and pivot_root(2).
#include "escape.h"

int main(void) {
  mkdir("/tmp/newroot", 0755);
  mkdir("/tmp/newroot/old", 0755);
  int a = chroot("/tmp/newroot");
  int e1 = errno;
  long b = syscall(SYS_pivot_root, "/tmp/newroot", "/tmp/newroot/old");
  int e2 = errno;
  if (a == 0 || b == 0) finish(ESCAPED, "chroot %d, pivot_root %ld", a, b);
  finish(CONTAINED, "chroot: %s, pivot_root: %s", strerror(e1), strerror(e2));
}
