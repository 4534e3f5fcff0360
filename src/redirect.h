// Redirecting execve and chdir to a file the supervisor opened, for targets the kernel cannot
// reach by the tracee's own path (files and directories that exist only in the overlay).
//
// The notifier cannot change a syscall's arguments, so bvisor briefly becomes the tracee's
// ptracer: it injects the checked file as an fd (SECCOMP_IOCTL_NOTIF_ADDFD), attaches with
// PTRACE_SEIZE, asks for a stop with PTRACE_INTERRUPT, and answers the notification. Before the
// tracee returns to user space it stops; bvisor rewinds it to the syscall instruction with the
// registers of execveat(fd, "", argv, envp, AT_EMPTY_PATH) or fchdir(fd), lets that run, closes
// the fd, restores the registers the caller expects, and detaches.
//
// TOCTOU: the rewritten call names the file by the injected fd, which the sandbox cannot swap
// for another file between check and use (the fd number is in a register; the file behind it
// was opened by bvisor). The only memory the rewritten execveat reads is argv/envp and the empty
// path, which is the NUL ending the string bvisor already read: if a racing thread makes it
// non-empty, the kernel resolves it relative to a non-directory fd and fails with ENOTDIR.
#pragma once

#include <linux/seccomp.h>

#include <optional>

#include "reply.h"
#include "syscall_table.h"
#include "unique_fd.h"
#include "vfs.h"

namespace bvisor {

class Sandbox;

// nullopt when ptrace is not available (nothing was done: the caller falls back); otherwise
// the notification has been answered (Reply::Handled) or gets the returned error.
std::optional<Reply> RedirectChdir(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, UniqueFd dir);
std::optional<Reply> RedirectExec(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, UniqueFd file,
                                  const Node& node);

}  // namespace bvisor
