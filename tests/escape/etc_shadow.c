// System secrets the default policy hides: /etc/shadow, gshadow, sudoers, ssh host keys; by
// plain, dotted, /proc/self/root and host-symlink paths.
#include "escape.h"

int main(void) {
  char link[512];
  snprintf(link, sizeof(link), "%s/link-shadow", fx("ESC_FIX"));
  const char *paths[] = {"/etc/shadow", "/etc/gshadow", "/etc/./shadow", "/etc/../etc/shadow", "//etc//shadow",
                         "/proc/self/root/etc/shadow", "/etc/sudoers", "/etc/ssh/ssh_host_ed25519_key",
                         "/etc/ssh/ssh_host_rsa_key", link};
  int opened = 0;
  for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); ++i) {
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[64] = {0};
    ssize_t n = read(fd, buf, 20);
    ++opened;
    note("%s readable (%zd bytes read)", paths[i], n);
    close(fd);
  }
  if (opened) finish(ESCAPED, "system secrets readable");
  finish(CONTAINED, "/etc/shadow and friends hidden");
}
