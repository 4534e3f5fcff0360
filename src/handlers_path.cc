// Read-side path syscalls: open, stat, access, readlink, statfs, xattrs, getcwd, chdir, execve.
// Each reads its path once through the front-end (Sandbox::ResolvePath), performs the operation
// on the resolved real file, and answers with a value or an injected fd; plain read-only opens
// of host files continue in the kernel under the Landlock grants (landlock.h).
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "handlers.h"
#include "path.h"
#include "sandbox.h"
#include "tracee_memory.h"

namespace bvisor {
namespace {

int Arg(const seccomp_notif& n, int i) { return static_cast<int>(n.data.args[i]); }

bool IsCreate(int flags) { return (flags & O_CREAT) != 0 && (flags & O_TMPFILE) != O_TMPFILE; }

bool WriteIntent(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
}

// Whether a reopen through /proc/<pid>/fd/N may write: only to what the sandbox may write
// anyway (a file in the overlay store or in an rw area), never to a host file it was given
// read-only.
bool MagicWritable(Sandbox& sb, const Node& node) {
  if (!S_ISREG(node.st.st_mode) && !S_ISDIR(node.st.st_mode)) return true;  // pipes, sockets, ttys
  char target[PATH_MAX];
  ssize_t len = readlink(node.real.c_str(), target, sizeof(target) - 1);
  if (len <= 0) return false;
  target[len] = '\0';
  if (target[0] != '/') return true;  // memfd, anonymous inode
  if (PathIsUnder(target, sb.vfs.Store().Root())) return true;
  return sb.policy.ModeFor(target) == PathMode::kRw;
}

// Whether the kernel may perform this open itself: a CONTINUE reply wakes the caller on this
// CPU, where an injected fd often wakes it on the other one. Plain open/openat of a host entry
// reached only through host entries: reading a file, a directory whose listing needs no merging,
// or a harmless device; writing, truncating or creating a file only in an rw area.
// TOCTOU: the kernel re-reads the path, so a racing thread may swap it. The flags are registers
// (openat2's live in memory: never continued), so the kernel does what was checked, and the
// Landlock domain confines what a swapped path can reach to what the policy lets the sandbox
// do to it anyway (host FIFOs excepted: a known gap, see bvisor(1)). O_PATH would bypass
// Landlock and O_TMPFILE creates without a name: never continued.
bool ContinueOpen(const Sandbox& sb, const SyscallRow& row, const Node& node, int flags) {
  if (sb.grants == nullptr || (row.nr != SYS_openat && row.nr != SYS_open)) return false;
  if ((flags & O_PATH) != 0 || (flags & O_TMPFILE) == O_TMPFILE || !node.host_walk) return false;
  const bool write = WriteIntent(flags) || (flags & O_CREAT) != 0;
  if (!node.Exists()) {  // a creation: the new name's directory must be writable to the kernel
    return write && (flags & O_CREAT) != 0 && node.mode == PathMode::kRw &&
           sb.grants->CoversWrite(ParentPath(node.real));
  }
  if (node.layer != Layer::kHost) return false;
  const mode_t type = node.st.st_mode & S_IFMT;
  if (write) {
    return node.mode == PathMode::kRw && (type == S_IFREG || type == S_IFCHR) && sb.grants->CoversWrite(node.real);
  }
  if (type == S_IFCHR) return sb.grants->CoversWrite(node.real);  // the data devices
  if (type != S_IFREG && !(type == S_IFDIR && !sb.vfs.NeedsMergedView(node))) return false;
  return sb.grants->CoversRead(node.real);
}

Reply OpenNode(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, ErrnoOr<Node> node, int flags,
               mode_t mode) {
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!sb.StillValid(n)) return Reply::Handled();
  const bool cloexec = (flags & O_CLOEXEC) != 0;
  const int asked = flags;
  if ((flags & O_PATH) != 0) {
    // SECCOMP_IOCTL_NOTIF_ADDFD cannot install O_PATH files (the kernel's fget() refuses
    // them): the tracee gets a read-only fd on the same file instead (see LIMITATIONS).
    flags = O_RDONLY | (flags & (O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) | O_NONBLOCK;
  }
  const bool creat = IsCreate(flags);
  // Our own fds never leak into an exec and never become a controlling terminal.
  int real_flags = (flags | O_CLOEXEC | O_NOCTTY) & ~O_CREAT;
  if (!node->Exists()) {
    if (!creat) return Reply::Error(ENOENT);
    // TOCTOU: the kernel re-reads the path; Landlock bounds what it can create (ContinueOpen).
    if (ContinueOpen(sb, row, *node, asked)) {
      sb.NoteFile(node->vpath, true);
      return Reply::Continue();
    }
    ErrnoOr<std::string> target = sb.vfs.CreationTarget(*node);
    if (!target.Ok()) return sb.Fail(n, row, target.Error(), node->vpath);
    mode_t umask = UmaskOf(static_cast<pid_t>(n.pid));
    UniqueFd fd(open(target->c_str(), real_flags | O_CREAT | O_EXCL | O_NOFOLLOW, mode & ~umask & 07777));
    if (!fd) return Reply::Error(errno);
    sb.vfs.Created(*node, false);
    sb.NoteFile(node->vpath, true);
    return Reply::InjectFd(std::move(fd), cloexec);
  }
  if (creat && (flags & O_EXCL) != 0) return Reply::Error(EEXIST);
  if (node->layer != Layer::kMagic && S_ISREG(node->st.st_mode)) sb.NoteFile(node->vpath, WriteIntent(flags));
  const mode_t type = node->st.st_mode & S_IFMT;
  if (creat && type == S_IFDIR) return Reply::Error(EISDIR);
  // TOCTOU: the kernel re-reads the path; Landlock bounds what it can open (see ContinueOpen).
  if (ContinueOpen(sb, row, *node, asked)) return Reply::Continue();
  if (node->layer == Layer::kMagic) {
    if (WriteIntent(flags) && !MagicWritable(sb, *node)) return sb.Fail(n, row, EROFS, node->vpath);
    UniqueFd fd(open(node->real.c_str(), real_flags));
    if (!fd) return Reply::Error(errno);
    return Reply::InjectFd(std::move(fd), cloexec);
  }
  if (type == S_IFLNK) {
    // Only reached with O_NOFOLLOW: ELOOP (an O_PATH fd on a link cannot be injected).
    UniqueFd fd(open(node->real.c_str(), real_flags | O_NOFOLLOW));
    if (!fd) return Reply::Error(errno);
    return Reply::InjectFd(std::move(fd), cloexec);
  }
  std::string real = node->real;
  if (type == S_IFDIR && (flags & O_TMPFILE) == O_TMPFILE) {
    ErrnoOr<Node> w = sb.vfs.Writable(*node);
    if (!w.Ok()) return sb.Fail(n, row, w.Error(), node->vpath);
    mode_t umask = UmaskOf(static_cast<pid_t>(n.pid));
    UniqueFd fd(open(w->real.c_str(), (flags | O_CLOEXEC | O_NOCTTY), mode & ~umask & 07777));
    if (!fd) return Reply::Error(errno);
    return Reply::InjectFd(std::move(fd), cloexec);
  }
  if (type == S_IFDIR && (flags & O_PATH) == 0) {
    if (WriteIntent(flags)) return Reply::Error(EISDIR);
    ErrnoOr<UniqueFd> fd = sb.vfs.OpenDirectory(*node, real_flags);
    if (!fd.Ok()) return Reply::Error(fd.Error());
    return Reply::InjectFd(std::move(*fd), cloexec);
  }
  if (WriteIntent(flags) && (flags & O_PATH) == 0) {
    if (type == S_IFREG || node->mode == PathMode::kRo) {
      ErrnoOr<Node> w = sb.vfs.Writable(*node);
      if (!w.Ok()) return sb.Fail(n, row, w.Error(), node->vpath);
      real = w->real;
    } else if ((type == S_IFCHR || type == S_IFBLK) && node->mode != PathMode::kRw) {
      // Devices are never copied: writing one outside an rw rule would reach the host.
      return sb.Fail(n, row, EROFS, node->vpath);
    }
  }
  if ((type == S_IFIFO || type == S_IFSOCK) && node->layer == Layer::kHost && node->mode != PathMode::kRw) {
    // A host FIFO connects to a host process: only through an rw rule, like host sockets.
    return sb.Deny(n, row, node->vpath, EACCES, "host FIFO outside an rw rule");
  }
  if (type == S_IFIFO && (flags & O_PATH) == 0) {
    // The supervisor must not block in open(2): open the FIFO non-blocking, then give the
    // tracee back the blocking mode it asked for (see the man page's LIMITATIONS).
    UniqueFd fd(open(real.c_str(), real_flags | O_NONBLOCK | O_NOFOLLOW));
    if (!fd) return Reply::Error(errno);
    if ((flags & O_NONBLOCK) == 0) fcntl(fd.Get(), F_SETFL, fcntl(fd.Get(), F_GETFL) & ~O_NONBLOCK);
    return Reply::InjectFd(std::move(fd), cloexec);
  }
  UniqueFd fd(open(real.c_str(), real_flags | O_NOFOLLOW));
  if (!fd) return Reply::Error(errno);
  if (type == S_IFCHR && (node->vpath == "/dev/ptmx" || node->vpath == "/dev/pts/ptmx")) {
    int number = -1;
    if (ioctl(fd.Get(), TIOCGPTN, &number) == 0) sb.vfs.AllowPty(number);
  }
  return Reply::InjectFd(std::move(fd), cloexec);
}

// open(2) with O_CREAT of a name written as a directory ("x/"): the kernel refuses it with
// EISDIR once the parent resolves, whether or not the name exists.
Reply RefuseDirectoryName(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  bool trailing_slash = false;
  ErrnoOr<Node> entry = sb.ResolveEntry(n, row.args.dirfd, row.args.path, &trailing_slash);
  if (!entry.Ok()) return sb.Fail(n, row, entry.Error(), "");
  return Reply::Error(EISDIR);
}

bool EndsWithSlash(const std::string& path) { return !path.empty() && path.back() == '/'; }

Reply WriteStat(const seccomp_notif& n, uint64_t addr, const struct stat& st) {
  if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), addr, &st, sizeof(st)); err != 0) {
    return Reply::Error(err);
  }
  return Reply::Value(0);
}

