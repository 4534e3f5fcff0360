// fchmod, fchown, futimens, fsetxattr, fremovexattr on read-only fds of a protected host file
// and directory. The fds' own fstat shows whether the host inode changed.
#include <sys/xattr.h>

#include "escape.h"

static int attack(int fd, const char *what) {
  struct stat before, after;
  fstat(fd, &before);
  int ok = 0;
  if (fchmod(fd, 0777) == 0) ++ok;
  if (fchown(fd, 4321, 4321) == 0) ++ok;
  struct timespec t[2] = {{1, 0}, {1, 0}};
  if (futimens(fd, t) == 0) ++ok;
  if (fsetxattr(fd, "user.pwned", "1", 1, 0) == 0) ++ok;
  if (fsetxattr(fd, "trusted.pwned", "1", 1, 0) == 0) ++ok;
  fremovexattr(fd, "user.pwned");
  fstat(fd, &after);
  char v[8];
  int host = after.st_mode != before.st_mode || after.st_uid != before.st_uid ||
             after.st_mtim.tv_sec != before.st_mtim.tv_sec || fgetxattr(fd, "trusted.pwned", v, sizeof(v)) > 0;
  note("%s: %d of 5 calls answered success (on the overlay copy), host inode %s", what, ok,
       host ? "CHANGED" : "unchanged");
  return host;
}

int main(void) {
  int f = open(fx("ESC_PROTECTED_FILE"), O_RDONLY | O_CLOEXEC);
  int d = open(fx("ESC_PROTECTED"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f < 0 || d < 0) finish(SETUP_ERROR, "open protected");
  int changed = attack(f, "file") + attack(d, "directory");
  if (changed) finish(ESCAPED, "metadata calls on a read-only fd changed the host");
  finish(CONTAINED, "metadata changes never reach the host inode");
}
