// Symlinks that already exist on the host and point into ~/.ssh: absolute, chained, relative,
// to the directory, to the home; followed by open, stat, chdir and as a directory fd base.
#include "escape.h"

int main(void) {
  const char *fix = fx("ESC_FIX");
  const char *names[] = {"link-secret", "link-chain", "link-rel", "link-dir/id_rsa", "link-home/.ssh/id_rsa",
                         "link-dir/../.ssh/id_rsa", "link-home/.aws/credentials", "link-dir/./id_rsa"};
  int leaks = 0, visible = 0;
  char p[1024];
  for (size_t i = 0; i < sizeof(names) / sizeof(*names); ++i) {
    snprintf(p, sizeof(p), "%s/%s", fix, names[i]);
    leaks += leak_path(p, O_RDONLY, names[i]);
    struct stat st;
    if (stat(p, &st) == 0) ++visible, note("stat %s succeeded", names[i]);
  }
  snprintf(p, sizeof(p), "%s/link-dir", fix);
  if (chdir(p) == 0) {
    note("chdir into link-dir succeeded");
    leaks += leak_path("id_rsa", O_RDONLY, "cwd via link-dir");
  }
  int dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    note("open(link-dir) succeeded");
    int fd = openat(dfd, "id_rsa", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) leaks += leak_fd(fd, "dirfd via link-dir");
  }
  int fixfd = open(fix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = openat(fixfd, "link-chain", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) leaks += leak_fd(fd, "openat(fix, link-chain)");
  if (leaks) finish(ESCAPED, "a host symlink led to the hidden key");
  if (visible || dfd >= 0) finish(ESCAPED, "a host symlink revealed the hidden directory");
  finish(CONTAINED, "host symlinks into ~/.ssh are followed inside the policy");
}
