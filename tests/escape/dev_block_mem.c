// Raw devices: disks, memory, I/O ports, MSRs, the kernel log, loop and fuse; by their /dev
// names, through /proc/self/root and /dev/block links, and by making device nodes.
#include <sys/sysmacros.h>

#include "escape.h"

int main(void) {
  const char *devs[] = {"/dev/vda",  "/dev/sda",        "/dev/nvme0n1", "/dev/vda1",     "/dev/mem",
                        "/dev/kmem", "/dev/port",       "/dev/kmsg",    "/dev/loop0",    "/dev/loop-control",
                        "/dev/fuse", "/dev/cpu/0/msr",  "/dev/console", "/dev/tty0",     "/dev/block/253:0",
                        "/dev/snapshot", "/proc/self/root/dev/vda", "/dev/disk/by-uuid", "/dev/mapper/control",
                        "/dev/dri/card0", "/dev/net/tun", "/dev/kvm"};
  int opened = 0;
  for (size_t i = 0; i < sizeof(devs) / sizeof(*devs); ++i) {
    int fd = open(devs[i], O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fd = open(devs[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ++opened, note("%s opened", devs[i]), close(fd);
  }
  char p[1024];
  snprintf(p, sizeof(p), "%s/blk", fx("ESC_WORK"));
  if (mknod("/tmp/blk", S_IFBLK | 0600, makedev(253, 0)) == 0) ++opened, note("mknod block device in /tmp");
  if (mknod(p, S_IFCHR | 0600, makedev(1, 1)) == 0) ++opened, note("mknod /dev/mem twin in the overlay");
  if (mknodat(AT_FDCWD, "/tmp/mem", S_IFCHR | 0600, makedev(1, 1)) == 0) ++opened, note("mknodat char device");
  int fd = open("/tmp/blk", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) ++opened, note("a made device opened");
  if (opened) finish(ESCAPED, "raw devices reachable");
  finish(CONTAINED, "no raw device reachable");
}
