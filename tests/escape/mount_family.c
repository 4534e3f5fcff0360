// mount(2) and the new mount API: a tmpfs over /tmp, a bind of /, open_tree, fsopen, fspick,
// move_mount, mount_setattr, umount.
#include <sys/mount.h>

#include "escape.h"

int main(void) {
  int ok = 0;
  if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0) ++ok, note("mount tmpfs");
  int e = errno;
  if (mount("/", "/tmp", NULL, MS_BIND, NULL) == 0) ++ok, note("bind mount");
  if (umount2("/proc", MNT_DETACH) == 0) ++ok, note("umount /proc");
  long t = syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */);
  if (t >= 0) ++ok, note("open_tree");
  long fs = syscall(SYS_fsopen, "tmpfs", 0);
  if (fs >= 0) ++ok, note("fsopen");
  long pick = syscall(SYS_fspick, AT_FDCWD, "/", 0);
  if (pick >= 0) ++ok, note("fspick");
  if (syscall(SYS_move_mount, -1, "", AT_FDCWD, "/tmp", 0) == 0) ++ok, note("move_mount");
  if (syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, NULL, 0) == 0) ++ok, note("mount_setattr");
  if (ok) finish(ESCAPED, "mount syscalls are available");
  finish(CONTAINED, "mount family: %s", strerror(e));
}
