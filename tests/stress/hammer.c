// 32 threads hammer the supervisor for SECONDS: opens of a known file (every read must return
// its exact bytes), stats (the size must match) and renames of a per-thread host file back and
// forth (after each, exactly one of the two names exists and holds the thread's bytes).
// Prints "opens N stats N renames N failures N" and exits 0 when there were no failures.
// Usage: hammer DIR SECONDS [MARKER]   (DIR holds "known" and r0..r31, made by the runner;
// MARKER, ignored, names the process for pgrep)
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { kThreads = 32 };

static const char* dir;
static double seconds;
static const char kKnown[] = "known contents, 32 bytes long..\n";
static long opens, stats, renames, failures;

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void Fail(int t, const char* what, const char* path) {
  if (__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED) <= 10) {
    fprintf(stderr, "hammer: thread %d: %s %s: %s\n", t, what, path, strerror(errno));
  }
}

// The file must hold exactly `want`.
static int ReadsAs(const char* path, const char* want) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  return n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

static void* Worker(void* arg) {
  const int t = (int)(long)arg;
  char known[4096], a[4096], b[4096], want[64];
  snprintf(known, sizeof(known), "%s/known", dir);
  snprintf(a, sizeof(a), "%s/r%d", dir, t);
  snprintf(b, sizeof(b), "%s/r%d.moved", dir, t);
  snprintf(want, sizeof(want), "thread %d\n", t);
  long my_opens = 0, my_stats = 0, my_renames = 0;
  int at_a = 1;  // which name the file has now
  const double end = Now() + seconds;
  for (unsigned i = 0; Now() < end; ++i) {
    if (!ReadsAs(known, kKnown)) Fail(t, "open/read", known);
    ++my_opens;
    struct stat st;
    if (stat(known, &st) != 0 || st.st_size != (off_t)(sizeof(kKnown) - 1)) Fail(t, "stat", known);
    ++my_stats;
    if (i % 4 == 0) {
      const char* from = at_a ? a : b;
      const char* to = at_a ? b : a;
      if (rename(from, to) != 0) {
        Fail(t, "rename", from);
      } else {
        at_a = !at_a;
        struct stat gone;
        if (lstat(from, &gone) == 0 || errno != ENOENT) Fail(t, "old name still there", from);
        if (!ReadsAs(to, want)) Fail(t, "renamed file contents", to);
        my_opens += 1;
        my_stats += 1;
      }
      ++my_renames;
    }
  }
  __atomic_add_fetch(&opens, my_opens, __ATOMIC_RELAXED);
  __atomic_add_fetch(&stats, my_stats, __ATOMIC_RELAXED);
  __atomic_add_fetch(&renames, my_renames, __ATOMIC_RELAXED);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: hammer DIR SECONDS\n");
    return 2;
  }
  dir = argv[1];
  seconds = atof(argv[2]);
  pthread_t threads[kThreads];
  for (long i = 0; i < kThreads; ++i) {
    if (pthread_create(&threads[i], NULL, Worker, (void*)i) != 0) {
      perror("pthread_create");
      return 2;
    }
  }
  for (int i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);
  printf("opens %ld stats %ld renames %ld failures %ld\n", opens, stats, renames, failures);
  return failures == 0 ? 0 : 1;
}
