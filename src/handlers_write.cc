// Write-side path syscalls: refused in read-only areas, applied to the overlay in cow areas,
// to the private directory in tmp areas, and to the host only in rw areas.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
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

// chmod(2) follows a final symlink in the real namespace; a link's own mode cannot change.
int ChmodNoFollow(const std::string& real, mode_t mode) {
  struct stat st {};
  if (lstat(real.c_str(), &st) != 0) return -1;
  if (S_ISLNK(st.st_mode)) {
    errno = EOPNOTSUPP;
    return -1;
  }
  return fchmodat(AT_FDCWD, real.c_str(), mode & 07777, 0);
}

Reply Result(int rc) { return rc == 0 ? Reply::Value(0) : Reply::Error(errno); }

// The new name of mkdir, mknod, symlink and link, resolved like the kernel does for them.
struct NewName {
  ErrnoOr<Node> node = Errno{ENOENT};
  bool trailing_slash = false;
};

NewName ResolveNewName(Sandbox& sb, const seccomp_notif& n, int dirfd_arg, int path_arg) {
  NewName name;
  name.node = sb.ResolveEntry(n, dirfd_arg, path_arg, &name.trailing_slash);
  return name;
}

// The kernel's answer for a new name that cannot be created, or 0: an existing entry (even a
// dangling symlink) is EEXIST, and only a directory may be asked for with a trailing slash.
int NewNameError(const NewName& name, bool is_dir) {
  if (name.node->Exists()) return EEXIST;
  if (name.trailing_slash && !is_dir) return ENOENT;
  return 0;
}

// Creates a new entry (mkdir, mknod, symlink) at a name that does not exist yet.
template <typename Create>
Reply CreateEntry(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, const NewName& name, bool is_dir,
                  Create create) {
  const ErrnoOr<Node>& node = name.node;
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (int err = NewNameError(name, is_dir); err != 0) return Reply::Error(err);
  if (!sb.StillValid(n)) return Reply::Handled();
  ErrnoOr<std::string> target = sb.vfs.CreationTarget(*node);
  if (!target.Ok()) return sb.Fail(n, row, target.Error(), node->vpath);
  if (create(*target) != 0) return Reply::Error(errno);
  sb.vfs.Created(*node, is_dir);
  sb.NoteFile(node->vpath, true);
  return Reply::Value(0);
}

// Applies `change` to the writable version of an existing node (copied up in cow areas).
template <typename Change>
Reply ChangeNode(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, ErrnoOr<Node> node, Change change) {
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (!sb.StillValid(n)) return Reply::Handled();
  if (node->layer == Layer::kSynthetic) return Reply::Error(EPERM);
  if (S_ISCHR(node->st.st_mode) || S_ISBLK(node->st.st_mode)) {
    return sb.Deny(n, row, node->vpath, EPERM, "device nodes belong to the host");
  }
  if (node->layer == Layer::kMagic) {
    // An fd whose name is gone or elsewhere: change it only if it lives in the store.
    char target[PATH_MAX];
    ssize_t len = readlink(node->real.c_str(), target, sizeof(target) - 1);
    if (len <= 0) return Reply::Error(EBADF);
    target[len] = '\0';
    if (!PathIsUnder(target, sb.vfs.Store().Root()) && sb.policy.ModeFor(target) != PathMode::kRw) {
      return sb.Fail(n, row, EROFS, node->vpath);
    }
    return Result(change(node->real, true));
  }
  ErrnoOr<Node> w = sb.vfs.Writable(*node);
  if (!w.Ok()) return sb.Fail(n, row, w.Error(), node->vpath);
  sb.NoteFile(node->vpath, true);
  return Result(change(w->real, false));
}

// The name, value and flags of the setxattr/removexattr family, read once from the tracee.
struct XattrArgs {
  std::string name, value;
  int flags = 0;
};

