// 200 MB written into a host directory: it must land in the overlay (and be reported), never
// on the host; a limit (ENOSPC, EFBIG, EDQUOT) is fine too.
#include "escape.h"

int main(void) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/fill.bin", fx("ESC_WORK"));
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) finish(SETUP_ERROR, "open %s: %s", path, strerror(errno));
  static char chunk[1 << 20];
  memset(chunk, 'F', sizeof(chunk));
  long written = 0;
  for (int i = 0; i < 200; ++i) {
    ssize_t n = write(fd, chunk, sizeof(chunk));
    if (n < 0) {
      note("write stopped after %ld MB: %s", written >> 20, strerror(errno));
      break;
    }
    written += n;
  }
  close(fd);
  note("%ld MB written", written >> 20);
  finish(CONTAINED, "the runner checks where the bytes went");
}