// fstat(2) and statx(fd, "", AT_EMPTY_PATH) on anything but a directory: the fd's own metadata,
// through /proc/<pid>/fd/<n>, is exactly what the kernel would report, so no path is needed
// (one syscall instead of readlink + lookup + stat). Directories take the full path: their link
// count may come from a merged listing. False when the caller must take the full path.
bool FileStatOfFd(const seccomp_notif& n, uint64_t dirfd, struct stat* st) {
  int fd = static_cast<int>(dirfd);
  if (fd < 0) return false;
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/%u/fd/%d", n.pid, fd);
  return stat(link, st) == 0 && !S_ISDIR(st->st_mode);
}

bool FileStatxOfFd(const seccomp_notif& n, uint64_t dirfd, int sync, unsigned mask, struct statx* stx) {
  int fd = static_cast<int>(dirfd);
  if (fd < 0) return false;
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/%u/fd/%d", n.pid, fd);
  return statx(AT_FDCWD, link, sync, mask, stx) == 0 && !S_ISDIR(stx->stx_mode);
}

// Whether the path argument reads as "" (with AT_EMPTY_PATH: the call is about the fd alone).
// The path is read once here; a caller that goes on to the full path reads it again, and only
// that second copy decides there.
bool EmptyPathArgument(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  ErrnoOr<std::string> path = sb.ReadPath(n, row.args.path);
  return path.Ok() && path->empty();
}

}  // namespace

