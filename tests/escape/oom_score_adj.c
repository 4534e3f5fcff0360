// /proc/self/oom_score_adj is under the rw /proc rule: at -1000 a sandbox process is never
// chosen by the OOM killer, so when it exhausts memory the host's processes are killed instead.
#include "escape.h"

int main(void) {
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) finish(CONTAINED, "open oom_score_adj: %s", strerror(errno));
  if (write(fd, "-1000", 5) != 5) {
    int e = errno;
    char status[4096] = {0};
    int st = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    read(st, status, sizeof(status) - 1);
    const char *eff = strstr(status, "CapEff:");
    unsigned long long caps = eff ? strtoull(eff + 7, NULL, 16) : 0;
    if (e == EACCES && !(caps & (1ULL << 24))) note("this process lacks CAP_SYS_RESOURCE anyway (a full root would succeed)");
    finish(CONTAINED, "write -1000: %s", strerror(e));
  }
  close(fd);
  char buf[16] = {0};
  fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
  read(fd, buf, sizeof(buf) - 1);
  finish(ESCAPED, "oom_score_adj is now %.6s: this process is exempt from the OOM killer", buf);
}
