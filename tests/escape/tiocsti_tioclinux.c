// Terminal injection: TIOCSTI and TIOCLINUX on /dev/tty (when the sandbox has a terminal) and
// on a pty pair the sandbox makes itself (so the filter is exercised without a terminal too),
// including the request number with garbage in the upper 32 bits.
#include <sys/ioctl.h>
#include <termios.h>

#include "escape.h"

static int inject(int fd, const char *what) {
  char c = '#';
  int ok = 0;
  if (ioctl(fd, TIOCSTI, &c) == 0) ++ok, note("TIOCSTI on %s worked", what);
  else note("TIOCSTI on %s: %s", what, strerror(errno));
  if (syscall(SYS_ioctl, fd, 0x100000000UL | TIOCSTI, &c) == 0) ++ok, note("TIOCSTI|high bits on %s worked", what);
  char sub = 2;  // TIOCL_SELLOADLUT-like subcodes need a VT; the request itself must be refused
  if (ioctl(fd, TIOCLINUX, &sub) == 0) ++ok, note("TIOCLINUX on %s worked", what);
  return ok;
}

int main(void) {
  int ok = 0;
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty >= 0) ok += inject(tty, "/dev/tty");
  else note("no /dev/tty here (%s): checked on our own pty only", strerror(errno));
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) finish(SETUP_ERROR, "pty: %s", strerror(errno));
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) finish(SETUP_ERROR, "open %s: %s", ptsname(master), strerror(errno));
  ok += inject(slave, "own pty");
  if (ok) finish(ESCAPED, "terminal input injection is possible");
  finish(CONTAINED, "TIOCSTI/TIOCLINUX refused");
}
