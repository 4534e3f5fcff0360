// Directory listings must not show hidden names: ~/.ssh, ~/.aws, /etc/shadow, /etc/ssh, raw
// devices in /dev; through opendir, a directory fd, fchdir + ".", and /proc/self/cwd.
#include <dirent.h>

#include "escape.h"

static int scan(DIR *d, const char *where, const char *const *bad) {
  int found = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    for (const char *const *b = bad; *b; ++b)
      if (strcmp(e->d_name, *b) == 0) ++found, note("%s lists %s", where, *b);
  }
  if (d) closedir(d);
  return found;
}

int main(void) {
  const char *home = fx("ESC_HOME");
  const char *home_bad[] = {".ssh", ".aws", NULL};
  const char *etc_bad[] = {"shadow", "gshadow", "sudoers", "ssh", NULL};
  const char *dev_bad[] = {"vda", "mem", "kmsg", "port", "loop0", "console", NULL};
  int found = scan(opendir(home), "opendir(home)", home_bad);
  int hfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  found += scan(fdopendir(dup(hfd)), "fdopendir(home)", home_bad);
  if (fchdir(hfd) == 0) {
    found += scan(opendir("."), "fchdir(home) + .", home_bad);
    found += scan(opendir("/proc/self/cwd"), "/proc/self/cwd", home_bad);
  }
  found += scan(opendir("/etc"), "/etc", etc_bad);
  found += scan(opendir("/dev"), "/dev", dev_bad);
  if (found) finish(ESCAPED, "%d hidden names visible in listings", found);
  finish(CONTAINED, "listings leave the hidden names out");
}
