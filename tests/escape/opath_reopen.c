// O_PATH fds: on a protected host file (then re-opened O_RDWR through /proc/self/fd, and given
// to fchmod/fchown), on the home (then used as an openat base into ~/.ssh), on the hidden key.
#include "escape.h"

int main(void) {
  const char *prot = fx("ESC_PROTECTED_FILE"), *home = fx("ESC_HOME"), *hidden = fx("ESC_HIDDEN_FILE");
  int ro = open(prot, O_RDONLY | O_CLOEXEC);
  struct host_bytes content = host_read(ro);
  struct stat before;
  fstat(ro, &before);
  int leaks = 0;
  int pf = open(prot, O_PATH | O_CLOEXEC);
  if (pf < 0) finish(SETUP_ERROR, "O_PATH open: %s", strerror(errno));
  char p[64];
  snprintf(p, sizeof(p), "/proc/self/fd/%d", pf);
  int w = open(p, O_RDWR | O_CLOEXEC);
  if (w >= 0) write(w, "PWNED-VIA-OPATH\n", 16), close(w);
  w = openat(pf, "", O_RDWR | O_CLOEXEC);  // not valid for openat, but try
  if (w >= 0) write(w, "PWNED-VIA-OPATH2\n", 17), close(w);
  fchmod(pf, 0777);
  fchown(pf, 12345, 12345);
  int hf = open(home, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = openat(hf, ".ssh/id_rsa", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) leaks += leak_fd(fd, "openat(O_PATH home)");
  int hp = open(hidden, O_PATH | O_CLOEXEC);
  if (hp >= 0) {
    note("O_PATH open of the hidden key succeeded");
    snprintf(p, sizeof(p), "/proc/self/fd/%d", hp);
    leaks += 1 + leak_path(p, O_RDONLY, "O_PATH hidden re-open");
  }
  struct stat after;
  fstat(ro, &after);
  if (host_changed(ro, &content)) finish(ESCAPED, "a write through an O_PATH re-open reached the host file");
  if (after.st_mode != before.st_mode || after.st_uid != before.st_uid)
    finish(ESCAPED, "fchmod/fchown on an O_PATH fd changed the host file");
  if (leaks) finish(ESCAPED, "an O_PATH fd led to the hidden key");
  finish(CONTAINED, "O_PATH fds give nothing beyond the policy");
}
