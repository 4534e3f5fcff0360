// POSIX message queues are shared with the host (the mqueue filesystem is per IPC namespace):
// open the runner's queue by name, receive its message, unlink it.
#include <mqueue.h>

#include "escape.h"

int main(void) {
  const char *name = fx("ESC_MQ");
  mqd_t q = mq_open(name, O_RDWR | O_NONBLOCK);
  if (q == (mqd_t)-1) finish(CONTAINED, "mq_open(%s): %s", name, strerror(errno));
  char buf[128];
  ssize_t n = mq_receive(q, buf, sizeof(buf), NULL);
  if (n > 0) note("received %.20s", buf);
  finish(ESCAPED, "opened the host message queue %s", name);
}
