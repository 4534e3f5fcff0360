// connect(2) to the runner's unix-socket daemon, a host socket outside any rw rule: directly,
// relative to the cwd, through /proc/self/root and /proc/self/cwd, through a symlink made in
// the overlay, and through a path longer than sun_path (relative, from a deep cwd).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "escape.h"

static int try_connect(const char *path, const char *how) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return 0;
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
  int ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
  if (ok) {
    note("%s connected", how);
    send(s, "UNIX-FROM-SANDBOX\n", 18, MSG_NOSIGNAL);
  }
  close(s);
  return ok;
}

int main(void) {
  const char *sock = fx("ESC_DAEMON_SOCK");
  char dir[512], p[1024];
  snprintf(dir, sizeof(dir), "%s", sock);
  *strrchr(dir, '/') = '\0';
  int ok = try_connect(sock, "absolute path");
  snprintf(p, sizeof(p), "/proc/self/root%s", sock);
  ok += try_connect(p, "/proc/self/root");
  if (chdir(dir) == 0) {
    ok += try_connect("daemon.sock", "relative path");
    ok += try_connect("/proc/self/cwd/daemon.sock", "/proc/self/cwd");
    ok += try_connect("./daemon.sock", "./ relative");
  }
  symlink(sock, "/tmp/daemon-link");
  ok += try_connect("/tmp/daemon-link", "overlay symlink");
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);  // a datagram socket cannot connect to a stream one;
  close(s);                                              // the stream cases above are the point
  if (ok) finish(ESCAPED, "the host daemon accepted %d connections", ok);
  finish(CONTAINED, "the host daemon socket is unreachable");
}
