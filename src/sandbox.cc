// The path front-end shared by all handlers.
#include "sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "tracee_memory.h"

namespace bvisor {
namespace {

ErrnoOr<std::string> ReadLinkString(const char* path) {
  char buf[PATH_MAX];
  ssize_t len = readlink(path, buf, sizeof(buf));
  if (len < 0) return Errno{errno == ENOENT ? EBADF : errno};
  return std::string(buf, static_cast<size_t>(len));
}

}  // namespace

pid_t TgidOf(pid_t tid) { return Caller{tid}.Tgid(); }

Sandbox::Sandbox(Notifier& n, Vfs& v, Report& r, const Policy& p, pid_t anc, pid_t rt)
    : notifier(n), vfs(v), report(r), policy(p), ancestor(anc), root(rt) {}

Caller Sandbox::CallerOf(const seccomp_notif& n) const { return Caller{static_cast<pid_t>(n.pid)}; }

ErrnoOr<std::string> Sandbox::ReadPath(const seccomp_notif& n, int arg) {
  return ReadTraceeString(static_cast<pid_t>(n.pid), n.data.args[arg], PATH_MAX - 1);
}

ErrnoOr<std::string> Sandbox::BaseDir(const seccomp_notif& n, int dirfd_arg) {
  char link[64];
  int dirfd = dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(n.data.args[dirfd_arg]);
  if (dirfd == AT_FDCWD) {
    std::snprintf(link, sizeof(link), "/proc/%u/cwd", n.pid);
  } else {
    if (dirfd < 0) return Errno{EBADF};
    std::snprintf(link, sizeof(link), "/proc/%u/fd/%d", n.pid, dirfd);
  }
  ErrnoOr<std::string> real = ReadLinkString(link);
  if (!real.Ok()) return real;
  if (real->empty() || (*real)[0] != '/') return Errno{ENOTDIR};
  std::optional<std::string> v = vfs.VirtualFromReal(*real);
  if (!v) return Errno{ENOENT};
  if (dirfd != AT_FDCWD) {
    struct stat st {};
    if (stat(link, &st) != 0) return Errno{EBADF};
    if (!S_ISDIR(st.st_mode)) return Errno{ENOTDIR};
  }
  return *v;
}

ErrnoOr<Node> Sandbox::NodeOfFd(const seccomp_notif& n, int fd) {
  if (fd < 0) return Errno{EBADF};
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/%u/fd/%d", n.pid, fd);
  ErrnoOr<std::string> real = ReadLinkString(link);
  if (!real.Ok()) return Errno{real.Error()};
  Node node;
  if (!real->empty() && (*real)[0] == '/') {
    if (std::optional<std::string> v = vfs.VirtualFromReal(*real)) {
      node = vfs.Lookup(CallerOf(n), *v);
      if (node.Exists() && vfs.IsSnapshot(*real)) return node;  // a merged listing stands for its directory
      struct stat fd_st {};
      // The name may now belong to another file (deleted, replaced, copied up): the fd wins.
      if (node.Exists() && stat(link, &fd_st) == 0 && fd_st.st_ino == node.st.st_ino &&
          fd_st.st_dev == node.st.st_dev) {
        return node;
      }
      if (!node.Exists()) node.vpath = *v;
    }
  }
  node.layer = Layer::kMagic;
  node.real = link;
  if (stat(link, &node.st) != 0) return Errno{EBADF};
  return node;
}

ErrnoOr<Node> Sandbox::ResolvePath(const seccomp_notif& n, int dirfd_arg, int path_arg, bool follow,
                                   bool empty_path_ok, std::string* raw) {
  vfs.ClearLastDenied();
  ErrnoOr<std::string> path = ReadPath(n, path_arg);
  if (!path.Ok()) return Errno{path.Error()};
  if (raw != nullptr) *raw = *path;
  if (path->empty()) {
    if (!empty_path_ok) return Errno{ENOENT};
    int dirfd = dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(n.data.args[dirfd_arg]);
    if (dirfd == AT_FDCWD) {
      ErrnoOr<std::string> cwd = BaseDir(n, -1);
      if (!cwd.Ok()) return Errno{cwd.Error()};
      return vfs.Resolve(CallerOf(n), "/", *cwd, true);
    }
    return NodeOfFd(n, dirfd);
  }
  std::string base = "/";
  if ((*path)[0] != '/') {
    ErrnoOr<std::string> b = BaseDir(n, dirfd_arg);
    if (!b.Ok()) return Errno{b.Error()};
    base = std::move(*b);
  }
  return vfs.Resolve(CallerOf(n), base, *path, follow);
}

Reply Sandbox::Fail(const seccomp_notif& n, const SyscallRow& row, int error, std::string_view path) {
  if (error == ENOENT && !vfs.LastDenied().empty()) return Deny(n, row, vfs.LastDenied(), error, "hidden by the policy");
  if (error == EROFS) return Deny(n, row, path, error, "read-only by the policy");
  return Reply::Error(error);
}

Reply Sandbox::Deny(const seccomp_notif& n, const SyscallRow& row, std::string_view path, int error,
                    std::string_view reason) {
  report.AddDenial(row.name, path, reason, error, static_cast<pid_t>(n.pid));
  return Reply::Error(error);
}

bool Sandbox::RootNotYetExeced(pid_t tid) {
  if (root_execed_ || tid != root) return false;
  // Before its execve succeeds the command process still runs bvisor's own image.
  struct stat self {}, other {};
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/%d/exe", tid);
  if (stat("/proc/self/exe", &self) != 0 || stat(link, &other) != 0) return false;
  if (self.st_ino == other.st_ino && self.st_dev == other.st_dev) return true;
  root_execed_ = true;
  return false;
}

}  // namespace bvisor
