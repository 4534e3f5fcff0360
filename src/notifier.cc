// Raw ioctls on the listener (libseccomp 2.5 has no ADDFD helper and hides errno values).
#include "notifier.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

// Missing from Debian 12's kernel headers (Linux 6.6).
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace bvisor {

Notifier::Notifier(UniqueFd listener) : fd_(std::move(listener)) {
  // Without it the woken tracee often lands on the other vCPU, and a cross-CPU wake-up costs
  // ten times a round trip on these VMs (../shared/NOTES.md). The flag is a value, not a pointer.
  if (getenv("BVISOR_NO_SYNC_WAKE_UP") == nullptr) {
    ioctl(fd_.Get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
  }
}

int Notifier::Receive(seccomp_notif& notif) {
  std::memset(&notif, 0, sizeof(notif));
  if (ioctl(fd_.Get(), SECCOMP_IOCTL_NOTIF_RECV, &notif) == 0) return 0;
  return errno;
}

int Notifier::Respond(seccomp_notif_resp& resp) {
  if (ioctl(fd_.Get(), SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) return 0;
  return errno;
}

int Notifier::RespondValue(uint64_t id, int64_t value) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.val = value;
  return Respond(resp);
}

int Notifier::RespondError(uint64_t id, int error) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.error = -error;
  return Respond(resp);
}

// TOCTOU: CONTINUE lets the kernel re-read the arguments. Callers only use it where the
// decision was made on register values alone (see the comment at each call site).
int Notifier::RespondContinue(uint64_t id) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  return Respond(resp);
}

int Notifier::AddFd(uint64_t id, int fd, bool cloexec, bool send) {
  seccomp_notif_addfd addfd{};
  addfd.id = id;
  addfd.srcfd = static_cast<uint32_t>(fd);
  addfd.newfd_flags = cloexec ? O_CLOEXEC : 0;
  addfd.flags = send ? SECCOMP_ADDFD_FLAG_SEND : 0;
  int rc = ioctl(fd_.Get(), SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
  return rc >= 0 ? rc : -errno;
}

int Notifier::AddFdAt(uint64_t id, int fd, int target, bool cloexec) {
  seccomp_notif_addfd addfd{};
  addfd.id = id;
  addfd.srcfd = static_cast<uint32_t>(fd);
  addfd.newfd = static_cast<uint32_t>(target);
  addfd.newfd_flags = cloexec ? O_CLOEXEC : 0;
  addfd.flags = SECCOMP_ADDFD_FLAG_SETFD;
  int rc = ioctl(fd_.Get(), SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
  return rc >= 0 ? rc : -errno;
}

bool Notifier::IdValid(uint64_t id) {
  return ioctl(fd_.Get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

}  // namespace bvisor
