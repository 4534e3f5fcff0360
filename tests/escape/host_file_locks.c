// Locks and leases on a protected host file opened read-only: flock(LOCK_EX) blocks host
// processes that lock it (apt, dpkg, databases), an F_RDLCK lease stalls every host writer for
// lease-break-time. The runner tries to lock the file from the host meanwhile.
#include <sys/file.h>

#include "escape.h"

int main(void) {
  const char *prot = fx("ESC_PROTECTED_FILE");
  int fd = open(prot, O_RDONLY | O_CLOEXEC);
  if (fd < 0) finish(SETUP_ERROR, "open");
  int got = 0;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) ++got, note("flock(LOCK_EX) on the host file held");
  int fd2 = open(prot, O_RDONLY | O_CLOEXEC);
  if (fcntl(fd2, F_SETLEASE, F_RDLCK) == 0) ++got, note("F_SETLEASE(F_RDLCK) granted"), fcntl(fd2, F_SETLEASE, F_UNLCK);
  sleep(2);  // the runner's host-side flock runs now
  if (got) finish(CONTAINED, "%d host locks held (the runner decides whether the host felt them)", got);
  finish(CONTAINED, "no lock on the host file");
}
