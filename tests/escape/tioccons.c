// TIOCCONS: redirect the host's console output to a pty the sandbox owns (root only). Undone
// when the pty closes.
#include <sys/ioctl.h>

#include "escape.h"

int main(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) finish(SETUP_ERROR, "pty: %s", strerror(errno));
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) finish(SETUP_ERROR, "open slave");
  if (ioctl(slave, TIOCCONS) == 0) {
    close(slave);
    close(master);
    finish(ESCAPED, "TIOCCONS redirected the host console to the sandbox's pty");
  }
  finish(CONTAINED, "TIOCCONS: %s", strerror(errno));
}
