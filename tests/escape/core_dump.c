// Core dumps are written by the kernel into the crashing process's real working directory
// (core_pattern "core"), after unlinking any file called "core" there. The cwd is a host
// directory the sandbox may only read.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "escape.h"

static void crash(void *arg) {
  (void)arg;
  struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
  if (setrlimit(RLIMIT_CORE, &r) != 0) {
    r.rlim_cur = r.rlim_max = 1 << 30;
    setrlimit(RLIMIT_CORE, &r);
  }
  prctl(PR_SET_DUMPABLE, 1);
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
}

int main(void) {
  const char *prot = fx("ESC_PROTECTED");
  char pattern[256] = "?";
  int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, pattern, sizeof(pattern) - 1);
    if (n > 0) pattern[n - 1] = '\0';
    close(fd);
  }
  if (chdir(prot) != 0) finish(SETUP_ERROR, "chdir %s", prot);
  struct stat before, after;
  stat("core", &before);
  int st = in_child(crash, NULL);
  int dumped = WIFSIGNALED(st) && WCOREDUMP(st);
  int changed = stat("core", &after) == 0 && (after.st_ino != before.st_ino || after.st_size != before.st_size);
  note("core_pattern '%s', child %s", pattern, dumped ? "dumped core" : "did not dump core");
  if (dumped && changed) finish(ESCAPED, "the kernel wrote a core file into the host directory %s", prot);
  if (dumped) finish(ESCAPED, "a core was dumped somewhere outside the overlay");
  finish(CONTAINED, "no core file was written");
}
