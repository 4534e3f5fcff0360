// Do outside processes show? /proc listing (ps), and syscalls that take any pid and are allowed
// in BPF: getpgid, getsid, getpriority, sched_getaffinity, kill(pid, 0).
#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>

#include "escape.h"

int main(void) {
  pid_t v = atoi(fx("ESC_VICTIM"));
  int seen = 0;
  DIR *d = opendir("/proc");
  struct dirent *e;
  int listed = 0;
  while (d && (e = readdir(d)) != NULL) {
    if (atoi(e->d_name) == v) listed = 1;
    if (atoi(e->d_name) == 1) seen += 0;
  }
  if (listed) ++seen, note("the outside pid %d is listed in /proc", v);
  if (getpgid(v) >= 0) ++seen, note("getpgid(outside) = %d", getpgid(v));
  if (getsid(v) >= 0) ++seen, note("getsid(outside) = %d", getsid(v));
  cpu_set_t set;
  if (sched_getaffinity(v, sizeof(set), &set) == 0) ++seen, note("sched_getaffinity(outside) works");
  if (kill(v, 0) == 0) ++seen, note("kill(outside, 0) says it exists");
  if (seen) finish(ESCAPED, "outside processes are visible (information leak)");
  finish(CONTAINED, "outside processes are invisible");
}
