// What a handler answers to one seccomp notification.
#pragma once

#include <cstdint>

#include "unique_fd.h"

namespace bvisor {

struct Reply {
  enum class Kind {
    kValue,     // the syscall returns `value`
    kError,     // the syscall fails with `error` (positive errno)
    kContinue,  // the kernel performs the syscall itself (register-only decisions)
    kInjectFd,  // `fd` is installed in the tracee and its number returned
    kHandled,   // the handler already answered (or the tracee is gone)
  };

  Kind kind = Kind::kError;
  int64_t value = 0;
  int error = 0;
  UniqueFd fd;
  bool cloexec = false;

  static Reply Value(int64_t v) { Reply r; r.kind = Kind::kValue; r.value = v; return r; }
  static Reply Error(int e) { Reply r; r.kind = Kind::kError; r.error = e; return r; }
  static Reply Continue() { Reply r; r.kind = Kind::kContinue; return r; }
  static Reply Handled() { Reply r; r.kind = Kind::kHandled; return r; }
  static Reply InjectFd(UniqueFd f, bool close_on_exec) {
    Reply r;
    r.kind = Kind::kInjectFd;
    r.fd = std::move(f);
    r.cloexec = close_on_exec;
    return r;
  }
};

}  // namespace bvisor
