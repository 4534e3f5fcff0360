// Shared by the escape attacks: the result protocol and the fixtures the runner passes in.
// Every attack ends by printing one line "ESCAPE-RESULT <code> <detail>" on stdout and exiting
// with <code>: 0 contained, 1 ESCAPED, 2 setup error. run.sh also checks the host itself.
#pragma once
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

enum { CONTAINED = 0, ESCAPED = 1, SETUP_ERROR = 2 };

// The secret file's content starts with this; the runner knows the random rest.
#define SECRET_PREFIX "BVISOR-ESCAPE-SECRET-"

static char esc_notes[6000];

// Adds a remark to the result line (what was tried, what answered).
__attribute__((format(printf, 1, 2))) static inline void note(const char *fmt, ...) {
  size_t len = strlen(esc_notes);
  if (len + 8 >= sizeof(esc_notes)) return;
  if (len > 0) {
    strcat(esc_notes, "; ");
    len += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(esc_notes + len, sizeof(esc_notes) - len, fmt, ap);
  va_end(ap);
}

__attribute__((noreturn, format(printf, 2, 3))) static inline void finish(int code, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  for (char *p = esc_notes; *p; ++p)
    if (*p == '\n') *p = ' ';
  fflush(stdout);
  printf("ESCAPE-RESULT %d %s%s%s\n", code, msg, esc_notes[0] ? " | " : "", esc_notes);
  fflush(stdout);
  _exit(code);
}

// A fixture path or value from the runner (ESC_*), or a setup error.
static inline const char *fx(const char *name) {
  const char *v = getenv(name);
  if (v == NULL || v[0] == '\0') finish(SETUP_ERROR, "missing fixture %s", name);
  return v;
}

static inline int has_secret(const void *buf, size_t len) {
  return len > 0 && memmem(buf, len, SECRET_PREFIX, strlen(SECRET_PREFIX)) != NULL;
}

// Reads what `fd` offers; prints it and returns 1 when it holds the secret.
static inline int leak_fd(int fd, const char *how) {
  char buf[8192];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  if (n <= 0) return 0;
  buf[n] = '\0';
  if (!has_secret(buf, (size_t)n)) return 0;
  const char *at = memmem(buf, (size_t)n, SECRET_PREFIX, strlen(SECRET_PREFIX));
  printf("LEAK via %s: %.80s\n", how, at);
  fflush(stdout);
  return 1;
}

// open(path, flags) and leak_fd; 1 when the secret came back.
static inline int leak_path(const char *path, int flags, const char *how) {
  int fd = open(path, flags | O_CLOEXEC);
  if (fd < 0) return 0;
  int r = leak_fd(fd, how);
  close(fd);
  return r;
}

// Asks the supervisor something harmless: it must still answer after whatever came before.
static inline int supervisor_alive(void) {
  struct stat st;
  int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
  if (fd < 0) fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  close(fd);
  return stat("/", &st) == 0;
}

// Whether a process exists (a signal-0 probe the supervisor mediates).
static inline int pid_alive_probe(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

// A child runs `fn`; returns its wait status.
static inline int in_child(void (*fn)(void *), void *arg) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) finish(SETUP_ERROR, "fork: %s", strerror(errno));
  if (pid == 0) {
    fn(arg);
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// The first bytes of a file through an fd of the host inode, to compare before and after.
struct host_bytes {
  char b[128];
};
static inline struct host_bytes host_read(int fd) {
  struct host_bytes h;
  memset(&h, 0, sizeof(h));
  if (pread(fd, h.b, sizeof(h.b) - 1, 0) < 0) h.b[0] = '\0';
  return h;
}
static inline int host_changed(int fd, const struct host_bytes *before) {
  struct host_bytes now = host_read(fd);
  return memcmp(now.b, before->b, sizeof(now.b)) != 0;
}
