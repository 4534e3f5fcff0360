// UDP datagrams to the runner's listener on 127.0.0.1 with sendto and sendmsg.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "escape.h"

int main(void) {
  int port = atoi(fx("ESC_UDP_PORT"));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) finish(CONTAINED, "socket(AF_INET, SOCK_DGRAM): %s", strerror(errno));
  int ok = 0;
  if (sendto(s, "UDP-FROM-SANDBOX", 16, 0, (struct sockaddr *)&a, sizeof(a)) == 16) ++ok;
  struct iovec iov = {(void *)"UDP-SENDMSG", 11};
  struct msghdr m = {.msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1};
  if (sendmsg(s, &m, 0) == 11) ++ok;
  if (ok) finish(ESCAPED, "UDP datagrams left the sandbox");
  finish(CONTAINED, "UDP socket made but nothing sent");
}
