// ELF interpreters are opened by the kernel itself: an ordinary program whose PT_INTERP names
// the hidden helper (~/.ssh/helper) makes execve load and run it. Tried from the host (the
// runner built it) and from a copy in the private /tmp (bvisor's redirected exec).
#include "exec_helpers.h"

int main(void) {
  const char *loader = fx("ESC_LOADER");
  char out[4096];
  int ran = 0;
  char *argv[] = {(char *)"loader", NULL};
  int st = run_capture(loader, argv, out, sizeof(out));
  note("host copy: status %#x, said: %.100s", st, out);
  if (strstr(out, "HIDDEN-HELPER-RAN")) ++ran;
  if (copy_file(loader, "/tmp/loader", 0755) != 0) finish(SETUP_ERROR, "copy loader: %s", strerror(errno));
  st = run_capture("/tmp/loader", argv, out, sizeof(out));
  note("/tmp copy: status %#x, said: %.100s", st, out);
  if (strstr(out, "HIDDEN-HELPER-RAN")) ++ran;
  if (ran) finish(ESCAPED, "the hidden helper ran as an ELF interpreter (%d of 2)", ran);
  finish(CONTAINED, "a hidden ELF interpreter is not loaded");
}
