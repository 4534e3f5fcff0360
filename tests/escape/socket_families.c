// Socket families other than AF_UNIX: netlink (routing, audit, uevents), packet, raw IP, vsock,
// bluetooth, alg (kernel crypto), xdp, and socketpair with odd families.
#include <linux/netlink.h>
#include <sys/socket.h>

#include "escape.h"

int main(void) {
  const struct { int family, type, proto; const char *name; } f[] = {
      {AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "netlink route"}, {AF_NETLINK, SOCK_RAW, NETLINK_AUDIT, "netlink audit"},
      {AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT, "uevent"}, {AF_PACKET, SOCK_RAW, 0, "packet"},
      {AF_INET, SOCK_RAW, 255, "raw IP"}, {AF_VSOCK, SOCK_STREAM, 0, "vsock"}, {AF_BLUETOOTH, SOCK_RAW, 0, "bluetooth"},
      {AF_ALG, SOCK_SEQPACKET, 0, "alg"}, {AF_XDP, SOCK_RAW, 0, "xdp"}, {AF_INET6, SOCK_DGRAM, 0, "inet6"},
      {AF_KEY, SOCK_RAW, 2, "pfkey"}, {AF_TIPC, SOCK_RDM, 0, "tipc"}};
  int made = 0;
  for (size_t i = 0; i < sizeof(f) / sizeof(*f); ++i) {
    int s = socket(f[i].family, f[i].type | SOCK_CLOEXEC, f[i].proto);
    if (s >= 0) ++made, note("%s socket created", f[i].name), close(s);
    int sv[2];
    if (f[i].family != AF_UNIX && socketpair(f[i].family, f[i].type, f[i].proto, sv) == 0)
      ++made, note("%s socketpair created", f[i].name);
  }
  if (made) finish(ESCAPED, "non-unix sockets are available");
  finish(CONTAINED, "only AF_UNIX sockets");
}
