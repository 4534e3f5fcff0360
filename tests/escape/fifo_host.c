// A named pipe on the host, read by a host process: writing it from a copy-on-write area would
// reach that process (like a host unix socket, which needs an rw rule).
#include "escape.h"

int main(void) {
  const char *fifo = fx("ESC_FIFO");
  int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) finish(CONTAINED, "open(fifo, O_WRONLY): %s", strerror(errno));
  ssize_t n = write(fd, "FIFO-FROM-SANDBOX\n", 18);
  if (n == 18) finish(ESCAPED, "wrote into the host FIFO that a host process reads");
  finish(CONTAINED, "the FIFO opened but the write failed: %s", strerror(errno));
}