Reply HandleClone3(Sandbox&, const seccomp_notif&, const SyscallRow&) {
  // clone3's flags live in memory the filter cannot read; ENOSYS makes libc use clone(2),
  // whose flags BPF checks for CLONE_NEW*.
  return Reply::Error(ENOSYS);
}

Reply HandleOpenat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int flags = 0;
  mode_t mode = 0;
  if (row.nr == SYS_creat) {
    flags = O_CREAT | O_WRONLY | O_TRUNC;
    mode = static_cast<mode_t>(n.data.args[1]);
  } else if (row.nr == SYS_open) {
    flags = Arg(n, 1);
    mode = static_cast<mode_t>(n.data.args[2]);
  } else {
    flags = Arg(n, 2);
    mode = static_cast<mode_t>(n.data.args[3]);
  }
  const bool excl_create = (flags & O_CREAT) != 0 && (flags & O_EXCL) != 0;
  const bool follow = (flags & O_NOFOLLOW) == 0 && !excl_create;
  std::string raw;
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, follow, false, &raw);
  if (IsCreate(flags) && EndsWithSlash(raw)) return RefuseDirectoryName(sb, n, row);
  return OpenNode(sb, n, row, std::move(node), flags, mode);
}

Reply HandleOpenat2(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  open_how how{};
  size_t size = static_cast<size_t>(n.data.args[3]);
  if (size < sizeof(uint64_t) * 3) return Reply::Error(EINVAL);
  if (int err = ReadTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[2], &how, sizeof(how)); err != 0) {
    return Reply::Error(err);
  }
  // RESOLVE_* restrict resolution further; the supervisor's own resolution already keeps every
  // lookup inside the policy, so the strictest ones are honoured and the rest refused openly.
  constexpr uint64_t kSupported = RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
  if ((how.resolve & ~kSupported) != 0) return Reply::Error(EINVAL);
  int flags = static_cast<int>(how.flags);
  bool follow = (flags & O_NOFOLLOW) == 0 && (how.resolve & RESOLVE_NO_SYMLINKS) == 0;
  std::string raw;
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, follow, false, &raw);
  if (IsCreate(flags) && EndsWithSlash(raw)) return RefuseDirectoryName(sb, n, row);
  if (node.Ok() && (how.resolve & RESOLVE_NO_MAGICLINKS) != 0 && node->layer == Layer::kMagic) {
    return Reply::Error(ELOOP);
  }
  return OpenNode(sb, n, row, std::move(node), flags, static_cast<mode_t>(how.mode));
}

