// Hard links: to the hidden key (directly, through an overlay symlink, from a directory fd),
// and to a protected host file, then written through the new name: a shared inode would write
// the host.
#include "escape.h"

int main(void) {
  const char *hidden = fx("ESC_HIDDEN_FILE"), *work = fx("ESC_WORK"), *home = fx("ESC_HOME");
  const char *prot = fx("ESC_PROTECTED_FILE");
  char h2[1024], h3[1024], h4[1024];
  snprintf(h2, sizeof(h2), "%s/hard-secret", work);
  snprintf(h3, sizeof(h3), "%s/hard-follow", work);
  snprintf(h4, sizeof(h4), "%s/hard-protected", work);
  int leaks = 0, links = 0;
  if (link(hidden, "/tmp/hard-secret") == 0) ++links;
  if (link(hidden, h2) == 0) ++links;
  symlink(hidden, "/tmp/sym");
  if (linkat(AT_FDCWD, "/tmp/sym", AT_FDCWD, h3, AT_SYMLINK_FOLLOW) == 0) ++links;
  int dfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (linkat(dfd, ".ssh/id_rsa", AT_FDCWD, "/tmp/hard-dirfd", 0) == 0) ++links;
  leaks += leak_path("/tmp/hard-secret", O_RDONLY, "/tmp/hard-secret");
  leaks += leak_path(h2, O_RDONLY, h2);
  leaks += leak_path(h3, O_RDONLY, h3);
  leaks += leak_path("/tmp/hard-dirfd", O_RDONLY, "/tmp/hard-dirfd");
  if (links) note("%d links to the hidden key were created", links);

  int ro = open(prot, O_RDONLY | O_CLOEXEC);  // the host inode, to see whether it changes

  struct host_bytes before = host_read(ro);
  if (ro < 0) finish(SETUP_ERROR, "open protected: %s", strerror(errno));
  if (link(prot, h4) == 0) {
    int fd = open(h4, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd >= 0) write(fd, "PWNED-BY-HARDLINK\n", 18), close(fd);
  } else {
    note("link(protected) failed: %s", strerror(errno));
  }
  int fd = open(prot, O_RDONLY | O_CLOEXEC);  // what the sandbox sees now (its own copy)
  char buf[64] = {0}, host[64] = {0};
  read(fd, buf, sizeof(buf) - 1);
  pread(ro, host, sizeof(host) - 1, 0);
  if (host_changed(ro, &before)) finish(ESCAPED, "writing through a hard link changed the host file");
  if (leaks || links) finish(ESCAPED, "a hard link to the hidden key exists in the sandbox");
  note("the sandbox's view of the protected file now reads: %.20s", buf);
  finish(CONTAINED, "no hard link reaches the key; writing through a link to a host file stays in the overlay");
}
