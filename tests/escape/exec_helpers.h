// Running a program and collecting what it prints, for the exec attacks.
#pragma once
#include "escape.h"

// Runs path with argv under a pipe; returns the wait status and fills out (NUL-terminated).
static inline int run_capture(const char *path, char *const argv[], char *out, size_t cap) {
  int p[2];
  if (pipe(p) != 0) return -1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    char *envp[] = {(char *)"PATH=/usr/bin:/bin", NULL};
    execve(path, argv, envp);
    printf("execve %s: %s\n", path, strerror(errno));
    _exit(127);
  }
  close(p[1]);
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(p[0], out + n, cap - 1 - n)) > 0) n += (size_t)r;
  out[n] = '\0';
  close(p[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  for (size_t i = 0; i < n; ++i)
    if (out[i] == '\n') out[i] = ' ';
  return st;
}

// Copies a file into the sandbox's own space (the private /tmp) with the given mode.
static inline int copy_file(const char *from, const char *to, mode_t mode) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  int outfd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (in < 0 || outfd < 0) return -1;
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof(buf))) > 0) write(outfd, buf, (size_t)n);
  close(in);
  close(outfd);
  return chmod(to, mode);
}