Reply HandleNewfstatat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  bool follow = row.nr != SYS_lstat;
  bool empty_ok = false;
  uint64_t buf = n.data.args[1];
  if (row.nr == SYS_newfstatat) {
    int flags = Arg(n, 3);
    follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
    empty_ok = (flags & AT_EMPTY_PATH) != 0;
    buf = n.data.args[2];
    struct stat st {};
    if (empty_ok && EmptyPathArgument(sb, n, row) && FileStatOfFd(n, n.data.args[0], &st)) {
      if (!sb.StillValid(n)) return Reply::Handled();
      return WriteStat(n, buf, st);
    }
  }
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, follow, empty_ok);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (!sb.StillValid(n)) return Reply::Handled();
  struct stat st = node->st;
  st.st_nlink = sb.vfs.LinkCount(*node);
  return WriteStat(n, buf, st);
}

Reply HandleStatx(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int flags = Arg(n, 2);
  unsigned mask = static_cast<unsigned>(n.data.args[3]);
  struct statx stx {};
  if ((flags & AT_EMPTY_PATH) != 0 && EmptyPathArgument(sb, n, row) &&
      FileStatxOfFd(n, n.data.args[0], flags & AT_STATX_SYNC_TYPE, mask, &stx)) {
    if (!sb.StillValid(n)) return Reply::Handled();
    if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[4], &stx, sizeof(stx)); err != 0) {
      return Reply::Error(err);
    }
    return Reply::Value(0);
  }
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
                                      (flags & AT_EMPTY_PATH) != 0);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (!sb.StillValid(n)) return Reply::Handled();
  stx = {};
  if (node->layer == Layer::kSynthetic) {
    stx.stx_mask = STATX_TYPE | STATX_MODE;
    stx.stx_mode = static_cast<uint16_t>(node->st.st_mode);
    stx.stx_nlink = 1;
  } else {
    int sync = flags & AT_STATX_SYNC_TYPE;
    int at = node->layer == Layer::kMagic ? 0 : AT_SYMLINK_NOFOLLOW;
    if (statx(AT_FDCWD, node->real.c_str(), at | sync, mask, &stx) != 0) return Reply::Error(errno);
    if (node->layer != Layer::kMagic) stx.stx_nlink = static_cast<uint32_t>(sb.vfs.LinkCount(*node));
  }
  if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[4], &stx, sizeof(stx)); err != 0) {
    return Reply::Error(err);
  }
  return Reply::Value(0);
}

