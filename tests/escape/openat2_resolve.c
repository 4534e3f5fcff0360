// openat2 with every RESOLVE_* flag and odd open_how sizes, on the hidden key (directly, via a
// host symlink, via /proc/self/root, relative to the home, IN_ROOT of the home), and a write
// to the protected host file.
#include <linux/openat2.h>

#include "escape.h"

static int o2(int dirfd, const char *path, uint64_t flags, uint64_t resolve, size_t size) {
  struct {
    struct open_how how;
    uint64_t extra;
  } h = {{flags | O_CLOEXEC, 0, resolve}, size > sizeof(struct open_how) ? 1 : 0};
  return (int)syscall(SYS_openat2, dirfd, path, &h, size);
}

int main(void) {
  const char *hidden = fx("ESC_HIDDEN_FILE"), *home = fx("ESC_HOME"), *fix = fx("ESC_FIX");
  const char *prot = fx("ESC_PROTECTED_FILE");
  char link[512], viaproc[512];
  snprintf(link, sizeof(link), "%s/link-secret", fix);
  snprintf(viaproc, sizeof(viaproc), "/proc/self/root%s", hidden);
  int homefd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const uint64_t resolves[] = {0, RESOLVE_NO_SYMLINKS, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_XDEV, RESOLVE_BENEATH,
                               RESOLVE_IN_ROOT, RESOLVE_CACHED, RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
  const size_t sizes[] = {sizeof(struct open_how), sizeof(struct open_how) + 8, 8, 4096};
  int leaks = 0, tried = 0;
  for (size_t r = 0; r < sizeof(resolves) / sizeof(*resolves); ++r) {
    for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); ++s) {
      const struct { int dirfd; const char *path; } t[] = {
          {AT_FDCWD, hidden}, {AT_FDCWD, link}, {AT_FDCWD, viaproc}, {homefd, ".ssh/id_rsa"}, {homefd, "/.ssh/id_rsa"}};
      for (size_t i = 0; i < sizeof(t) / sizeof(*t); ++i) {
        ++tried;
        int fd = o2(t[i].dirfd, t[i].path, O_RDONLY, resolves[r], sizes[s]);
        if (fd >= 0) leaks += leak_fd(fd, "openat2"), close(fd);
      }
    }
  }
  int ro = open(prot, O_RDONLY | O_CLOEXEC);
  struct host_bytes before = host_read(ro);
  int w = o2(AT_FDCWD, prot, O_RDWR, RESOLVE_NO_SYMLINKS, sizeof(struct open_how));
  if (w >= 0) write(w, "PWNED-BY-OPENAT2\n", 17), close(w);
  if (host_changed(ro, &before)) finish(ESCAPED, "openat2 wrote the host file");
  if (leaks) finish(ESCAPED, "openat2 read the hidden key");
  finish(CONTAINED, "%d openat2 calls, none reached the key or the host file", tried);
}
