// Script interpreters are opened by the kernel itself: a script whose "#!" names the hidden
// helper. Tried with a script already on the host and with one written to the private /tmp.
#include "exec_helpers.h"

int main(void) {
  const char *script = fx("ESC_HIDDEN_SCRIPT"), *helper = fx("ESC_HELPER");
  char out[4096];
  int ran = 0;
  char *argv[] = {(char *)"script", NULL};
  int st = run_capture(script, argv, out, sizeof(out));
  note("host script: status %#x, said: %.100s", st, out);
  if (strstr(out, "HIDDEN-HELPER-RAN")) ++ran;
  int fd = open("/tmp/hidden.sh", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  dprintf(fd, "#!%s\n", helper);
  close(fd);
  st = run_capture("/tmp/hidden.sh", argv, out, sizeof(out));
  note("/tmp script: status %#x, said: %.100s", st, out);
  if (strstr(out, "HIDDEN-HELPER-RAN")) ++ran;
  if (ran) finish(ESCAPED, "the hidden helper ran as a script interpreter (%d of 2)", ran);
  finish(CONTAINED, "a hidden script interpreter is not run");
}
