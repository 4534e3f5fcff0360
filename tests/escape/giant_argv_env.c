// Huge argument and environment vectors: beyond ARG_MAX, just under it, 100k tiny arguments, and
// a redirected script exec (bvisor re-reads argv) with 70k arguments. The supervisor must
// survive and keep answering.
#include "escape.h"

static int run(const char *path, char **argv, char **envp) {
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    execve(path, argv, envp);
    _exit(errno == E2BIG ? 7 : 8);
  }
  int st;
  waitpid(p, &st, 0);
  return st;
}

int main(void) {
  const char *nop = fx("ESC_NOP");
  static char *argv[200001];
  static char arg[64] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  char *noenv[] = {NULL};
  // 1) ~12 MB of arguments: E2BIG.
  argv[0] = (char *)"nop";
  for (int i = 1; i < 200000; ++i) argv[i] = arg;
  argv[200000] = NULL;
  int st = run(nop, argv, noenv);
  note("12 MB argv: %s", WIFEXITED(st) && WEXITSTATUS(st) == 7 ? "E2BIG" : "other");
  // 2) 100k one-byte arguments.
  for (int i = 1; i < 100000; ++i) argv[i] = (char *)"b";
  argv[100000] = NULL;
  st = run(nop, argv, noenv);
  note("100k small args: status %#x", st);
  // 3) a 1.5 MB environment.
  static char big[1500000];
  memset(big, 'E', sizeof(big) - 1);
  memcpy(big, "BIG=", 4);
  char *env[] = {big, NULL};
  argv[1] = NULL;
  st = run(nop, argv, env);
  note("1.5 MB env: status %#x", st);
  // 4) a script in the private /tmp (redirected exec) with 70k arguments.
  int fd = open("/tmp/args.sh", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  dprintf(fd, "#!/bin/sh\necho $# >/dev/null\n");
  close(fd);
  for (int i = 1; i < 70000; ++i) argv[i] = (char *)"c";
  argv[70000] = NULL;
  st = run("/tmp/args.sh", argv, noenv);
  note("70k-arg redirected script: status %#x", st);
  if (!supervisor_alive()) finish(ESCAPED, "the supervisor stopped answering");
  finish(CONTAINED, "giant vectors handled, the supervisor answers");
}
