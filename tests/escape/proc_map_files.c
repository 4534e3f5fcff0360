// /proc/self/map_files: a protected host file mapped read-only, re-opened through its
// map_files link for writing; the shared mapping shows whether the host inode changed.
#include <sys/mman.h>

#include "escape.h"

int main(void) {
  const char *prot = fx("ESC_PROTECTED_FILE"), *hidden = fx("ESC_HIDDEN_FILE");
  int fd = open(prot, O_RDONLY | O_CLOEXEC);
  if (fd < 0) finish(SETUP_ERROR, "open protected");
  struct host_bytes before = host_read(fd);
  char *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) finish(SETUP_ERROR, "mmap: %s", strerror(errno));
  char p[128], link[512];
  snprintf(p, sizeof(p), "/proc/self/map_files/%lx-%lx", (unsigned long)map, (unsigned long)map + 4096);
  ssize_t n = readlink(p, link, sizeof(link) - 1);
  if (n > 0) link[n] = '\0', note("readlink gives %s", link);
  int opened = 0;
  int w = open(p, O_RDWR | O_CLOEXEC);
  if (w >= 0) {
    ++opened;
    pwrite(w, "PWNED-VIA-MAP-FILES\n", 20, 0);
    close(w);
  } else {
    note("open(map_files, O_RDWR): %s", strerror(errno));
  }
  int leaks = 0;
  snprintf(link, sizeof(link), "%s/../id_rsa", p);  // a map_files link used as a directory
  leaks += leak_path(link, O_RDONLY, "map_files/..");
  (void)hidden;
  if (host_changed(fd, &before) || memcmp(map, before.b, strlen(before.b)) != 0) finish(ESCAPED, "writing through map_files changed the host file");
  if (leaks) finish(ESCAPED, "map_files led to the secret");
  finish(CONTAINED, "map_files re-open %s; the host mapping still reads %.18s", opened ? "went to a copy" : "refused", map);
}