int ReadXattrArgs(const seccomp_notif& n, bool remove, XattrArgs& out) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  ErrnoOr<std::string> name = ReadTraceeString(tid, n.data.args[1], XATTR_NAME_MAX);
  if (!name.Ok()) return name.Error() == ENAMETOOLONG ? ERANGE : name.Error();
  out.name = std::move(*name);
  if (remove) return 0;
  size_t size = static_cast<size_t>(n.data.args[3]);
  if (size > XATTR_SIZE_MAX) return E2BIG;
  out.value.resize(size);
  out.flags = Arg(n, 4);
  return ReadTraceeMemory(tid, n.data.args[2], out.value.data(), size);
}

}  // namespace

Reply HandleMkdirat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  mode_t mode = static_cast<mode_t>(row.nr == SYS_mkdir ? n.data.args[1] : n.data.args[2]);
  mode_t umask = UmaskOf(static_cast<pid_t>(n.pid));
  return CreateEntry(sb, n, row, ResolveNewName(sb, n, row.args.dirfd, row.args.path), true,
                     [&](const std::string& real) { return mkdir(real.c_str(), mode & ~umask & 07777); });
}

Reply HandleMknodat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  mode_t mode = static_cast<mode_t>(row.nr == SYS_mknod ? n.data.args[1] : n.data.args[2]);
  dev_t dev = static_cast<dev_t>(row.nr == SYS_mknod ? n.data.args[2] : n.data.args[3]);
  mode_t type = mode & S_IFMT;
  if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) {
    return sb.Deny(n, row, "", EPERM, "device nodes cannot be created in the sandbox");
  }
  mode_t umask = UmaskOf(static_cast<pid_t>(n.pid));
  return CreateEntry(sb, n, row, ResolveNewName(sb, n, row.args.dirfd, row.args.path), false,
                     [&](const std::string& real) { return mknod(real.c_str(), (mode & ~umask) | type, dev); });
}

Reply HandleSymlinkat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  ErrnoOr<std::string> target = sb.ReadPath(n, 0);
  if (!target.Ok()) return Reply::Error(target.Error());
  if (target->empty()) return Reply::Error(ENOENT);
  // The link text is stored as written: it is interpreted in the sandbox's view when followed.
  return CreateEntry(sb, n, row, ResolveNewName(sb, n, row.args.dirfd, row.args.path), false,
                     [&](const std::string& real) { return symlink(target->c_str(), real.c_str()); });
}

Reply HandleUnlinkat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  bool is_dir = row.nr == SYS_rmdir || (row.nr == SYS_unlinkat && (Arg(n, 2) & AT_REMOVEDIR) != 0);
  bool trailing_slash = false;
  std::string last;
  ErrnoOr<Node> node = sb.ResolveEntry(n, row.args.dirfd, row.args.path, &trailing_slash, &last);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (last == "." || last == ".." || last.empty()) {
    // Not an entry of a directory ("/" has no last name): the kernel's answers.
    if (!is_dir) return Reply::Error(EISDIR);
    return Reply::Error(last == "." ? EINVAL : last == ".." ? ENOTEMPTY : EBUSY);
  }
  if (!is_dir && trailing_slash) {
    // unlink("x/") names a directory: EISDIR for one, ENOTDIR for anything else (a symlink too).
    return Reply::Error(S_ISDIR(node->st.st_mode) ? EISDIR : ENOTDIR);
  }
  if (!sb.StillValid(n)) return Reply::Handled();
  if (int err = sb.vfs.Remove(*node, is_dir); err != 0) return sb.Fail(n, row, err, node->vpath);
  sb.NoteFile(node->vpath, true);
  return Reply::Value(0);
}

