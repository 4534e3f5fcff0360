// Sockets the supervisor did not create (socketpair): bind and connect with addresses on them,
// and bind on a supervisor-made socket to a host directory the sandbox may not write.
#include <sys/socket.h>
#include <sys/un.h>

#include "escape.h"

int main(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof(a.sun_path), "%s", fx("ESC_DAEMON_SOCK"));
  int ok = 0;
  if (connect(sv[0], (struct sockaddr *)&a, sizeof(a)) == 0) ++ok, note("socketpair socket connected to the daemon");
  snprintf(a.sun_path, sizeof(a.sun_path), "%s/evil.sock", fx("ESC_PROTECTED"));
  if (bind(sv[1], (struct sockaddr *)&a, sizeof(a)) == 0) ++ok, note("socketpair socket bound in the protected dir");
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0) note("bound in the protected dir (overlay)");
  if (ok) finish(ESCAPED, "addresses used on sockets bvisor never saw");
  finish(CONTAINED, "socketpair sockets cannot take addresses");
}
