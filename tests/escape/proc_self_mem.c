// Writing /proc/self/mem (and /proc/thread-self/mem, and a child's): it must be our own memory
// that changes. A write that "succeeds" without changing our memory went somewhere else.
#include <signal.h>

#include "escape.h"

static volatile char target[64] = "ORIGINAL-PROC-MEM";
static const char rodata[] = "READ-ONLY-TEXT";

int main(void) {
  const char *paths[] = {"/proc/self/mem", "/proc/thread-self/mem"};
  int wrong = 0;
  for (int i = 0; i < 2; ++i) {
    int fd = open(paths[i], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      note("%s: %s", paths[i], strerror(errno));
      continue;
    }
    char word[16];
    snprintf(word, sizeof(word), "WRITTEN-%d", i);
    ssize_t n = pwrite(fd, word, strlen(word) + 1, (off_t)(uintptr_t)target);
    if (n > 0 && strcmp((const char *)target, word) != 0) {
      ++wrong;
      note("%s: the write succeeded but our own memory did not change", paths[i]);
    }
    n = pwrite(fd, "X", 1, (off_t)(uintptr_t)rodata);  // FOLL_FORCE on our own read-only page
    if (n == 1 && *(volatile const char *)rodata != 'X') ++wrong, note("%s: read-only write went elsewhere", paths[i]);
    close(fd);
  }
  pid_t child = fork();
  if (child == 0) {
    for (;;) pause();
  }
  char p[64];
  snprintf(p, sizeof(p), "/proc/%d/mem", child);
  int fd = open(p, O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    if (pwrite(fd, "CHILD", 6, (off_t)(uintptr_t)target) > 0) note("a child's memory is writable (a member: fine)");
    close(fd);
  }
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  if (!supervisor_alive()) finish(ESCAPED, "the supervisor stopped answering");
  if (wrong) finish(ESCAPED, "a /proc/self/mem write did not land in our own memory");
  finish(CONTAINED, "/proc/self/mem is our own memory: %s", (const char *)target);
}
