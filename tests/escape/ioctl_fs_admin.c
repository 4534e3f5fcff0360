// Filesystem administration ioctls on a read-only fd of any host file (as root): FIFREEZE
// would freeze the host's root filesystem, EXT4_IOC_SHUTDOWN would shut it down, and
// FS_IOC_SETFSLABEL would relabel it. Probed without harm: FITHAW on a thawed filesystem,
// SHUTDOWN with an invalid mode and an over-long label all fail with EINVAL *after* the
// capability check, so EINVAL means the real request would have gone through; EPERM means it
// was refused.
#include <sys/ioctl.h>

#include "escape.h"

#define FITHAW_ _IOWR('X', 120, int)
#define EXT4_IOC_SHUTDOWN_ _IOR('X', 125, uint32_t)
#define FS_IOC_SETFSLABEL_ _IOW(0x94, 50, char[256])

int main(void) {
  int fd = open(fx("ESC_PROTECTED_FILE"), O_RDONLY | O_CLOEXEC);
  if (fd < 0) finish(SETUP_ERROR, "open protected");
  int reached = 0;
  int arg = 0;
  if (ioctl(fd, FITHAW_, &arg) == 0 || errno == EINVAL) ++reached, note("FITHAW reached the filesystem (FIFREEZE would freeze the host)");
  else note("FITHAW: %s", strerror(errno));
  uint32_t mode = 0xdead;
  if (ioctl(fd, EXT4_IOC_SHUTDOWN_, &mode) == 0 || errno == EINVAL) ++reached, note("EXT4_IOC_SHUTDOWN reached ext4 (a valid mode would shut the host filesystem down)");
  else note("EXT4_IOC_SHUTDOWN: %s", strerror(errno));
  char label[256];
  memset(label, 'x', 100);
  label[100] = '\0';
  if (ioctl(fd, FS_IOC_SETFSLABEL_, label) == 0 || errno == EINVAL) ++reached, note("FS_IOC_SETFSLABEL reached the filesystem");
  else note("FS_IOC_SETFSLABEL: %s", strerror(errno));
  if (reached) finish(ESCAPED, "%d host filesystem admin ioctls pass the filter", reached);
  finish(CONTAINED, "filesystem admin ioctls refused");
}
