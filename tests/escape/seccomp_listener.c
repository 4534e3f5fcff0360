// A second seccomp listener (would let the sandbox supervise itself), with every flag
// combination, and filters through prctl.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "escape.h"

int main(void) {
  struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = {1, allow};
  const unsigned long flags[] = {SECCOMP_FILTER_FLAG_NEW_LISTENER,
                                 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
                                 SECCOMP_FILTER_FLAG_NEW_LISTENER | (1UL << 40), SECCOMP_FILTER_FLAG_NEW_LISTENER | 0x20};
  int got = 0;
  for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); ++i) {
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags[i], &prog);
    if (fd >= 0) ++got, note("listener fd %ld with flags %#lx", fd, flags[i]);
    else note("flags %#lx: %s", flags[i], strerror(errno));
  }
  // An ALLOW filter on top must not override the supervisor's notifications.
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0) {
    int leaked = leak_path(fx("ESC_HIDDEN_FILE"), O_RDONLY, "after stacking an ALLOW filter");
    if (leaked) finish(ESCAPED, "a stacked ALLOW filter bypassed the supervisor");
  }
  if (got) finish(ESCAPED, "the sandbox obtained its own seccomp listener");
  finish(CONTAINED, "no second listener");
}
