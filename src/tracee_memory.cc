// process_vm_readv based access to tracee memory.
#include "tracee_memory.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bvisor {
namespace {
constexpr uint64_t kPage = 4096;

// errno of a failed transfer; EPERM (not dumpable) and ESRCH pass through, the rest is EFAULT.
int TransferError(int err) { return err == EPERM || err == ESRCH ? err : EFAULT; }
}  // namespace

ErrnoOr<std::string> ReadTraceeString(pid_t tid, uint64_t addr, size_t max_len) {
  if (addr == 0) return Errno{EFAULT};
  std::string out;
  char chunk[kPage];
  while (out.size() <= max_len) {
    size_t want = kPage - (addr % kPage);
    iovec local{chunk, want};
    iovec remote{reinterpret_cast<void*>(addr), want};
    ssize_t got = process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (got <= 0) return Errno{TransferError(got < 0 ? errno : EFAULT)};
    const char* nul = static_cast<const char*>(std::memchr(chunk, '\0', static_cast<size_t>(got)));
    if (nul != nullptr) {
      out.append(chunk, static_cast<size_t>(nul - chunk));
      if (out.size() > max_len) break;
      return out;
    }
    out.append(chunk, static_cast<size_t>(got));
    addr += static_cast<uint64_t>(got);
  }
  return Errno{ENAMETOOLONG};
}

int ReadTraceeMemory(pid_t tid, uint64_t addr, void* out, size_t len) {
  if (len == 0) return 0;
  iovec local{out, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t got = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (got == static_cast<ssize_t>(len)) return 0;
  return TransferError(got < 0 ? errno : EFAULT);
}

int WriteTraceeMemory(pid_t tid, uint64_t addr, const void* data, size_t len) {
  if (len == 0) return 0;
  iovec local{const_cast<void*>(data), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t put = process_vm_writev(tid, &local, 1, &remote, 1, 0);
  if (put == static_cast<ssize_t>(len)) return 0;
  return TransferError(put < 0 ? errno : EFAULT);
}

}  // namespace bvisor
