// /proc/<pid>/root and friends: the magic "/" of the caller, of a thread, of a child, twice over.
#include "escape.h"

#include <signal.h>

int main(void) {
  const char *hidden = fx("ESC_HIDDEN_FILE");
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  const char *prefixes[] = {"/proc/self/root", "/proc/thread-self/root", "/proc/self/root/proc/self/root",
                            "/proc/self/task/%d/root", "/proc/%d/root", "/proc/%d/cwd/../../../../../../..",
                            "/proc/self/root/.", "/dev/fd/../root"};
  int leaks = 0;
  char prefix[256], p[1024];
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); ++i) {
    snprintf(prefix, sizeof(prefix), prefixes[i], i == 3 ? getpid() : child);
    snprintf(p, sizeof(p), "%s%s", prefix, hidden);
    leaks += leak_path(p, O_RDONLY, p);
    snprintf(p, sizeof(p), "%s/etc/shadow", prefix);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) note("%s opened", p), ++leaks, close(fd);
  }
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (leaks) finish(ESCAPED, "a /proc root link reached a hidden file");
  finish(CONTAINED, "/proc/*/root always lands in the sandbox's own view");
}
