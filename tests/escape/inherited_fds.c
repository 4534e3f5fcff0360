// Descriptors inherited from bvisor beyond stdio (a listener, the hand-over socket, the overlay
// store, a directory outside the view) would be handles to the outside.
#include "escape.h"

int main(void) {
  int extra = 0;
  for (int fd = 3; fd < 4096; ++fd) {
    if (fcntl(fd, F_GETFD) < 0) continue;
    char p[64], target[512];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = '\0';
    ++extra;
    note("fd %d -> %s", fd, target);
  }
  if (extra) finish(ESCAPED, "%d descriptors leaked into the sandbox", extra);
  finish(CONTAINED, "only stdin, stdout and stderr are open");
}
