// userfaultfd: the syscall and /dev/userfaultfd (a classic way to win kernel races).
#include "escape.h"

int main(void) {
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  int e1 = errno;
  int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  int e2 = errno;
  if (fd >= 0 || dev >= 0) finish(ESCAPED, "userfaultfd: syscall %d, device %d", fd, dev);
  finish(CONTAINED, "userfaultfd: %s, /dev/userfaultfd: %s", strerror(e1), strerror(e2));
}