Reply HandleFaccessat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int mode = row.nr == SYS_access ? Arg(n, 1) : Arg(n, 2);
  int flags = row.nr == SYS_faccessat2 ? Arg(n, 3) : 0;
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
                                      (flags & AT_EMPTY_PATH) != 0);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (mode == F_OK || node->layer == Layer::kSynthetic) return Reply::Value(0);
  if ((mode & W_OK) != 0 && node->mode == PathMode::kRo) return sb.Fail(n, row, EROFS, node->vpath);
  int at = (flags & AT_EACCESS) | (node->layer == Layer::kMagic ? 0 : AT_SYMLINK_NOFOLLOW);
  if (faccessat(AT_FDCWD, node->real.c_str(), mode, at) != 0) {
    // A copy-up makes a file on a read-only host filesystem writable in a cow area.
    if (errno == EROFS && node->mode == PathMode::kCow) return Reply::Value(0);
    return Reply::Error(errno);
  }
  return Reply::Value(0);
}

Reply HandleReadlinkat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int buf_arg = row.nr == SYS_readlink ? 1 : 2;
  int size = Arg(n, buf_arg + 1);
  if (size <= 0) return Reply::Error(EINVAL);
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, false, row.nr == SYS_readlinkat);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (node->layer != Layer::kSynthetic && !S_ISLNK(node->st.st_mode)) return Reply::Error(EINVAL);
  ErrnoOr<std::string> target = sb.vfs.ReadLink(sb.CallerOf(n), *node);
  if (!target.Ok()) return Reply::Error(target.Error());
  if (!sb.StillValid(n)) return Reply::Handled();
  size_t len = std::min(target->size(), static_cast<size_t>(size));
  if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[buf_arg], target->data(), len); err != 0) {
    return Reply::Error(err);
  }
  return Reply::Value(static_cast<int64_t>(len));
}

Reply HandleStatfs(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, true);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  struct statfs st {};
  if (statfs(node->real.c_str(), &st) != 0) return Reply::Error(errno);
  if (node->mode == PathMode::kRo) st.f_flags |= 1;  // ST_RDONLY
  if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[1], &st, sizeof(st)); err != 0) {
    return Reply::Error(err);
  }
  return Reply::Value(0);
}

Reply HandleGetxattr(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, row.nr == SYS_getxattr);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  ErrnoOr<std::string> name = ReadTraceeString(static_cast<pid_t>(n.pid), n.data.args[1], XATTR_NAME_MAX);
  if (!name.Ok()) return Reply::Error(name.Error() == ENAMETOOLONG ? ERANGE : name.Error());
  size_t size = std::min<size_t>(n.data.args[3], XATTR_SIZE_MAX);
  std::string value(size, '\0');
  ssize_t len = lgetxattr(node->real.c_str(), name->c_str(), size == 0 ? nullptr : value.data(), size);
  if (len < 0) return Reply::Error(errno);
  if (size > 0) {
    if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[2], value.data(), static_cast<size_t>(len));
        err != 0) {
      return Reply::Error(err);
    }
  }
  return Reply::Value(len);
}

Reply HandleListxattr(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, row.nr == SYS_listxattr);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  size_t size = std::min<size_t>(n.data.args[2], XATTR_LIST_MAX);
  std::string list(size, '\0');
  ssize_t len = llistxattr(node->real.c_str(), size == 0 ? nullptr : list.data(), size);
  if (len < 0) return Reply::Error(errno);
  if (size > 0) {
    if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[1], list.data(), static_cast<size_t>(len));
        err != 0) {
      return Reply::Error(err);
    }
  }
  return Reply::Value(len);
}

Reply HandleGetcwd(Sandbox& sb, const seccomp_notif& n, const SyscallRow&) {
  ErrnoOr<std::string> cwd = sb.BaseDir(n, -1);
  if (!cwd.Ok()) return Reply::Error(cwd.Error() == EBADF ? ENOENT : cwd.Error());
  size_t size = static_cast<size_t>(n.data.args[1]);
  if (cwd->size() + 1 > size) return Reply::Error(ERANGE);
  if (int err = WriteTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[0], cwd->c_str(), cwd->size() + 1);
      err != 0) {
    return Reply::Error(err);
  }
  return Reply::Value(static_cast<int64_t>(cwd->size() + 1));
}

Reply HandleInotifyAddWatch(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  // The watch must be added on the tracee's own inotify fd, which bvisor cannot reach without
  // pidfd_getfd; programs fall back to polling (tail -f, make).
  return sb.Deny(n, row, "", ENOSPC, "inotify watches are not supported in the sandbox");
}

}  // namespace bvisor
