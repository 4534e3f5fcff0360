// Network device ioctls through an AF_UNIX socket (socket ioctls fall through to dev_ioctl):
// as root they reconfigure the host's interfaces. Probed by writing back the current MTU and
// flags of "lo": success means "down" or another MTU would have worked too.
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "escape.h"

int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) finish(SETUP_ERROR, "socketpair");
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int fds[] = {sv[0], s};
  int changed = 0;
  for (int i = 0; i < 2; ++i) {
    if (fds[i] < 0) continue;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(fds[i], SIOCGIFMTU, &ifr) != 0) {
      note("SIOCGIFMTU: %s", strerror(errno));
      continue;
    }
    if (ioctl(fds[i], SIOCSIFMTU, &ifr) == 0) ++changed, note("SIOCSIFMTU lo %d accepted", ifr.ifr_mtu);
    else note("SIOCSIFMTU: %s", strerror(errno));
    if (ioctl(fds[i], SIOCGIFFLAGS, &ifr) == 0 && ioctl(fds[i], SIOCSIFFLAGS, &ifr) == 0)
      ++changed, note("SIOCSIFFLAGS lo accepted");
  }
  if (changed) finish(ESCAPED, "the sandbox can reconfigure host network interfaces");
  finish(CONTAINED, "network device ioctls refused");
}
