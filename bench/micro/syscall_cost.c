// Per-call cost of syscalls that bvisor handles differently: allowed in BPF (getppid),
// notified and refused (an unknown number: one round trip, no work), emulated (stat of a host
// file; open+close with fd injection), and a copy-up (open for writing of a fresh host file).
// Usage: syscall_cost DIR   (DIR holds the test files; run bare and under bvisor, compare).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const char* dir = argv[1];
  char file[4096];
  snprintf(file, sizeof(file), "%s/cost-file", dir);
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "hello\n", 6) != 6) return 1;
  close(fd);
  enum { N = 20000, M = 300 };
  double t0 = Now();
  for (int i = 0; i < N; ++i) syscall(SYS_getppid);
  double t1 = Now();
  for (int i = 0; i < N; ++i) syscall(1000);
  double t2 = Now();
  struct stat st;
  for (int i = 0; i < N; ++i) stat(file, &st);
  double t3 = Now();
  for (int i = 0; i < N; ++i) close(open(file, O_RDONLY | O_CLOEXEC));
  double t4 = Now();
  // Fresh 4 KiB host files opened for writing: in a cow area each open is a copy-up.
  char buf[4096];
  memset(buf, 'x', sizeof(buf));
  char path[4200];
  for (int i = 0; i < M; ++i) {
    snprintf(path, sizeof(path), "%s/cost-copy-%d", dir, i);
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0 || write(f, buf, sizeof(buf)) != sizeof(buf)) return 1;
    close(f);
  }
  double t5 = Now();
  printf("getppid_us %.3f\nnotified_enosys_us %.3f\nstat_us %.3f\nopen_close_us %.3f\ncreate_write_4k_us %.3f\n",
         (t1 - t0) / N, (t2 - t1) / N, (t3 - t2) / N, (t4 - t3) / N, (t5 - t4) / M);
  return 0;
}
