// Scheduling knobs that take any pid and are allowed in BPF: setpriority, sched_setaffinity,
// sched_setscheduler, ioprio_set, on an outside process (read back with the matching getter).
// PRIO_USER would renice every process of the user on the host (not tried).
#include <sched.h>
#include <sys/resource.h>

#include "escape.h"

int main(void) {
  pid_t v = atoi(fx("ESC_VICTIM"));
  int ok = 0;
  errno = 0;
  int before = getpriority(PRIO_PROCESS, (id_t)v);
  if (errno == 0) note("getpriority(outside) = %d", before);
  if (setpriority(PRIO_PROCESS, (id_t)v, 17) == 0) ++ok, note("setpriority(outside, 17) worked");
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(v, sizeof(set), &set) == 0) ++ok, note("sched_setaffinity(outside) worked");
  struct sched_param sp = {0};
  if (sched_setscheduler(v, SCHED_IDLE, &sp) == 0) ++ok, note("sched_setscheduler(outside, SCHED_IDLE) worked");
  if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, v, (3 << 13) /* IOPRIO_CLASS_IDLE */) == 0)
    ++ok, note("ioprio_set(outside, idle) worked");
  if (ok) finish(ESCAPED, "an outside process's scheduling was changed");
  finish(CONTAINED, "scheduling of outside processes refused");
}