Reply HandleRenameat2(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  unsigned flags = row.nr == SYS_renameat2 ? static_cast<unsigned>(n.data.args[4]) : 0;
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0) return Reply::Error(EINVAL);
  if ((flags & RENAME_NOREPLACE) != 0 && (flags & RENAME_EXCHANGE) != 0) return Reply::Error(EINVAL);
  bool from_slash = false, to_slash = false;
  std::string from_last, to_last;
  ErrnoOr<Node> from = sb.ResolveEntry(n, row.args.dirfd, row.args.path, &from_slash, &from_last);
  if (!from.Ok()) return sb.Fail(n, row, from.Error(), "");
  ErrnoOr<Node> to = sb.ResolveEntry(n, row.args.dirfd2, row.args.path2, &to_slash, &to_last);
  if (!to.Ok()) return sb.Fail(n, row, to.Error(), "");
  auto dots = [](const std::string& name) { return name == "." || name == ".." || name.empty(); };
  if (dots(from_last) || dots(to_last)) return Reply::Error(EBUSY);
  if (!from->Exists()) return Reply::Error(ENOENT);
  // A trailing slash on either side asks for directories.
  if ((from_slash || to_slash) && !S_ISDIR(from->st.st_mode)) return Reply::Error(ENOTDIR);
  if (!sb.StillValid(n)) return Reply::Handled();
  if (int err = sb.vfs.Rename(*from, *to, flags); err != 0) return sb.Fail(n, row, err, from->vpath);
  sb.NoteFile(from->vpath, true);
  sb.NoteFile(to->vpath, true);
  return Reply::Value(0);
}

Reply HandleLinkat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int flags = row.nr == SYS_linkat ? Arg(n, 4) : 0;
  ErrnoOr<Node> from = sb.ResolvePath(n, row.args.dirfd, row.args.path, (flags & AT_SYMLINK_FOLLOW) != 0,
                                      (flags & AT_EMPTY_PATH) != 0);
  if (!from.Ok()) return sb.Fail(n, row, from.Error(), "");
  if (!from->Exists()) return Reply::Error(ENOENT);
  if (S_ISDIR(from->st.st_mode)) return Reply::Error(EPERM);
  NewName name = ResolveNewName(sb, n, row.args.dirfd2, row.args.path2);
  const ErrnoOr<Node>& to = name.node;
  if (!to.Ok()) return sb.Fail(n, row, to.Error(), "");
  if (int err = NewNameError(name, false); err != 0) return Reply::Error(err);
  if (from->mode != to->mode || from->layer == Layer::kMagic) return Reply::Error(EXDEV);
  if (!sb.StillValid(n)) return Reply::Handled();
  ErrnoOr<Node> src = sb.vfs.Writable(*from);  // a link shares the inode: copy it up first
  if (!src.Ok()) return sb.Fail(n, row, src.Error(), from->vpath);
  ErrnoOr<std::string> dst = sb.vfs.CreationTarget(*to);
  if (!dst.Ok()) return sb.Fail(n, row, dst.Error(), to->vpath);
  if (link(src->real.c_str(), dst->c_str()) != 0) return Reply::Error(errno);
  sb.vfs.Created(*to, false);
  return Reply::Value(0);
}

Reply HandleFchmodat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  mode_t mode = static_cast<mode_t>(row.nr == SYS_chmod ? n.data.args[1] : n.data.args[2]);
  int flags = row.args.flags >= 0 ? Arg(n, row.args.flags) : 0;
  return ChangeNode(sb, n, row,
                    sb.ResolvePath(n, row.args.dirfd, row.args.path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
                                   (flags & AT_EMPTY_PATH) != 0),
                    [&](const std::string& real, bool) { return ChmodNoFollow(real, mode); });
}

Reply HandleFchmod(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  mode_t mode = static_cast<mode_t>(n.data.args[1]);
  return ChangeNode(sb, n, row, sb.NodeOfFd(n, Arg(n, 0)),
                    [&](const std::string& real, bool magic) {
                      return magic ? chmod(real.c_str(), mode & 07777) : ChmodNoFollow(real, mode);
                    });
}

Reply HandleFchownat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int base = row.nr == SYS_fchownat ? 2 : 1;
  uid_t uid = static_cast<uid_t>(n.data.args[base]);
  gid_t gid = static_cast<gid_t>(n.data.args[base + 1]);
  int flags = row.nr == SYS_fchownat ? Arg(n, 4) : 0;
  bool follow = row.nr == SYS_chown || (row.nr == SYS_fchownat && (flags & AT_SYMLINK_NOFOLLOW) == 0);
  return ChangeNode(sb, n, row,
                    sb.ResolvePath(n, row.args.dirfd, row.args.path, follow, (flags & AT_EMPTY_PATH) != 0),
                    [&](const std::string& real, bool magic) {
                      return magic ? chown(real.c_str(), uid, gid) : lchown(real.c_str(), uid, gid);
                    });
}

