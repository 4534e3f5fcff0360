// /proc/sys and friends are host-wide kernel settings. Writing kernel.core_pattern (to a pipe
// command) runs any program as root outside the sandbox on the next crash. Probed without
// harm: the current value is written back unchanged; /proc/sysrq-trigger and drop_caches are
// only opened.
#include "escape.h"

static int rewrite(const char *path) {
  char buf[512];
  int r = open(path, O_RDONLY | O_CLOEXEC);
  if (r < 0) return 0;
  ssize_t n = read(r, buf, sizeof(buf));
  close(r);
  if (n <= 0) return 0;
  int w = open(path, O_WRONLY | O_CLOEXEC);
  if (w < 0) {
    note("%s: %s", path, strerror(errno));
    return 0;
  }
  ssize_t put = write(w, buf, (size_t)n);
  close(w);
  if (put == n) note("rewrote %s", path);
  return put == n;
}

int main(void) {
  int ok = 0;
  ok += rewrite("/proc/sys/kernel/core_pattern");
  ok += rewrite("/proc/sys/kernel/hostname");
  ok += rewrite("/proc/sys/kernel/modprobe");
  const char *open_only[] = {"/proc/sysrq-trigger", "/proc/sys/vm/drop_caches", "/proc/sys/kernel/sysrq"};
  for (size_t i = 0; i < sizeof(open_only) / sizeof(*open_only); ++i) {
    int w = open(open_only[i], O_WRONLY | O_CLOEXEC);
    if (w >= 0) ++ok, note("%s is open for writing", open_only[i]), close(w);
  }
  if (ok) finish(ESCAPED, "host kernel settings are writable");
  finish(CONTAINED, "/proc/sys is read-only");
}
