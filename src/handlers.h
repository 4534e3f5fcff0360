// Notification handlers, named after the kernel's syscalls. Rows of the syscall table point here;
// a handler serves every syscall of its family through the row's argument roles.
#pragma once

#include "syscall_table.h"

namespace bvisor {

#define BVISOR_HANDLER(name) Reply name(Sandbox& sandbox, const seccomp_notif& notif, const SyscallRow& row)

// Fail-closed answers.
BVISOR_HANDLER(HandleClone3);   // ENOSYS so that libc falls back to clone (flags visible to BPF)

// Path front-end users (handlers_path.cc).
BVISOR_HANDLER(HandleOpenat);      // open, openat, creat
BVISOR_HANDLER(HandleOpenat2);
BVISOR_HANDLER(HandleNewfstatat);  // stat, lstat, newfstatat
BVISOR_HANDLER(HandleStatx);
BVISOR_HANDLER(HandleFaccessat);   // access, faccessat, faccessat2
BVISOR_HANDLER(HandleReadlinkat);  // readlink, readlinkat
BVISOR_HANDLER(HandleStatfs);
BVISOR_HANDLER(HandleGetxattr);    // getxattr, lgetxattr
BVISOR_HANDLER(HandleListxattr);   // listxattr, llistxattr
BVISOR_HANDLER(HandleGetcwd);
BVISOR_HANDLER(HandleChdir);
BVISOR_HANDLER(HandleExecveat);    // execve, execveat
BVISOR_HANDLER(HandleInotifyAddWatch);

// Write side (handlers_write.cc).
BVISOR_HANDLER(HandleMkdirat);     // mkdir, mkdirat
BVISOR_HANDLER(HandleMknodat);     // mknod, mknodat
BVISOR_HANDLER(HandleUnlinkat);    // unlink, rmdir, unlinkat
BVISOR_HANDLER(HandleRenameat2);   // rename, renameat, renameat2
BVISOR_HANDLER(HandleLinkat);      // link, linkat
BVISOR_HANDLER(HandleSymlinkat);   // symlink, symlinkat
BVISOR_HANDLER(HandleFchmodat);    // chmod, fchmodat, fchmodat2
BVISOR_HANDLER(HandleFchmod);
BVISOR_HANDLER(HandleFchownat);    // chown, lchown, fchownat
BVISOR_HANDLER(HandleFchown);
BVISOR_HANDLER(HandleTruncate);
BVISOR_HANDLER(HandleUtimensat);   // utime, utimes, futimesat, utimensat
BVISOR_HANDLER(HandleSetxattr);    // setxattr, lsetxattr, removexattr, lremovexattr
BVISOR_HANDLER(HandleFsetxattr);   // fsetxattr, fremovexattr

// Processes and sockets (handlers_process.cc).
BVISOR_HANDLER(HandleKill);        // kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo
BVISOR_HANDLER(HandlePidfdOpen);
BVISOR_HANDLER(HandleSocket);
BVISOR_HANDLER(HandleConnect);     // connect, bind
BVISOR_HANDLER(HandleSendto);
BVISOR_HANDLER(HandleFork);        // fork, vfork, clone (processes, not threads): limits.processes
BVISOR_HANDLER(HandleSetrlimit);
BVISOR_HANDLER(HandleFcntl);       // F_SETOWN: SIGIO only to the caller's own process   // setrlimit, prlimit64: never above the policy's limits

#undef BVISOR_HANDLER

}  // namespace bvisor
