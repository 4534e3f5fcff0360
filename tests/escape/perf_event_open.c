// perf_event_open on ourselves, system-wide on CPU 0, and on an outside process.
#include <linux/perf_event.h>

#include "escape.h"

int main(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof(a));
  a.size = sizeof(a);
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  pid_t victim = atoi(fx("ESC_VICTIM"));
  int self = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  int e1 = errno;
  int cpu = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);
  int other = (int)syscall(SYS_perf_event_open, &a, victim, -1, -1, 0);
  if (self >= 0 || cpu >= 0 || other >= 0) finish(ESCAPED, "perf_event_open: self %d, cpu0 %d, outside %d", self, cpu, other);
  finish(CONTAINED, "perf_event_open: %s", strerror(e1));
}
