// bpf(2): maps and programs (kernel attack surface, and tracing programs read any memory).
#include <linux/bpf.h>

#include "escape.h"

int main(void) {
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.map_type = BPF_MAP_TYPE_ARRAY;
  a.key_size = 4;
  a.value_size = 8;
  a.max_entries = 1;
  int map = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
  int e1 = errno;
  struct bpf_insn prog[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
                            {.code = BPF_JMP | BPF_EXIT}};
  memset(&a, 0, sizeof(a));
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  a.insn_cnt = 2;
  a.insns = (uintptr_t)prog;
  a.license = (uintptr_t) "GPL";
  int p = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
  int e2 = errno;
  if (map >= 0 || p >= 0) finish(ESCAPED, "bpf: map %d, program %d", map, p);
  finish(CONTAINED, "bpf map: %s, program: %s", strerror(e1), strerror(e2));
}
