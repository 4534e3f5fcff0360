// The seccomp listener behind a thin interface: receive a notification, answer it,
// inject an fd, check that the notification is still live.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>

#include "unique_fd.h"

namespace bvisor {

class Notifier {
 public:
  // Asks the kernel (6.6+) to wake the tracee on the supervisor's CPU; ignored where unknown.
  explicit Notifier(UniqueFd listener);

  int Fd() const { return fd_.Get(); }

  // 0, or a positive errno (ENOENT: the tracee died before we read it).
  int Receive(seccomp_notif& notif);
  // 0, or a positive errno (ENOENT: the tracee is gone; nothing to do).
  int RespondValue(uint64_t id, int64_t value);
  int RespondError(uint64_t id, int error);
  int RespondContinue(uint64_t id);
  // Installs `fd` in the tracee. With `send`, the notification is answered atomically with
  // the new fd number; otherwise the number is returned and the notification stays pending.
  // Returns the tracee's fd number or a negative errno.
  int AddFd(uint64_t id, int fd, bool cloexec, bool send);
  // Installs `fd` at exactly `target` in the tracee (replacing what was there).
  int AddFdAt(uint64_t id, int fd, int target, bool cloexec);
  // False once the tracee died or the syscall was interrupted: anything read from its memory
  // since the notification arrived may belong to another process (pid reuse).
  bool IdValid(uint64_t id);

 private:
  int Respond(seccomp_notif_resp& resp);
  UniqueFd fd_;
};

}  // namespace bvisor
