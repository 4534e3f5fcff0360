// Symlinks the sandbox creates itself (in the private /tmp and in the copy-on-write overlay)
// pointing at the secret: absolute, relative, chained, through /proc/self/root, to the directory.
#include "escape.h"

int main(void) {
  const char *home = fx("ESC_HOME"), *hidden = fx("ESC_HIDDEN_FILE"), *work = fx("ESC_WORK");
  char dir[1024], rel[1024], viaproc[1024], w1[1024], w2[1024], w3[1024];
  snprintf(dir, sizeof(dir), "%s/.ssh", home);
  snprintf(rel, sizeof(rel), "..%s", hidden);  // from /tmp
  snprintf(viaproc, sizeof(viaproc), "/proc/self/root%s", hidden);
  snprintf(w1, sizeof(w1), "%s/sym-abs", work);
  snprintf(w2, sizeof(w2), "%s/sym-rel", work);
  snprintf(w3, sizeof(w3), "%s/sym-dir", work);
  struct { const char *target, *link; } links[] = {
      {hidden, "/tmp/s-abs"},     {"/tmp/s-abs", "/tmp/s-chain"}, {rel, "/tmp/s-rel"},
      {viaproc, "/tmp/s-proc"},   {dir, "/tmp/s-dir"},            {hidden, w1},
      {"../home/.ssh/id_rsa", w2}, {dir, w3},
  };
  int made = 0, leaks = 0;
  for (size_t i = 0; i < sizeof(links) / sizeof(*links); ++i) {
    if (symlink(links[i].target, links[i].link) == 0) ++made;
    leaks += leak_path(links[i].link, O_RDONLY, links[i].link);
  }
  char p[1024];
  snprintf(p, sizeof(p), "%s/id_rsa", w3);
  leaks += leak_path("/tmp/s-dir/id_rsa", O_RDONLY, "/tmp/s-dir/id_rsa");
  leaks += leak_path(p, O_RDONLY, "work/sym-dir/id_rsa");
  if (chdir("/tmp/s-dir") == 0) leaks += leak_path("id_rsa", O_RDONLY, "chdir /tmp/s-dir");
  // A link renamed over an allowed name, then read through that name.
  snprintf(p, sizeof(p), "%s/seed.txt", work);
  if (rename("/tmp/s-abs", "/tmp/renamed") == 0) leaks += leak_path("/tmp/renamed", O_RDONLY, "renamed link");
  if (rename(w1, p) == 0) leaks += leak_path(p, O_RDONLY, "link renamed over seed.txt");
  char buf[1024];
  ssize_t n = readlink("/tmp/s-rel", buf, sizeof(buf) - 1);
  if (n > 0) buf[n] = '\0', note("readlink gives back %s", buf);
  if (leaks) finish(ESCAPED, "a symlink made in the sandbox led to the secret");
  finish(CONTAINED, "%d symlinks made, none reaches the secret", made);
}
