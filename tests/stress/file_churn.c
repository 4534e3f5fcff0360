// Heavy overlay work that never ends: creates, writes, renames, deletes files and makes and
// removes directories in DIR, as fast as it can, until killed. Prints "started" once running.
// Usage: file_churn DIR [MARKER]   (MARKER, ignored, names the process for pgrep)
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2 || chdir(argv[1]) != 0) return 2;
  char a[64], b[64], d[64];
  for (unsigned long i = 0;; ++i) {
    snprintf(a, sizeof(a), "churn%lu", i % 200);
    snprintf(b, sizeof(b), "moved%lu", i % 200);
    snprintf(d, sizeof(d), "dir%lu", i % 50);
    int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      (void)!write(fd, a, sizeof(a));
      close(fd);
    }
    rename(a, b);
    if (i % 3 == 0) unlink(b);
    if (i % 7 == 0) mkdir(d, 0755);
    if (i % 11 == 0) rmdir(d);
    if (i % 13 == 0) unlink("host_file");  // a host file: a deletion marker in state.json
    if (i == 100) {
      printf("started\n");
      fflush(stdout);
    }
  }
}
