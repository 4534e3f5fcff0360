// Secrets in the caller's environment (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, ..., set by the
// runner for this attack) must not reach the sandbox: the default policy removes them.
#include "escape.h"

extern char **environ;

int main(void) {
  int leaks = 0;
  for (char **e = environ; *e; ++e) {
    if (has_secret(*e, strlen(*e))) {
      ++leaks;
      printf("LEAK via environment: %.100s\n", *e);
    }
  }
  if (leaks) finish(ESCAPED, "%d secret variables reached the sandbox", leaks);
  finish(CONTAINED, "no secret in the environment");
}
