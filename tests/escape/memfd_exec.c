// memfd_create + execveat(AT_EMPTY_PATH): a copy of cat, and a script, run from anonymous memory,
// both asked to print the hidden key. The new image must still be inside the sandbox.
#include <sys/mman.h>

#include "escape.h"

static int run_capture(int exe, char *const argv[], char *out, size_t cap) {
  int p[2];
  if (pipe(p) != 0) return -1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    char *envp[] = {NULL};
    syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
    printf("execveat: %s\n", strerror(errno));
    _exit(127);
  }
  close(p[1]);
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(p[0], out + n, cap - 1 - n)) > 0) n += (size_t)r;
  out[n] = '\0';
  close(p[0]);
  int st;
  waitpid(pid, &st, 0);
  return st;
}

int main(void) {
  const char *hidden = fx("ESC_HIDDEN_FILE");
  int src = open("/bin/cat", O_RDONLY | O_CLOEXEC);
  if (src < 0) finish(SETUP_ERROR, "open /bin/cat");
  int mem = memfd_create("cat", MFD_CLOEXEC);
  if (mem < 0) finish(CONTAINED, "memfd_create: %s", strerror(errno));
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof(buf))) > 0) write(mem, buf, (size_t)n);
  char out[8192];
  char *argv[] = {(char *)"cat", (char *)hidden, NULL};
  int st = run_capture(mem, argv, out, sizeof(out));
  note("memfd cat: status %#x, said: %.80s", st, out);
  int leaks = has_secret(out, strlen(out));
  int script = memfd_create("script", MFD_CLOEXEC);
  char text[1024];
  int len = snprintf(text, sizeof(text), "#!/bin/sh\ncat %s\n", hidden);
  write(script, text, (size_t)len);
  char *argv2[] = {(char *)"script", NULL};
  st = run_capture(script, argv2, out, sizeof(out));
  note("memfd script: status %#x, said: %.80s", st, out);
  leaks += has_secret(out, strlen(out));
  if (leaks) finish(ESCAPED, "a program run from a memfd read the key");
  finish(CONTAINED, "programs run from a memfd stay in the sandbox");
}
