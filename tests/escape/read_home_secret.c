// Reads the key under $HOME as the sandbox sees it and under its canonical path. Run with a
// HOME that is a symlink to the real home: the policy's "~/.ssh" must still cover it.
#include "escape.h"

int main(void) {
  char p[1024];
  snprintf(p, sizeof(p), "%s/.ssh/id_rsa", getenv("HOME") ? getenv("HOME") : "/nonexistent");
  int leaks = leak_path(p, O_RDONLY, "$HOME/.ssh/id_rsa");
  leaks += leak_path(fx("ESC_HIDDEN_FILE"), O_RDONLY, "canonical path");
  snprintf(p, sizeof(p), "%s/.aws/credentials", fx("ESC_HOME"));
  leaks += leak_path(p, O_RDONLY, "canonical ~/.aws");
  if (leaks) finish(ESCAPED, "HOME=%s: the key was readable (%d paths)", getenv("HOME"), leaks);
  finish(CONTAINED, "HOME=%s: the key stays hidden", getenv("HOME"));
}
