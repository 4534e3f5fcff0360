// Re-opening fds through /proc/self/fd/N and /dev/fd/N: a directory fd as a base into ~/.ssh,
// and a read-only fd of a protected host file re-opened for writing (O_RDWR, O_WRONLY|O_TRUNC,
// O_APPEND), then written. The read-only fd shows whether the host inode changed.
#include <signal.h>

#include "escape.h"

int main(void) {
  const char *home = fx("ESC_HOME"), *prot = fx("ESC_PROTECTED_FILE");
  char p[256];
  int leaks = 0;
  int dfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) finish(SETUP_ERROR, "open home");
  const char *bases[] = {"/proc/self/fd/%d/.ssh/id_rsa", "/dev/fd/%d/.ssh/id_rsa", "/proc/thread-self/fd/%d/.ssh/id_rsa",
                         "/proc/self/fd/%d/projects/../.ssh/id_rsa"};
  for (size_t i = 0; i < sizeof(bases) / sizeof(*bases); ++i) {
    snprintf(p, sizeof(p), bases[i], dfd);
    leaks += leak_path(p, O_RDONLY, p);
  }
  int ro = open(prot, O_RDONLY | O_CLOEXEC);
  struct host_bytes before = host_read(ro);
  if (ro < 0) finish(SETUP_ERROR, "open protected");
  const struct { const char *fmt; int flags; } w[] = {
      {"/proc/self/fd/%d", O_RDWR}, {"/dev/fd/%d", O_WRONLY | O_TRUNC}, {"/proc/thread-self/fd/%d", O_WRONLY | O_APPEND},
      {"/proc/%d/fd/%d", O_RDWR}};
  int opened = 0;
  for (size_t i = 0; i < sizeof(w) / sizeof(*w); ++i) {
    if (i == 3)
      snprintf(p, sizeof(p), w[i].fmt, getpid(), ro);
    else
      snprintf(p, sizeof(p), w[i].fmt, ro);
    int fd = open(p, w[i].flags | O_CLOEXEC);
    if (fd >= 0) {
      ++opened;
      write(fd, "PWNED-VIA-PROC-FD\n", 18);
      close(fd);
    }
  }
  // A child re-opens its parent's fd (a sibling member's /proc/<pid>/fd).
  pid_t child = fork();
  if (child == 0) {
    snprintf(p, sizeof(p), "/proc/%d/fd/%d", getppid(), ro);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) write(fd, "PWNED-BY-CHILD\n", 15);
    _exit(0);
  }
  waitpid(child, NULL, 0);
  if (host_changed(ro, &before)) finish(ESCAPED, "a write through /proc/self/fd reached the host file: %.40s", host_read(ro).b);
  if (leaks) finish(ESCAPED, "a directory fd re-opened through /proc led into ~/.ssh");
  finish(CONTAINED, "%d write re-opens succeeded, all on the overlay copy; the host inode is unchanged", opened);
}
