// 16 threads each open, read and close a file many times: the supervisor must answer
// concurrent notifications correctly. Exit 0 when every read returned the expected bytes.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char* path;
static int failures;

static void* Worker(void* arg) {
  (void)arg;
  for (int i = 0; i < 200; ++i) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char buf[16] = {0};
    if (fd < 0 || read(fd, buf, sizeof(buf) - 1) != 5 || memcmp(buf, "hello", 5) != 0) __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
    if (fd >= 0) close(fd);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  path = argv[1];
  pthread_t threads[16];
  for (int i = 0; i < 16; ++i) pthread_create(&threads[i], NULL, Worker, NULL);
  for (int i = 0; i < 16; ++i) pthread_join(threads[i], NULL);
  printf("%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
