// Moving the hidden directory, its parent, or something over it, then reading through the
// new names.
#include <dirent.h>
#include <linux/fs.h>

#include "escape.h"

int main(void) {
  const char *home = fx("ESC_HOME"), *work = fx("ESC_WORK");
  char ssh[1024], moved[1024], homemoved[1024], p[1024], decoy[1024];
  snprintf(ssh, sizeof(ssh), "%s/.ssh", home);
  snprintf(moved, sizeof(moved), "%s/ssh-moved", home);
  snprintf(homemoved, sizeof(homemoved), "%s/home-moved", work);
  snprintf(decoy, sizeof(decoy), "%s/decoy", work);
  int leaks = 0, ok = 0;
  if (rename(ssh, moved) == 0) ++ok, note("rename(.ssh) succeeded");
  snprintf(p, sizeof(p), "%s/id_rsa", moved);
  leaks += leak_path(p, O_RDONLY, "ssh-moved/id_rsa");
  if (rename(ssh, "/tmp/ssh") == 0) ++ok, note("rename(.ssh, /tmp) succeeded");
  leaks += leak_path("/tmp/ssh/id_rsa", O_RDONLY, "/tmp/ssh/id_rsa");
  snprintf(p, sizeof(p), "%s/.ssh/id_rsa", home);
  char dst[1024];
  snprintf(dst, sizeof(dst), "%s/key-moved", work);
  if (rename(p, dst) == 0) ++ok, note("rename(id_rsa) succeeded");
  leaks += leak_path(dst, O_RDONLY, "key-moved");
  int r = rename(home, homemoved);
  note("rename(home) -> %s", r == 0 ? "ok" : strerror(errno));
  snprintf(p, sizeof(p), "%s/.ssh/id_rsa", homemoved);
  leaks += leak_path(p, O_RDONLY, "home-moved/.ssh/id_rsa");
  mkdir(decoy, 0755);
  if (syscall(SYS_renameat2, AT_FDCWD, decoy, AT_FDCWD, ssh, RENAME_EXCHANGE) == 0) {
    ++ok, note("RENAME_EXCHANGE with .ssh succeeded");
    snprintf(p, sizeof(p), "%s/id_rsa", decoy);
    leaks += leak_path(p, O_RDONLY, "exchanged decoy/id_rsa");
  }
  if (rename(decoy, ssh) == 0) ++ok, note("rename(decoy, .ssh) replaced the hidden dir");
  // Copy-and-delete fallback, like mv(1) after EXDEV: the listing must not offer .ssh.
  DIR *d = opendir(home);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".ssh") == 0 || strcmp(e->d_name, ".aws") == 0) {
      note("readdir(home) lists %s", e->d_name);
      ++ok;
    }
  }
  if (leaks) finish(ESCAPED, "a rename exposed the hidden key");
  if (ok) finish(ESCAPED, "the hidden directory could be moved or listed");
  finish(CONTAINED, "the hidden directory can be neither moved, replaced nor listed");
}
