// The kernel keyring is shared with the host user: read the session/user keyrings, add a key.
#include "escape.h"

int main(void) {
  long session = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  int e1 = errno;
  long user = syscall(SYS_keyctl, 0, -4 /* user */, 0);
  long added = syscall(SYS_add_key, "user", "bvisor-escape", "x", 1, -4);
  long req = syscall(SYS_request_key, "user", "bvisor-escape", NULL, 0);
  if (session >= 0 || user >= 0 || added >= 0 || req >= 0)
    finish(ESCAPED, "keyrings: session %ld, user %ld, add_key %ld, request_key %ld", session, user, added, req);
  finish(CONTAINED, "keyctl: %s", strerror(e1));
}
