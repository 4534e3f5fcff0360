// Kernel memory and the kernel log through /proc: /proc/kcore (all of RAM, page cache included,
// so the secret too), /proc/kmsg (syslog(2) is refused in BPF), /proc/kallsyms addresses.
#include <elf.h>
#include <time.h>

#include "escape.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// The secret itself, not a copy of the prefix: the prefix followed by 24 hex digits.
static char *real_secret(char *buf, size_t n) {
  size_t plen = strlen(SECRET_PREFIX);
  for (char *at = memmem(buf, n, SECRET_PREFIX, plen); at; at = memmem(at + 1, (size_t)(buf + n - at - 1), SECRET_PREFIX, plen)) {
    if ((size_t)(buf + n - at) < plen + 24) return NULL;
    int hex = 1;
    for (size_t i = 0; i < 24; ++i) {
      char c = at[plen + i];
      hex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
    if (hex) return at;
  }
  return NULL;
}

int main(void) {
  int bad = 0;
  int k = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
  if (k >= 0) {
    Elf64_Ehdr eh;
    if (pread(k, &eh, sizeof(eh), 0) == sizeof(eh) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0) {
      ++bad;
      note("/proc/kcore is readable");
      // Look for the secret in RAM for a few seconds (it sits in the page cache).
      Elf64_Phdr ph[64];
      int nph = eh.e_phnum < 64 ? eh.e_phnum : 64;
      pread(k, ph, sizeof(Elf64_Phdr) * (size_t)nph, (off_t)eh.e_phoff);
      static char buf[1 << 22];
      double end = now() + 4;
      int found = 0;
      for (int i = 0; i < nph && !found && now() < end; ++i) {
        if (ph[i].p_type != PT_LOAD) continue;
        for (uint64_t off = 0; off < ph[i].p_filesz && now() < end; off += sizeof(buf) - 64) {
          ssize_t n = pread(k, buf, sizeof(buf), (off_t)(ph[i].p_offset + off));
          if (n <= 0) break;
          char *at = real_secret(buf, (size_t)n);
          if (at) {
            printf("LEAK via /proc/kcore: %.60s\n", at);
            found = 1;
            break;
          }
        }
      }
      note(found ? "the secret was found in RAM" : "the secret was not found within 4 s of scanning");
    }
    close(k);
  } else {
    note("/proc/kcore: %s", strerror(errno));
  }
  int m = open("/proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (m >= 0) ++bad, note("/proc/kmsg is open (the host's kernel log, syslog(2) bypassed)"), close(m);
  if (bad) finish(ESCAPED, "kernel memory or the kernel log is readable");
  finish(CONTAINED, "/proc/kcore and /proc/kmsg refused");
}
