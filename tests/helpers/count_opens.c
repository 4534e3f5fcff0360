// Opens a file exactly N times with openat(2) and stats it N times with newfstatat(2), so a
// test can compare the report's counts with what the program did.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  int n = atoi(argv[2]);
  for (int i = 0; i < n; ++i) {
    long fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    close((int)fd);
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, argv[1], &st, 0) != 0) return 1;
  }
  return 0;
}