Reply HandleFchown(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  uid_t uid = static_cast<uid_t>(n.data.args[1]);
  gid_t gid = static_cast<gid_t>(n.data.args[2]);
  return ChangeNode(sb, n, row, sb.NodeOfFd(n, Arg(n, 0)),
                    [&](const std::string& real, bool) { return chown(real.c_str(), uid, gid); });
}

Reply HandleTruncate(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  off_t length = static_cast<off_t>(n.data.args[1]);
  return ChangeNode(sb, n, row, sb.ResolvePath(n, row.args.dirfd, row.args.path, true),
                    [&](const std::string& real, bool) { return truncate(real.c_str(), length); });
}

Reply HandleUtimensat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  timespec times[2];
  bool now = false;
  int flags = 0;
  uint64_t times_addr = 0;
  ErrnoOr<Node> node = Errno{EINVAL};
  if (row.nr == SYS_utimensat) {
    times_addr = n.data.args[2];
    flags = Arg(n, 3);
    if (n.data.args[1] == 0) {
      node = sb.NodeOfFd(n, Arg(n, 0));  // futimens(fd, times)
    } else {
      node = sb.ResolvePath(n, row.args.dirfd, row.args.path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
                            (flags & AT_EMPTY_PATH) != 0);
    }
    if (times_addr == 0) {
      now = true;
    } else if (int err = ReadTraceeMemory(tid, times_addr, times, sizeof(times)); err != 0) {
      return Reply::Error(err);
    }
  } else {
    int path_arg = row.nr == SYS_futimesat ? 1 : 0;
    times_addr = n.data.args[path_arg + 1];
    node = sb.ResolvePath(n, row.args.dirfd, path_arg, true);
    if (times_addr == 0) {
      now = true;
    } else if (row.nr == SYS_utime) {
      struct {
        int64_t actime, modtime;
      } ut;
      if (int err = ReadTraceeMemory(tid, times_addr, &ut, sizeof(ut)); err != 0) return Reply::Error(err);
      times[0] = {ut.actime, 0};
      times[1] = {ut.modtime, 0};
    } else {
      timeval tv[2];
      if (int err = ReadTraceeMemory(tid, times_addr, tv, sizeof(tv)); err != 0) return Reply::Error(err);
      for (int i = 0; i < 2; ++i) times[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
    }
  }
  return ChangeNode(sb, n, row, std::move(node), [&](const std::string& real, bool magic) {
    return utimensat(AT_FDCWD, real.c_str(), now ? nullptr : times, magic ? 0 : AT_SYMLINK_NOFOLLOW);
  });
}

Reply HandleSetxattr(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const bool remove = row.nr == SYS_removexattr || row.nr == SYS_lremovexattr;
  const bool follow = row.nr == SYS_setxattr || row.nr == SYS_removexattr;
  XattrArgs x;
  if (int err = ReadXattrArgs(n, remove, x); err != 0) return Reply::Error(err);
  return ChangeNode(sb, n, row, sb.ResolvePath(n, row.args.dirfd, row.args.path, follow),
                    [&](const std::string& real, bool) {
                      return remove ? lremovexattr(real.c_str(), x.name.c_str())
                                    : lsetxattr(real.c_str(), x.name.c_str(), x.value.data(), x.value.size(), x.flags);
                    });
}

Reply HandleFsetxattr(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const bool remove = row.nr == SYS_fremovexattr;
  XattrArgs x;
  if (int err = ReadXattrArgs(n, remove, x); err != 0) return Reply::Error(err);
  return ChangeNode(sb, n, row, sb.NodeOfFd(n, Arg(n, 0)), [&](const std::string& real, bool) {
    return remove ? removexattr(real.c_str(), x.name.c_str())
                  : setxattr(real.c_str(), x.name.c_str(), x.value.data(), x.value.size(), x.flags);
  });
}

}  // namespace bvisor
