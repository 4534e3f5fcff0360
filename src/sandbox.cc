// The path front-end shared by all handlers.
#include "sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "path.h"
#include "process_tree.h"
#include "tracee_memory.h"

namespace bvisor {
namespace {

ErrnoOr<std::string> ReadLinkString(const char* path) {
  char buf[PATH_MAX];
  ssize_t len = readlink(path, buf, sizeof(buf));
  if (len < 0) return Errno{errno == ENOENT ? EBADF : errno};
  return std::string(buf, static_cast<size_t>(len));
}

// The /proc link naming the caller's cwd (AT_FDCWD) or directory fd.
bool BaseLink(const seccomp_notif& n, int dirfd, char (&link)[64]) {
  if (dirfd == AT_FDCWD) {
    std::snprintf(link, sizeof(link), "/proc/%u/cwd", n.pid);
    return true;
  }
  if (dirfd < 0) return false;
  std::snprintf(link, sizeof(link), "/proc/%u/fd/%d", n.pid, dirfd);
  return true;
}

// Whether the directory behind `link`, whose target reads `real`, was removed (the kernel
// appends " (deleted)" to its last name; a name that merely ends so has links left).
bool Removed(const char* link, std::string& real) {
  constexpr std::string_view kSuffix = " (deleted)";
  if (real.size() <= kSuffix.size() || std::string_view(real).substr(real.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  struct stat st {};
  if (stat(link, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_nlink != 0) return false;
  real.resize(real.size() - kSuffix.size());
  return true;
}

}  // namespace

pid_t TgidOf(pid_t tid) { return Caller{tid}.Tgid(); }

mode_t UmaskOf(pid_t tid) {
  char buf[512];
  if (!ReadProcFile(tid, "status", buf, sizeof(buf))) return 022;
  const char* u = std::strstr(buf, "Umask:");
  return u != nullptr ? static_cast<mode_t>(std::strtoul(u + 6, nullptr, 8)) : 022;
}

Sandbox::Sandbox(Notifier& n, Vfs& v, Report& r, const Policy& p, pid_t anc, pid_t rt)
    : notifier(n), vfs(v), report(r), policy(p), ancestor(anc), root(rt) {}

Caller Sandbox::CallerOf(const seccomp_notif& n) const { return Caller{static_cast<pid_t>(n.pid)}; }

ErrnoOr<std::string> Sandbox::ReadPath(const seccomp_notif& n, int arg) {
  return ReadTraceeString(static_cast<pid_t>(n.pid), n.data.args[arg], PATH_MAX - 1);
}

ErrnoOr<std::string> Sandbox::BaseDir(const seccomp_notif& n, int dirfd_arg, bool* removed, bool* host) {
  char link[64];
  int dirfd = dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(n.data.args[dirfd_arg]);
  if (!BaseLink(n, dirfd, link)) return Errno{EBADF};
  ErrnoOr<std::string> real = ReadLinkString(link);
  if (!real.Ok()) return real;
  if (real->empty() || (*real)[0] != '/') return Errno{ENOTDIR};
  if (Removed(link, *real)) {
    if (removed == nullptr) return Errno{ENOENT};
    *removed = true;
  }
  std::optional<std::string> v = vfs.VirtualFromReal(*real);
  if (!v) return Errno{ENOENT};
  if (host != nullptr) *host = *v == *real;  // not in the overlay store
  // A dirfd that is not a directory is found by the resolution below (ENOTDIR), without a
  // second /proc lookup here.
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
  return ResolveAt(n, dirfd_arg, *path, follow);
}

ErrnoOr<Node> Sandbox::ResolveAt(const seccomp_notif& n, int dirfd_arg, std::string_view path, bool follow) {
  if (path.empty() || path[0] == '/') return vfs.Resolve(CallerOf(n), "/", path, follow);
  bool removed = false, host_base = false;
  ErrnoOr<std::string> base = BaseDir(n, dirfd_arg, &removed, &host_base);
  if (!base.Ok()) return Errno{base.Error()};
  ErrnoOr<Node> node = removed ? ResolveFromRemoved(n, dirfd_arg, path, *base, follow)
                               : vfs.Resolve(CallerOf(n), *base, path, follow);
  if (node.Ok() && (removed || !host_base)) node->host_walk = false;
  return node;
}

ErrnoOr<Node> Sandbox::ResolveFromRemoved(const seccomp_notif& n, int dirfd_arg, std::string_view path,
                                          std::string_view old_name, bool follow) {
  char link[64];
  int dirfd = dirfd_arg < 0 ? AT_FDCWD : static_cast<int>(n.data.args[dirfd_arg]);
  if (!BaseLink(n, dirfd, link)) return Errno{EBADF};
  std::vector<std::string_view> parts = SplitComponents(path);
  size_t i = 0;
  while (i < parts.size() && parts[i] == ".") ++i;
  if (i == parts.size()) {
    Node node;
    node.vpath = old_name;
    node.mode = policy.ModeFor(old_name);
    node.layer = Layer::kMagic;
    node.real = link;
    if (stat(link, &node.st) != 0) return Errno{ENOENT};
    return node;
  }
  if (parts[i] != "..") return Errno{ENOENT};
  // The old parent's name may now hold something else (a symlink planted there, another
  // directory): go on from that name only while it is the very directory the kernel's ".." of
  // the removed one reaches.
  struct stat kernel_parent {};
  if (stat((std::string(link) + "/..").c_str(), &kernel_parent) != 0) return Errno{ENOENT};
  const Node parent = vfs.Lookup(CallerOf(n), ParentPath(old_name));
  if (!parent.IsDir() || parent.layer == Layer::kMagic || parent.st.st_ino != kernel_parent.st_ino ||
      parent.st.st_dev != kernel_parent.st_dev) {
    return Errno{ENOENT};
  }
  std::string rest = ".";
  for (++i; i < parts.size(); ++i) rest = JoinPath(rest, parts[i]);
  if (path.back() == '/') rest += '/';
  return vfs.Resolve(CallerOf(n), ParentPath(old_name), rest, follow);
}

ErrnoOr<Node> Sandbox::ResolveEntry(const seccomp_notif& n, int dirfd_arg, int path_arg, bool* trailing_slash,
                                    std::string* last) {
  vfs.ClearLastDenied();
  ErrnoOr<std::string> path = ReadPath(n, path_arg);
  if (!path.Ok()) return Errno{path.Error()};
  const size_t end = path->find_last_not_of('/');
  *trailing_slash = end != std::string::npos && end + 1 < path->size();
  if (end != std::string::npos) path->resize(end + 1);  // "/" itself stays
  if (last != nullptr) *last = BaseName(*path);
  if (path->empty()) return Errno{ENOENT};
  return ResolveAt(n, dirfd_arg, *path, false);
}

Reply Sandbox::Fail(const seccomp_notif& n, const SyscallRow& row, int error, std::string_view path) {
  if (error == ENOENT && !vfs.LastDenied().empty()) return Deny(n, row, vfs.LastDenied(), error, "hidden by the policy");
  if (error == EROFS) return Deny(n, row, path, error, "read-only by the policy");
  return Reply::Error(error);
}

Reply Sandbox::Deny(const seccomp_notif& n, const SyscallRow& row, std::string_view path, int error,
                    std::string_view reason) {
  report.AddDenial(row.name, path, reason, error, static_cast<pid_t>(n.pid));
  spdlog::info("denied {} {} ({}): {} [pid {}]", row.name, path, ErrnoName(error), reason, n.pid);
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
