// Writes MB megabytes to FILE in 1 MiB chunks and reports how far it got and why it stopped:
// "wrote N MiB" then "error ENOSPC" (or "error none"). With "unlink", then checks the file
// system still works for small things: removes FILE and writes a small file next to it
// ("after ok" or the errno). With "keep", leaves FILE (and the disk full) behind.
// Usage: fill FILE MB unlink|keep [MARKER]   (MARKER, ignored, names the process for pgrep)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char* Name(int e) {
  switch (e) {
    case 0: return "none";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EFBIG: return "EFBIG";
    case EIO: return "EIO";
    default: return strerror(e);
  }
}

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  const long mb = atol(argv[2]);
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    printf("open error %s\n", Name(errno));
    return 1;
  }
  static char chunk[1 << 20];
  memset(chunk, 'F', sizeof(chunk));
  long written = 0;
  int err = 0;
  while (written < mb << 20) {
    ssize_t n = write(fd, chunk, sizeof(chunk));
    if (n < 0) {
      err = errno;
      break;
    }
    written += n;
  }
  if (err == 0 && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  printf("wrote %ld MiB\nerror %s\n", written >> 20, Name(err));
  if (strcmp(argv[3], "keep") == 0) return 0;
  if (unlink(argv[1]) != 0) {
    printf("after unlink %s\n", Name(errno));
    return 1;
  }
  char small[4096];
  snprintf(small, sizeof(small), "%s.small", argv[1]);
  fd = open(small, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, "ok\n", 3) != 3 || close(fd) != 0) {
    printf("after %s\n", Name(errno));
    return 1;
  }
  printf("after ok\n");
  return 0;
}
