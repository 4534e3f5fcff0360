// ".." chains, doubled slashes, "." components and relative walks towards the hidden ~/.ssh,
// from the cwd and from directory fds.
#include "escape.h"

int main(void) {
  const char *home = fx("ESC_HOME"), *fix = fx("ESC_FIX");
  const char *hidden = fx("ESC_HIDDEN_FILE");
  char p[16][1024];
  int n = 0;
  snprintf(p[n++], 1024, "%s/../home/.ssh/id_rsa", fix);
  snprintf(p[n++], 1024, "/../../..%s", hidden);
  snprintf(p[n++], 1024, "%s/.ssh/./id_rsa", home);
  snprintf(p[n++], 1024, "%s//.ssh//id_rsa", home);
  snprintf(p[n++], 1024, "%s/.ssh/../.ssh/id_rsa", home);
  snprintf(p[n++], 1024, "%s/projects/../.ssh/id_rsa", home);
  snprintf(p[n++], 1024, "%s/projects/../../home/./.ssh/id_rsa", home);
  snprintf(p[n++], 1024, "/proc/..%s", hidden);
  snprintf(p[n++], 1024, "/tmp/..%s", hidden);  // out of the private /tmp again
  snprintf(p[n++], 1024, "%s/.aws/../.aws/credentials", home);
  int leaks = 0, stats = 0;
  for (int i = 0; i < n; ++i) {
    leaks += leak_path(p[i], O_RDONLY, p[i]);
    struct stat st;
    if (stat(p[i], &st) == 0) {
      ++stats;
      note("stat %s succeeded", p[i]);
    }
  }
  const char *rel[] = {".ssh/id_rsa", "./.ssh/id_rsa", "projects/../.ssh/id_rsa", ".ssh/../.ssh/id_rsa"};
  if (chdir(home) != 0) finish(SETUP_ERROR, "chdir home: %s", strerror(errno));
  for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); ++i) leaks += leak_path(rel[i], O_RDONLY, rel[i]);
  if (chdir("projects") == 0) leaks += leak_path("../.ssh/id_rsa", O_RDONLY, "../.ssh from projects");
  if (chdir("/") == 0) leaks += leak_path(hidden + 1, O_RDONLY, "relative from /");
  int dfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) finish(SETUP_ERROR, "open home");
  for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); ++i) {
    int fd = openat(dfd, rel[i], O_RDONLY | O_CLOEXEC);
    if (fd >= 0) leaks += leak_fd(fd, "openat(home)"), close(fd);
  }
  int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char up[1024];
  snprintf(up, sizeof(up), "../..//..%s", hidden);
  int fd = openat(root, up, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) leaks += leak_fd(fd, "openat(/, ../..)"), close(fd);
  if (leaks) finish(ESCAPED, "a .. chain read the hidden key");
  if (stats) finish(ESCAPED, "a .. chain revealed the hidden file's metadata");
  finish(CONTAINED, "%d absolute, 4 relative and 5 dirfd-relative walks all hidden", n);
}
