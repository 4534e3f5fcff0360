// Signals without kill(2): F_SETOWN names any pid (or process group), F_SETSIG any signal;
// once the fd is ready the kernel itself delivers it (root may signal anyone).
//   sigio_outside victim | supervisor | reaper
// "reaper" also leaves a child behind that checks whether it outlives the reaper unsupervised.
#include <signal.h>

#include "escape.h"

static void sigio(pid_t target, int sig) {
  int p[2];
  if (pipe(p) != 0) finish(SETUP_ERROR, "pipe");
  if (fcntl(p[0], F_SETOWN, target) != 0) note("F_SETOWN: %s", strerror(errno));
  if (fcntl(p[0], F_SETSIG, sig) != 0) note("F_SETSIG: %s", strerror(errno));
  if (fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) != 0) note("O_ASYNC: %s", strerror(errno));
  write(p[1], "x", 1);
  usleep(200000);
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "victim";
  if (strcmp(which, "victim") == 0) {
    sigio(atoi(fx("ESC_VICTIM")), SIGKILL);
    finish(CONTAINED, "SIGIO aimed at the outside process; the runner checks it");
  }
  if (strcmp(which, "supervisor") == 0) {
    sigio(atoi(fx("ESC_BVISOR_PID")), SIGKILL);
    if (!supervisor_alive()) finish(ESCAPED, "the supervisor died");
    finish(CONTAINED, "the supervisor survived a SIGIO SIGKILL");
  }
  pid_t reaper = getppid(), root = getpid();
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    // Wait until our parent (the sandbox's first process) is gone, then see who adopted us.
    for (int i = 0; i < 100 && getppid() == root; ++i) usleep(20000);
    pid_t adopter = getppid();
    if (adopter != root && adopter != reaper) {
      // Nobody kills us any more: say so, and stay around long enough for run.sh to see it.
      printf("ESCAPE-RESULT 1 the reaper was killed; this sandbox process lives on, adopted by %d\n", adopter);
      fflush(stdout);
      sleep(3);
    }
    _exit(0);
  }
  sigio(reaper, SIGKILL);
  usleep(300000);
  finish(CONTAINED, "the reaper survived a SIGIO SIGKILL");
}
