// execve/execveat and chdir: the two syscalls the supervisor cannot perform for the tracee.
//
// Design (see also man/bvisor.1, SECURITY): the path is resolved and checked like any other,
// and so are the interpreters the kernel would load by itself (#! and PT_INTERP).
// - execve is always redirected (redirect.h): the tracee runs execveat() on an fd of the very
//   file bvisor checked, and the new image is verified before its first instruction.
// - chdir continues in the kernel when the kernel, resolving the same string from the tracee's
//   real cwd, reaches the directory that was checked; otherwise (a directory that exists only
//   in the overlay or a private tmp) it is redirected to fchdir() on a checked fd.
// Where ptrace is refused (Yama, container profiles) both fall back to CONTINUE when the kernel
// reaches the checked file, and fail for overlay-only targets.
//
// TOCTOU after CONTINUE (the kernel re-reads the path, so a racing thread can swap it):
// - chdir grants nothing: every later path syscall is resolved by bvisor from the virtual path
//   of the real cwd and checked again, so a cwd inside a hidden directory opens nothing there.
// - execve (fallback only): the new image runs under the same filter with the same policy; a
//   swap can make the kernel map a file the policy hides (its bytes become readable to it).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "exec_inspect.h"
#include "handlers.h"
#include "redirect.h"
#include "sandbox.h"

namespace bvisor {
namespace {

// Opens what the kernel would reach for `raw` from the tracee's real cwd (or dirfd).
UniqueFd KernelView(const seccomp_notif& n, int dirfd, const std::string& raw, int flags) {
  std::string path;
  char prefix[64];
  if (raw.empty() || raw[0] != '/') {
    if (dirfd == AT_FDCWD) {
      std::snprintf(prefix, sizeof(prefix), "/proc/%u/cwd/", n.pid);
    } else {
      std::snprintf(prefix, sizeof(prefix), "/proc/%u/fd/%d/", n.pid, dirfd);
    }
    path = prefix + raw;
  } else {
    path = raw;
  }
  return UniqueFd(open(path.c_str(), flags | O_PATH | O_CLOEXEC));
}

bool SameFile(int fd, const struct stat& st) {
  struct stat other {};
  return fstat(fd, &other) == 0 && other.st_dev == st.st_dev && other.st_ino == st.st_ino;
}

// The kernel itself opens a script's interpreter and an ELF's program interpreter, by their
// real paths and unseen by the filter: each must be something the policy lets the sandbox run.
// Returns the hidden path, or "" when everything the exec loads is allowed.
std::string HiddenInterpreter(Sandbox& sb, const seccomp_notif& n, const Node& file, int depth = 0) {
  if (depth > 4) return file.vpath;  // the kernel gives up at this depth too (ELOOP)
  std::string next;
  Shebang shebang;
  if (ParseShebang(file.real, shebang)) {
    next = shebang.interpreter;
  } else {
    next = ElfInterpreter(file.real);
  }
  if (next.empty()) return "";
  ErrnoOr<Node> interp = sb.ResolveAt(n, -1, next, true);
  if (!interp.Ok() || !interp->Exists()) {
    // Not in the sandbox's view: hidden, or missing (the kernel would fail with ENOENT).
    return sb.vfs.LastDenied().empty() ? "" : next;
  }
  return HiddenInterpreter(sb, n, *interp, depth + 1);
}

}  // namespace

Reply HandleChdir(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  std::string raw;
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, true, false, &raw);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (!S_ISDIR(node->st.st_mode)) return Reply::Error(ENOTDIR);
  if (faccessat(AT_FDCWD, node->real.c_str(), X_OK, 0) != 0) return Reply::Error(errno);
  if (!sb.StillValid(n)) return Reply::Handled();
  UniqueFd kernel = KernelView(n, AT_FDCWD, raw, O_DIRECTORY);
  if (kernel && SameFile(kernel.Get(), node->st)) {
    // TOCTOU: see the comment at the top of this file; the cwd is not a capability here.
    return Reply::Continue();
  }
  UniqueFd dir(open(node->real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Reply::Error(errno);
  if (std::optional<Reply> r = RedirectChdir(sb, n, row, std::move(dir))) return std::move(*r);
  return sb.Deny(n, row, node->vpath, EACCES, "ptrace unavailable: cannot enter an overlay-only directory");
}

Reply HandleExecveat(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const bool at = row.nr == SYS_execveat;
  const int flags = at ? static_cast<int>(n.data.args[4]) : 0;
  const int dirfd = at ? static_cast<int>(n.data.args[0]) : AT_FDCWD;
  std::string raw;
  ErrnoOr<Node> node = sb.ResolvePath(n, row.args.dirfd, row.args.path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
                                      (flags & AT_EMPTY_PATH) != 0, &raw);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), "");
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (S_ISDIR(node->st.st_mode)) return Reply::Error(EACCES);
  if (S_ISLNK(node->st.st_mode)) return Reply::Error(ELOOP);
  if (!S_ISREG(node->st.st_mode)) return Reply::Error(EACCES);
  if (faccessat(AT_FDCWD, node->real.c_str(), X_OK, node->layer == Layer::kMagic ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
    return Reply::Error(errno);
  }
  sb.vfs.ClearLastDenied();
  if (std::string hidden = HiddenInterpreter(sb, n, *node); !hidden.empty()) {
    return sb.Deny(n, row, hidden, EACCES, "the interpreter of " + node->vpath + " is hidden by the policy");
  }
  if (sb.grants != nullptr && node->layer == Layer::kHost && !sb.grants->CoversRead(node->real)) {
    // The kernel opens the program itself, under the Landlock domain fixed at the start: a file
    // that appeared since in a directory granted entry by entry is refused there (landlock.h).
    return sb.Deny(n, row, node->vpath, EACCES,
                   "appeared after the start in a directory Landlock grants entry by entry (BVISOR_NO_LANDLOCK=1 "
                   "lifts this)");
  }
  if (!sb.StillValid(n)) return Reply::Handled();
  sb.report.AddExec(node->vpath, static_cast<pid_t>(n.pid));
  spdlog::info("exec {} [pid {}]", node->vpath, n.pid);
  sb.NoteFile(node->vpath, false);
  if (sb.RootNotYetExeced(static_cast<pid_t>(n.pid))) {
    // TOCTOU: bvisor's own single-threaded child, before its first exec: nothing else can
    // write its memory between this check and the kernel's read.
    return Reply::Continue();
  }
  // Every exec runs the file bvisor checked, by fd (redirect.h). Only where ptrace is refused
  // does it continue in the kernel, and only when the kernel reaches that same file.
  UniqueFd file(open(node->real.c_str(), O_RDONLY | O_CLOEXEC | (node->layer == Layer::kMagic ? 0 : O_NOFOLLOW)));
  if (!file) return Reply::Error(errno);
  if (std::optional<Reply> r = RedirectExec(sb, n, row, std::move(file), *node)) return std::move(*r);
  UniqueFd kernel = KernelView(n, dirfd, raw, (flags & AT_SYMLINK_NOFOLLOW) != 0 ? O_NOFOLLOW : 0);
  if (kernel && SameFile(kernel.Get(), node->st)) {
    // TOCTOU: the fallback without ptrace; see the comment at the top of this file.
    return Reply::Continue();
  }
  return sb.Deny(n, row, node->vpath, EACCES, "ptrace unavailable: cannot run an overlay-only file");
}

}  // namespace bvisor
