// Unix datagrams carry their destination in each send: sendto (mediated) and sendmsg/sendmmsg
// with msg_name, to the runner's datagram daemon (a path outside any rw rule) and to its
// abstract datagram name. Sockets both from socket(2) and socketpair(2).
#include <sys/socket.h>
#include <sys/un.h>

#include "escape.h"

int main(void) {
  struct sockaddr_un path = {.sun_family = AF_UNIX}, abs = {.sun_family = AF_UNIX};
  snprintf(path.sun_path, sizeof(path.sun_path), "%s", fx("ESC_DGRAM_SOCK"));
  const char *name = fx("ESC_ABSTRACT_DGRAM");
  memcpy(abs.sun_path + 1, name, strlen(name));
  socklen_t abs_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
  int socks[] = {s, sv[0]};
  int sent = 0;
  for (int i = 0; i < 2; ++i) {
    if (socks[i] < 0) continue;
    if (sendto(socks[i], "DGRAM-SENDTO", 12, 0, (struct sockaddr *)&path, sizeof(path)) == 12) ++sent, note("sendto path (%d)", i);
    struct iovec iov = {(void *)"DGRAM-SENDMSG", 13};
    struct msghdr m = {.msg_name = &path, .msg_namelen = sizeof(path), .msg_iov = &iov, .msg_iovlen = 1};
    if (sendmsg(socks[i], &m, 0) == 13) ++sent, note("sendmsg path (%d)", i);
    m.msg_name = &abs;
    m.msg_namelen = abs_len;
    if (sendmsg(socks[i], &m, 0) == 13) ++sent, note("sendmsg abstract (%d)", i);
    struct mmsghdr mm = {.msg_hdr = m};
    mm.msg_hdr.msg_name = &path;
    mm.msg_hdr.msg_namelen = sizeof(path);
    if (sendmmsg(socks[i], &mm, 1, 0) == 1) ++sent, note("sendmmsg path (%d)", i);
  }
  if (sent) finish(ESCAPED, "%d datagrams reached host sockets", sent);
  finish(CONTAINED, "no datagram reached a host socket");
}
