// SCM_RIGHTS: a read-only fd of a protected host file passed through a socketpair, received,
// written, and re-opened for writing through /proc/self/fd.
#include <sys/socket.h>

#include "escape.h"

int main(void) {
  const char *prot = fx("ESC_PROTECTED_FILE");
  int ro = open(prot, O_RDONLY | O_CLOEXEC);
  struct host_bytes before = host_read(ro);
  int sv[2];
  if (ro < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) finish(SETUP_ERROR, "setup");
  char c = 'x';
  struct iovec iov = {&c, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &ro, sizeof(int));
  if (sendmsg(sv[0], &m, 0) != 1) finish(SETUP_ERROR, "sendmsg");
  memset(u.buf, 0, sizeof(u.buf));
  m.msg_controllen = sizeof(u.buf);
  if (recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) != 1) finish(SETUP_ERROR, "recvmsg");
  int got;
  memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
  ssize_t w = write(got, "PWNED-SCM\n", 10);
  note("write on the passed fd: %s", w >= 0 ? "ok" : strerror(errno));
  char p[64];
  snprintf(p, sizeof(p), "/proc/self/fd/%d", got);
  int rw = open(p, O_RDWR | O_CLOEXEC);
  if (rw >= 0) write(rw, "PWNED-SCM-REOPEN\n", 17), close(rw);
  if (host_changed(ro, &before)) finish(ESCAPED, "a passed read-only fd wrote the host file");
  finish(CONTAINED, "a passed read-only fd stays read-only");
}
