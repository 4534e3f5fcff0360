// Inode flags (immutable, append-only) on a protected host file and directory opened read-only:
// FS_IOC_SETFLAGS, its 32-bit twin, FS_IOC_FSSETXATTR. They act on read-only fds.
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "escape.h"

static int attack(int fd, const char *what) {
  int ok = 0;
  long before = 0, after = 0;
  ioctl(fd, FS_IOC_GETFLAGS, &before);
  long flags = before | FS_APPEND_FL | FS_NODUMP_FL;
  if (ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0) ++ok, note("FS_IOC_SETFLAGS on %s", what);
  int f32 = (int)flags;
  if (ioctl(fd, FS_IOC32_SETFLAGS, &f32) == 0) ++ok, note("FS_IOC32_SETFLAGS on %s", what);
  struct fsxattr fa;
  memset(&fa, 0, sizeof(fa));
  if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) == 0) {
    fa.fsx_xflags |= FS_XFLAG_APPEND;
    if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) == 0) ++ok, note("FS_IOC_FSSETXATTR on %s", what);
  }
  ioctl(fd, FS_IOC_GETFLAGS, &after);
  if (after != before) {
    ++ok;
    note("%s flags %#lx -> %#lx", what, before, after);
    ioctl(fd, FS_IOC_SETFLAGS, &before);  // undo on the host
  }
  return ok;
}

int main(void) {
  int f = open(fx("ESC_PROTECTED_FILE"), O_RDONLY | O_CLOEXEC);
  int d = open(fx("ESC_PROTECTED"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f < 0 || d < 0) finish(SETUP_ERROR, "open protected");
  int ok = attack(f, "file") + attack(d, "directory");
  if (ok) finish(ESCAPED, "inode flags of a host file changed through a read-only fd");
  finish(CONTAINED, "inode flag ioctls refused");
}
