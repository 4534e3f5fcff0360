// /proc/<pid>/cwd: our own, a thread's, a child's whose cwd is the home, and the cwd left
// behind by a chdir into the hidden directory (refused, so it must not move).
#include <signal.h>

#include "escape.h"

int main(void) {
  const char *home = fx("ESC_HOME");
  char p[1024];
  int leaks = 0;
  if (chdir(home) != 0) finish(SETUP_ERROR, "chdir home");
  leaks += leak_path("/proc/self/cwd/.ssh/id_rsa", O_RDONLY, "/proc/self/cwd/.ssh");
  leaks += leak_path("/proc/thread-self/cwd/.ssh/id_rsa", O_RDONLY, "/proc/thread-self/cwd/.ssh");
  if (chdir(".ssh") == 0) note("chdir(.ssh) succeeded");
  leaks += leak_path("/proc/self/cwd/id_rsa", O_RDONLY, "cwd after chdir(.ssh)");
  if (chdir("projects") == 0) leaks += leak_path("/proc/self/cwd/../.ssh/id_rsa", O_RDONLY, "cwd/../.ssh");
  pid_t child = fork();
  if (child == 0) {
    if (chdir(home) != 0) _exit(1);
    pause();
    _exit(0);
  }
  usleep(100000);
  snprintf(p, sizeof(p), "/proc/%d/cwd/.ssh/id_rsa", child);
  leaks += leak_path(p, O_RDONLY, p);
  int dfd = open("/proc/self/cwd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = dfd >= 0 ? openat(dfd, "../.ssh/id_rsa", O_RDONLY | O_CLOEXEC) : -1;
  if (fd >= 0) leaks += leak_fd(fd, "openat(/proc/self/cwd, ../.ssh)");
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (leaks) finish(ESCAPED, "a /proc cwd link reached the hidden key");
  finish(CONTAINED, "/proc/*/cwd resolves inside the policy");
}
