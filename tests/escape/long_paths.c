// Paths at and beyond PATH_MAX, components beyond NAME_MAX, deep trees, long symlink targets,
// 41-link chains, a path whose NUL lies past the end of the mapping. Nothing may reach the key,
// and the supervisor must keep answering.
#include <limits.h>
#include <sys/mman.h>

#include "escape.h"

static char big[3 * PATH_MAX];

int main(void) {
  const char *hidden = fx("ESC_HIDDEN_FILE");
  int leaks = 0;
  // "/./././...<hidden>" padded to PATH_MAX-1, PATH_MAX and PATH_MAX+1 bytes.
  for (int extra = -1; extra <= 1; ++extra) {
    size_t want = PATH_MAX + extra, hl = strlen(hidden);
    size_t pad = (want - hl) & ~(size_t)1;
    for (size_t i = 0; i < pad; i += 2) memcpy(big + i, "/.", 2);
    strcpy(big + pad, hidden);
    leaks += leak_path(big, O_RDONLY, "padded path");
  }
  // ../ x 2000 then the hidden path.
  big[0] = '\0';
  for (int i = 0; i < 2000; ++i) strcat(big, "../");
  strcat(big, hidden + 1);
  if (chdir("/tmp") == 0) leaks += leak_path(big, O_RDONLY, "2000 x ../");
  memset(big, 'a', 5000);
  big[0] = '/';
  big[5000] = '\0';
  int fd = open(big, O_RDONLY);
  note("5000-byte path: %s", fd >= 0 ? "opened?!" : strerror(errno));
  // A component of 300 bytes.
  memset(big, 'b', 300);
  big[300] = '\0';
  fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  note("300-byte name: %s", fd >= 0 ? "created" : strerror(errno));
  // A deep tree in the private /tmp until the supervisor refuses to go deeper.
  char name[201];
  memset(name, 'd', 200);
  name[200] = '\0';
  int depth = 0;
  if (chdir("/tmp") == 0) {
    while (depth < 64 && mkdir(name, 0755) == 0 && chdir(name) == 0) ++depth;
    note("deep tree stopped at depth %d (%s)", depth, strerror(errno));
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == NULL) note("getcwd: %s", strerror(errno));
    leaks += leak_path("id_rsa", O_RDONLY, "deep cwd");
  }
  // A symlink whose target is 4095 bytes, and a chain of 41 links.
  memset(big, 0, sizeof(big));
  for (size_t i = 0; i + 2 < PATH_MAX - strlen(hidden) - 1; i += 2) memcpy(big + i, "/.", 2);
  strcat(big, hidden);
  if (symlink(big, "/tmp/longlink") == 0) leaks += leak_path("/tmp/longlink", O_RDONLY, "long link");
  char a[64], b[64];
  symlink(hidden, "/tmp/chain0");
  for (int i = 1; i <= 41; ++i) {
    snprintf(a, sizeof(a), "/tmp/chain%d", i - 1);
    snprintf(b, sizeof(b), "/tmp/chain%d", i);
    symlink(a, b);
  }
  leaks += leak_path("/tmp/chain41", O_RDONLY, "41-link chain");
  // The path string runs into an unmapped page without a NUL.
  char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(pages + 4096, 4096);
  memset(pages, '/', 4096);
  fd = open(pages, O_RDONLY);
  note("unterminated path: %s", fd >= 0 ? "opened" : strerror(errno));
  if (!supervisor_alive()) finish(ESCAPED, "the supervisor stopped answering");
  if (leaks) finish(ESCAPED, "a long path reached the hidden key");
  finish(CONTAINED, "long paths fail cleanly");
}
