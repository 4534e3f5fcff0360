// Abstract unix sockets live in the host's network namespace: connect to the runner's abstract
// listener, bind an abstract name (for host processes to connect to), and listen() on an
// unbound socket (autobind gives it an abstract name).
#include <sys/socket.h>
#include <sys/un.h>

#include "escape.h"

int main(void) {
  const char *name = fx("ESC_ABSTRACT");
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  a.sun_path[0] = '\0';
  memcpy(a.sun_path + 1, name, strlen(name));
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
  int ok = 0;
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(s, (struct sockaddr *)&a, len) == 0) ++ok, send(s, "ABSTRACT-FROM-SANDBOX\n", 22, MSG_NOSIGNAL);
  else note("connect @%s: %s", name, strerror(errno));
  int b = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memcpy(a.sun_path + 1, "sandbox-listens", 15);
  if (bind(b, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 16)) == 0)
    ++ok, note("bound an abstract name");
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen(l, 1) == 0) {
    struct sockaddr_un got;
    socklen_t gl = sizeof(got);
    getsockname(l, (struct sockaddr *)&got, &gl);
    if (gl > offsetof(struct sockaddr_un, sun_path)) note("listen() autobound an abstract name (reachable from the host)");
  }
  if (ok) finish(ESCAPED, "abstract unix sockets reach the host");
  finish(CONTAINED, "abstract unix sockets refused");
}
