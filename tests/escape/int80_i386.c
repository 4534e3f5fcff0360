// The i386 ABI from a 64-bit process (int 0x80, its own syscall numbers, 32-bit pointers):
// getpid, open+read of the hidden key, and execve of /bin/sh. Each in a child: a filter that
// knows only x86-64 must kill it (SIGSYS) before the kernel runs anything.
#include <signal.h>
#include <sys/mman.h>

#include "escape.h"

static long int80(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return ret;
}

static char *low;  // memory below 4 GiB for 32-bit pointers

static void do_getpid(void *arg) {
  (void)arg;
  long r = int80(20, 0, 0, 0);
  printf("INT80 getpid returned %ld\n", r);
  _exit(r > 0 ? 10 : 11);
}

static void do_open(void *arg) {
  (void)arg;
  strcpy(low, fx("ESC_HIDDEN_FILE"));
  long fd = int80(5, (long)(uintptr_t)low, O_RDONLY, 0);
  if (fd < 0) _exit(11);
  long n = int80(3, fd, (long)(uintptr_t)(low + 1024), 1000);
  if (n > 0) printf("INT80 read: %.*s\n", (int)n, low + 1024);
  _exit(10);
}

static void do_execve(void *arg) {
  (void)arg;
  char *s = low + 2048;
  strcpy(s, "/bin/sh");
  strcpy(s + 16, "-c");
  snprintf(s + 32, 512, "cat %s; echo INT80-EXEC-RAN", fx("ESC_HIDDEN_FILE"));
  uint32_t *argv = (uint32_t *)(low + 3072);
  argv[0] = (uint32_t)(uintptr_t)s;
  argv[1] = (uint32_t)(uintptr_t)(s + 16);
  argv[2] = (uint32_t)(uintptr_t)(s + 32);
  argv[3] = 0;
  int80(11, (long)(uintptr_t)s, (long)(uintptr_t)argv, 0);
  _exit(11);
}

int main(void) {
  low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED) finish(SETUP_ERROR, "MAP_32BIT");
  void (*fns[])(void *) = {do_getpid, do_open, do_execve};
  const char *names[] = {"getpid", "open+read", "execve"};
  int ran = 0;
  for (int i = 0; i < 3; ++i) {
    int st = in_child(fns[i], NULL);
    if (WIFSIGNALED(st)) {
      note("%s: killed by signal %d", names[i], WTERMSIG(st));
    } else if (WIFEXITED(st) && WEXITSTATUS(st) == 10) {
      ++ran;
      note("%s: ran", names[i]);
    } else {
      note("%s: exit %d", names[i], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
      if (i == 2 && WIFEXITED(st) && WEXITSTATUS(st) != 11) ++ran;  // the exec happened
    }
  }
  if (ran) finish(ESCAPED, "i386 syscalls ran in the sandbox");
  finish(CONTAINED, "every int 0x80 syscall was stopped");
}
