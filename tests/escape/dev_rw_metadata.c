// The /dev entries the default policy lists as "rw" are the host's own device nodes: chmod,
// chown and xattrs on them change the host (as root, unlink and rename would remove or swap
// them). Probed without harm: mode and owner are set to their current values.
#include <sys/xattr.h>

#include "escape.h"

int main(void) {
  const char *nodes[] = {"/dev/null", "/dev/zero", "/dev/urandom"};
  int ok = 0;
  for (size_t i = 0; i < sizeof(nodes) / sizeof(*nodes); ++i) {
    struct stat st;
    if (stat(nodes[i], &st) != 0) continue;
    if (chmod(nodes[i], st.st_mode & 07777) == 0) ++ok, note("chmod %s (same mode) accepted", nodes[i]);
    if (chown(nodes[i], st.st_uid, st.st_gid) == 0) ++ok, note("chown %s (same owner) accepted", nodes[i]);
    if (setxattr(nodes[i], "trusted.bvisor-escape", "1", 1, 0) == 0) {
      ++ok, note("setxattr on %s accepted", nodes[i]);
      removexattr(nodes[i], "trusted.bvisor-escape");
    }
  }
  if (ok) finish(ESCAPED, "host device nodes can be modified");
  finish(CONTAINED, "host device nodes are not modifiable");
}
