// A bounded fork bomb: up to 2000 live processes at once (then all are killed). Reaching the
// cap means nothing limits the number of sandbox processes: a real bomb would take the host.
#include <signal.h>

#include "escape.h"

enum { kCap = 2000 };

int main(void) {
  static pid_t kids[kCap];
  int n = 0, err = 0;
  for (; n < kCap; ++n) {
    pid_t p = fork();
    if (p < 0) {
      err = errno;
      break;
    }
    if (p == 0) {
      for (;;) pause();
    }
    kids[n] = p;
  }
  for (int i = 0; i < n; ++i) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; ++i) waitpid(kids[i], NULL, 0);
  if (n == kCap) finish(ESCAPED, "%d processes alive at once, no limit hit (stopped at the cap)", n);
  finish(CONTAINED, "fork failed after %d processes: %s", n, strerror(err));
}
