// personality(2): READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, PER_LINUX32, and the same with garbage
// in the upper 32 bits of the register.
#include <sys/personality.h>

#include "escape.h"

int main(void) {
  const unsigned long tries[] = {READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, PER_LINUX32, READ_IMPLIES_EXEC | 0x100000000UL,
                                 0x100000000UL | ADDR_NO_RANDOMIZE};
  int changed = 0;
  for (size_t i = 0; i < sizeof(tries) / sizeof(*tries); ++i) {
    syscall(SYS_personality, tries[i]);
    long now = syscall(SYS_personality, 0xffffffffUL);
    if (now != 0 && now != -1) ++changed, note("personality is now %#lx after %#lx", now, tries[i]);
    syscall(SYS_personality, 0UL);
  }
  if (changed) finish(ESCAPED, "the personality could be weakened");
  finish(CONTAINED, "the personality stays PER_LINUX");
}
