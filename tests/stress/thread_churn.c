// Tracee threads that come and go while the supervisor answers their syscalls.
//   waves:  WAVES waves of 16 threads; each opens a file by a relative name (resolved against
//           the cwd the supervisor reads), checks its bytes and exits at once (pthread_exit).
//   leader: 8 threads open relative names in a loop while the main thread calls pthread_exit
//           (the thread-group leader becomes a zombie; its /proc entries stop answering).
// Prints "ok N" and exits 0 when every open read the right bytes, prints failures otherwise.
// Usage: thread_churn waves|leader DIR [MARKER]   (DIR holds "known" with "churn\n"; MARKER,
// ignored, names the process for pgrep)
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long good, bad;
static int live_workers = 8;

static void OpenOnce(void) {
  int fd = open("known", O_RDONLY | O_CLOEXEC);
  char buf[16] = {0};
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
  if (fd >= 0) close(fd);
  if (n == 6 && memcmp(buf, "churn\n", 6) == 0) {
    __atomic_add_fetch(&good, 1, __ATOMIC_RELAXED);
  } else if (__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED) <= 5) {
    fprintf(stderr, "thread_churn: open known: %s (read %zd)\n", fd < 0 ? strerror(errno) : "wrong bytes", n);
  }
}

static void* OpenAndExit(void* arg) {
  (void)arg;
  OpenOnce();
  pthread_exit(NULL);
}

static void* LoopWorker(void* arg) {
  (void)arg;
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  end.tv_sec += 2;
  for (;;) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec)) break;
    OpenOnce();
  }
  if (__atomic_sub_fetch(&live_workers, 1, __ATOMIC_SEQ_CST) == 0) {
    // The last worker reports for the whole process: the leader is long gone.
    printf("ok %ld bad %ld\n", good, bad);
    fflush(stdout);
    exit(bad == 0 && good > 0 ? 0 : 1);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3 || chdir(argv[2]) != 0) {
    fprintf(stderr, "usage: thread_churn waves|leader DIR\n");
    return 2;
  }
  if (strcmp(argv[1], "waves") == 0) {
    for (int wave = 0; wave < 150; ++wave) {
      pthread_t t[16];
      for (int i = 0; i < 16; ++i) {
        if (pthread_create(&t[i], NULL, OpenAndExit, NULL) != 0) return 2;
      }
      // Detached-like churn: join only every other wave, so exits overlap the next wave's opens.
      if (wave % 2 == 1) {
        for (int i = 0; i < 16; ++i) pthread_join(t[i], NULL);
      } else {
        for (int i = 0; i < 16; ++i) pthread_detach(t[i]);
      }
    }
    // Let the detached threads of the last even wave finish.
    for (int i = 0; i < 200 && __atomic_load_n(&good, __ATOMIC_RELAXED) + bad < 150 * 16; ++i) usleep(10000);
    printf("ok %ld bad %ld\n", good, bad);
    return bad == 0 && good == 150 * 16 ? 0 : 1;
  }
  if (strcmp(argv[1], "leader") == 0) {
    for (int i = 0; i < 8; ++i) {
      pthread_t t;
      if (pthread_create(&t, NULL, LoopWorker, NULL) != 0) return 2;
    }
    pthread_exit(NULL);
  }
  return 2;
}
