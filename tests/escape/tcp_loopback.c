// TCP to the runner's listener on 127.0.0.1 (and ::1), through socket() and through a socket
// of every type.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "escape.h"

int main(void) {
  int port = atoi(fx("ESC_TCP_PORT"));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int ok = 0;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s >= 0) {
    note("AF_INET socket created");
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) ++ok, send(s, "TCP-FROM-SANDBOX\n", 17, 0);
  } else {
    note("socket(AF_INET): %s", strerror(errno));
  }
  int s6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s6 >= 0) ++ok, note("AF_INET6 socket created");
  // A unix socket connected to an AF_INET address.
  int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (u >= 0 && connect(u, (struct sockaddr *)&a, sizeof(a)) == 0) ++ok, note("unix socket connected to AF_INET?");
  if (ok) finish(ESCAPED, "TCP reached the host listener");
  finish(CONTAINED, "no IP socket");
}
