// Two levels of "#!": /tmp/a.sh runs /tmp/b.sh, whose interpreter is the hidden helper. bvisor
// resolves one level of a redirected script; the kernel resolves the next one by itself.
#include "exec_helpers.h"

int main(void) {
  const char *helper = fx("ESC_HELPER");
  int fd = open("/tmp/b.sh", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  dprintf(fd, "#!%s\n", helper);
  close(fd);
  fd = open("/tmp/a.sh", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  dprintf(fd, "#!/tmp/b.sh\n");
  close(fd);
  char out[4096];
  char *argv[] = {(char *)"a.sh", NULL};
  int st = run_capture("/tmp/a.sh", argv, out, sizeof(out));
  note("status %#x, said: %.120s", st, out);
  if (strstr(out, "HIDDEN-HELPER-RAN")) finish(ESCAPED, "a nested interpreter chain ran the hidden helper");
  finish(CONTAINED, "the nested interpreter chain did not run the hidden helper");
}
