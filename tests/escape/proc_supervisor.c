// The supervisor's and the reaper's /proc entries: environ (bvisor's own environment), mem
// (its memory), cwd/root/fd (its view), found through the parent chain, by guessing, and by the
// pid the runner passes in. All must be hidden; so must an unrelated outside process.
#include <dirent.h>

#include "escape.h"

static int try_entry(pid_t pid, const char *what) {
  const char *entries[] = {"status", "environ", "mem", "cwd/", "root/etc/hostname", "fd/0", "exe", "maps", "cmdline",
                           "task/%d/environ", "attr/current", "stack"};
  int opened = 0;
  char p[256], e[64];
  for (size_t i = 0; i < sizeof(entries) / sizeof(*entries); ++i) {
    snprintf(e, sizeof(e), entries[i], pid);
    snprintf(p, sizeof(p), "/proc/%d/%s", pid, e);
    int fd = open(p, (strcmp(e, "mem") == 0 ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd >= 0) {
      ++opened;
      char buf[256] = {0};
      ssize_t n = read(fd, buf, sizeof(buf) - 1);
      for (ssize_t k = 0; k < n; ++k)
        if (buf[k] == 0 || buf[k] == '\n') buf[k] = ' ';
      note("%s of %s opened: %.60s", e, what, n > 0 ? buf : "");
      close(fd);
    }
    struct stat st;
    char link[256];
    if (readlink(p, link, sizeof(link)) > 0 && strncmp(e, "exe", 3) == 0) ++opened, note("readlink %s works", p);
    (void)st;
  }
  snprintf(p, sizeof(p), "/proc/self/../%d/environ", pid);
  if (leak_path(p, O_RDONLY, p) || access(p, F_OK) == 0) ++opened, note("%s reachable", p);
  struct stat st;
  snprintf(p, sizeof(p), "/proc/%d", pid);
  if (stat(p, &st) == 0) ++opened, note("stat %s works", p);
  return opened;
}

static pid_t ppid_of(pid_t pid) {
  char p[64], buf[2048];
  snprintf(p, sizeof(p), "/proc/%d/status", pid);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *pp = strstr(buf, "\nPPid:");
  return pp ? atoi(pp + 6) : -1;
}

int main(void) {
  pid_t reaper = getppid();
  pid_t bvisor = atoi(fx("ESC_BVISOR_PID"));
  pid_t outside = atoi(fx("ESC_VICTIM"));
  pid_t chain = ppid_of(reaper);  // must fail: the reaper is hidden
  if (chain > 0) note("the parent chain continues past the reaper to %d", chain);
  int opened = 0;
  opened += try_entry(reaper, "the reaper");
  opened += try_entry(bvisor, "bvisor");
  opened += try_entry(reaper - 1, "reaper-1");
  opened += try_entry(outside, "an outside process");
  opened += try_entry(1, "init");
  int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char rel[64];
  snprintf(rel, sizeof(rel), "%d/environ", bvisor);
  int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) ++opened, note("openat(/proc, %s) works", rel);
  if (opened || chain > 0) finish(ESCAPED, "%d /proc entries of processes outside the sandbox were reachable", opened);
  finish(CONTAINED, "the reaper, bvisor, init and an outside process are all hidden in /proc");
}
