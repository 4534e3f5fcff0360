// System V IPC is shared with the host: find host shared memory segments and message queues by
// enumeration (SHM_STAT/MSG_STAT need no key), attach, read, write, take messages. Only the
// runner's own objects (key ESC_SHM_ID) are changed; others are merely counted.
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>

#include "escape.h"

int main(void) {
  key_t ours = (key_t)atoi(fx("ESC_SHM_ID"));
  const char *mark = fx("ESC_IPC_MARK");
  int found = 0, others = 0;
  struct shm_info info;
  int max = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
  for (int i = 0; i <= max && i < 65536; ++i) {
    struct shmid_ds ds;
    int id = shmctl(i, SHM_STAT, &ds);
    if (id < 0) continue;
    if (ds.shm_perm.__key != ours) {
      ++others;
      continue;
    }
    char *p = shmat(id, NULL, 0);
    if (p == (void *)-1) continue;
    if (strcmp(p, mark) == 0) {
      ++found;
      note("attached the host's shm segment %d: %.24s", id, p);
      memcpy(p, "PWNED", 5);
    }
    shmdt(p);
  }
  struct msginfo mi;
  int mmax = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
  for (int i = 0; i <= mmax && i < 65536; ++i) {
    struct msqid_ds ds;
    int id = msgctl(i, MSG_STAT, &ds);
    if (id < 0) continue;
    if (ds.msg_perm.__key != ours) {
      ++others;
      continue;
    }
    struct {
      long type;
      char text[64];
    } m;
    if (msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) > 0) ++found, note("took the host's message: %.24s", m.text);
  }
  if (others) note("%d other host IPC objects are visible", others);
  if (found) finish(ESCAPED, "host System V IPC objects are readable and writable");
  finish(CONTAINED, "no host System V IPC object reachable");
}
