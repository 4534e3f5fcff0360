// Another session's terminal: /dev/pts is an rw rule, so every pty on the host is there. Write
// to the runner's pty (what its user would see) and read from it (what its user types).
#include "escape.h"

int main(void) {
  const char *pts = fx("ESC_PTY");
  int fd = open(pts, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) finish(CONTAINED, "open %s: %s", pts, strerror(errno));
  ssize_t n = write(fd, "PTY-FROM-SANDBOX\n", 17);
  char buf[64];
  ssize_t r = read(fd, buf, sizeof(buf));
  note("write %zd, read %zd", n, r);
  finish(ESCAPED, "opened another session's terminal %s", pts);
}
