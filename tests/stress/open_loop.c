// Prints its pid, then 4 threads open and stat FILE in a loop forever: a target for SIGKILL
// from outside while notified syscalls are in flight.
// Usage: open_loop FILE [MARKER]   (MARKER, ignored, names the process for pgrep)
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* path;

static void* Worker(void* arg) {
  (void)arg;
  for (;;) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
    struct stat st;
    stat(path, &st);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  path = argv[1];
  pthread_t t;
  for (int i = 0; i < 4; ++i) pthread_create(&t, NULL, Worker, NULL);
  printf("%d\n", (int)getpid());
  fflush(stdout);
  Worker(NULL);
  return 0;
}
