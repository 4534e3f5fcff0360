// The syscall table (x86-64). Every syscall the kernel knows and bvisor does not list here
// is notified and answered ENOSYS: unknown syscalls fail closed.
#include "syscall_table.h"

#include <sys/syscall.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "handlers.h"

// Syscalls newer than Debian 12's headers.
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

namespace bvisor {
namespace {

constexpr ArgRoles kNoArgs{};
// Path in arg 0, relative to the cwd.
constexpr ArgRoles kPath0{.dirfd = -1, .path = 0};
// dirfd in arg 0, path in arg 1, flags in `flags`.
constexpr ArgRoles AtPath(int8_t flags) { return {.dirfd = 0, .path = 1, .flags = flags}; }
constexpr ArgRoles kTwoPaths{.path = 0, .path2 = 1};
constexpr ArgRoles TwoAtPaths(int8_t flags) {
  return {.dirfd = 0, .path = 1, .dirfd2 = 2, .path2 = 3, .flags = flags};
}

constexpr SyscallRow Allow(std::string_view name, int nr) {
  return {name, nr, FilterRule::kAllow, 0, kNoArgs, false, nullptr};
}
constexpr SyscallRow Deny(std::string_view name, int nr, int err) {
  return {name, nr, FilterRule::kErrno, err, kNoArgs, false, nullptr};
}
constexpr SyscallRow Rule(std::string_view name, int nr, FilterRule rule, Handler h = nullptr) {
  return {name, nr, rule, 0, kNoArgs, false, h};
}
constexpr SyscallRow Notify(std::string_view name, int nr, ArgRoles args, bool writes, Handler h) {
  return {name, nr, FilterRule::kNotify, 0, args, writes, h};
}

#define ALLOW(n) Allow(#n, SYS_##n)
#define DENY(n, e) Deny(#n, SYS_##n, e)
#define RULE(n, r, ...) Rule(#n, SYS_##n, FilterRule::r __VA_OPT__(,) __VA_ARGS__)
#define READS(n, args, h) Notify(#n, SYS_##n, args, false, h)
#define WRITES(n, args, h) Notify(#n, SYS_##n, args, true, h)

constexpr auto kRows = std::to_array<SyscallRow>({
    // Memory, time, identity, scheduling, signals to self: process-local, zero cost.
    ALLOW(read), ALLOW(write), ALLOW(readv), ALLOW(writev), ALLOW(pread64), ALLOW(pwrite64),
    ALLOW(preadv), ALLOW(pwritev), ALLOW(preadv2), ALLOW(pwritev2), ALLOW(lseek), ALLOW(sendfile),
    ALLOW(splice), ALLOW(tee), ALLOW(vmsplice), ALLOW(copy_file_range),
    ALLOW(mmap), ALLOW(mprotect), ALLOW(munmap), ALLOW(mremap), ALLOW(madvise), ALLOW(brk),
    ALLOW(msync), ALLOW(mincore), ALLOW(mlock), ALLOW(munlock), ALLOW(mlockall), ALLOW(munlockall),
    ALLOW(mlock2), ALLOW(pkey_mprotect), ALLOW(pkey_alloc), ALLOW(pkey_free), ALLOW(membarrier),
    ALLOW(rt_sigaction), ALLOW(rt_sigprocmask), ALLOW(rt_sigreturn), ALLOW(rt_sigpending),
    ALLOW(rt_sigtimedwait), ALLOW(rt_sigsuspend), ALLOW(sigaltstack), ALLOW(pause), ALLOW(alarm),
    ALLOW(getitimer), ALLOW(setitimer), ALLOW(timer_create), ALLOW(timer_settime),
    ALLOW(timer_gettime), ALLOW(timer_getoverrun), ALLOW(timer_delete),
    ALLOW(close), ALLOW(close_range), ALLOW(dup), ALLOW(dup2), ALLOW(dup3), ALLOW(pipe), ALLOW(pipe2),
    ALLOW(flock), ALLOW(fsync), ALLOW(fdatasync), ALLOW(sync_file_range),
    ALLOW(ftruncate), ALLOW(fallocate), ALLOW(fadvise64), ALLOW(readahead), ALLOW(getdents),
    // fchdir and close must stay allowed: redirect.cc injects them through ptrace and waits
    // for them to finish, which a notification would turn into a deadlock.
    ALLOW(getdents64), ALLOW(fchdir), ALLOW(fstat), ALLOW(fstatfs), ALLOW(fgetxattr),
    ALLOW(flistxattr), ALLOW(memfd_create),
    ALLOW(poll), ALLOW(ppoll), ALLOW(select), ALLOW(pselect6), ALLOW(epoll_create),
    ALLOW(epoll_create1), ALLOW(epoll_ctl), ALLOW(epoll_wait), ALLOW(epoll_pwait), ALLOW(epoll_pwait2),
    ALLOW(eventfd), ALLOW(eventfd2), ALLOW(signalfd), ALLOW(signalfd4), ALLOW(timerfd_create),
    ALLOW(timerfd_settime), ALLOW(timerfd_gettime), ALLOW(inotify_init), ALLOW(inotify_init1),
    ALLOW(inotify_rm_watch), ALLOW(fanotify_init),
    ALLOW(futex), ALLOW(futex_waitv), ALLOW(set_robust_list), ALLOW(get_robust_list),
    ALLOW(set_tid_address), ALLOW(rseq), ALLOW(arch_prctl), ALLOW(prctl), ALLOW(sched_yield),
    ALLOW(sched_getaffinity), ALLOW(sched_getparam),
    ALLOW(sched_getscheduler), ALLOW(sched_get_priority_max),
    ALLOW(sched_get_priority_min), ALLOW(sched_rr_get_interval), ALLOW(sched_getattr),
    ALLOW(getpriority), ALLOW(ioprio_get),
    ALLOW(getcpu), ALLOW(get_mempolicy), ALLOW(set_mempolicy), ALLOW(mbind),
    ALLOW(nanosleep), ALLOW(clock_nanosleep), ALLOW(clock_gettime), ALLOW(clock_getres),
    ALLOW(gettimeofday), ALLOW(time), ALLOW(times), ALLOW(sync), ALLOW(syncfs),
    ALLOW(getpid), ALLOW(getppid), ALLOW(gettid), ALLOW(getuid), ALLOW(geteuid), ALLOW(getgid),
    ALLOW(getegid), ALLOW(getresuid), ALLOW(getresgid), ALLOW(getgroups), ALLOW(getpgid),
    ALLOW(getpgrp), ALLOW(getsid), ALLOW(setpgid), ALLOW(setsid), ALLOW(umask),
    ALLOW(setuid), ALLOW(setgid), ALLOW(setreuid), ALLOW(setregid), ALLOW(setresuid),
    ALLOW(setresgid), ALLOW(setfsuid), ALLOW(setfsgid), ALLOW(setgroups), ALLOW(capget),
    ALLOW(capset), ALLOW(getrlimit), ALLOW(getrusage), ALLOW(sysinfo),
    ALLOW(uname), ALLOW(getrandom), ALLOW(restart_syscall), ALLOW(exit), ALLOW(exit_group),
    ALLOW(wait4), ALLOW(waitid), ALLOW(pidfd_send_signal),
    ALLOW(landlock_create_ruleset), ALLOW(landlock_add_rule), ALLOW(landlock_restrict_self),
    // Sockets: fd-based calls are free; creating IP sockets and naming addresses is mediated.
    ALLOW(socketpair), ALLOW(listen), ALLOW(accept), ALLOW(accept4), ALLOW(recvfrom), ALLOW(recvmsg),
    ALLOW(recvmmsg), ALLOW(shutdown), ALLOW(getsockname),
    ALLOW(getpeername), ALLOW(getsockopt), ALLOW(setsockopt),

    // Register-only decisions in BPF.
    RULE(clone, kClone, HandleFork), RULE(ioctl, kIoctl), RULE(personality, kPersonality),
    RULE(seccomp, kSeccomp), RULE(socket, kSocket, HandleSocket), RULE(prlimit64, kRlimit, HandleSetrlimit),
    RULE(setrlimit, kRlimit, HandleSetrlimit), RULE(fork, kFork, HandleFork), RULE(vfork, kFork, HandleFork),
    RULE(sendmsg, kSendmsg), RULE(sendmmsg, kSendmsg), RULE(sched_setaffinity, kSelfPid),
    RULE(sched_setparam, kSelfPid), RULE(sched_setscheduler, kSelfPid), RULE(sched_setattr, kSelfPid),
    RULE(setpriority, kPriority), RULE(ioprio_set, kPriority), RULE(fcntl, kFcntl, HandleFcntl),

    // System V IPC and POSIX message queues are shared with the host (no IPC namespace), and
    // their ids and names are guessable: as if the kernel had none.
    DENY(shmget, ENOSYS), DENY(shmat, ENOSYS), DENY(shmctl, ENOSYS), DENY(shmdt, ENOSYS),
    DENY(semget, ENOSYS), DENY(semop, ENOSYS), DENY(semctl, ENOSYS), DENY(semtimedop, ENOSYS),
    DENY(msgget, ENOSYS), DENY(msgsnd, ENOSYS), DENY(msgrcv, ENOSYS), DENY(msgctl, ENOSYS),
    DENY(mq_open, ENOSYS), DENY(mq_unlink, ENOSYS), DENY(mq_timedsend, ENOSYS),
    DENY(mq_timedreceive, ENOSYS), DENY(mq_notify, ENOSYS), DENY(mq_getsetattr, ENOSYS),
    RULE(clone3, kNotify, HandleClone3),

    // Never inside a sandbox (../shared/NOTES.md: each one escapes or damages the host).
    DENY(io_uring_setup, EPERM), DENY(io_uring_enter, EPERM), DENY(io_uring_register, EPERM),
    DENY(bpf, EPERM), DENY(ptrace, EPERM), DENY(process_vm_readv, EPERM),
    DENY(process_vm_writev, EPERM), DENY(process_madvise, EPERM), DENY(pidfd_getfd, EPERM),
    DENY(kcmp, EPERM), DENY(mount, EPERM), DENY(umount2, EPERM), DENY(fsopen, EPERM),
    DENY(fsconfig, EPERM), DENY(fsmount, EPERM), DENY(fspick, EPERM), DENY(move_mount, EPERM),
    DENY(open_tree, EPERM), DENY(mount_setattr, EPERM), DENY(pivot_root, EPERM), DENY(chroot, EPERM),
    DENY(unshare, EPERM), DENY(setns, EPERM), DENY(kexec_load, EPERM), DENY(kexec_file_load, EPERM),
    DENY(init_module, EPERM), DENY(finit_module, EPERM), DENY(delete_module, EPERM),
    DENY(keyctl, EPERM), DENY(add_key, EPERM), DENY(request_key, EPERM), DENY(userfaultfd, EPERM),
    DENY(perf_event_open, EPERM), DENY(name_to_handle_at, EPERM), DENY(open_by_handle_at, EPERM),
    DENY(reboot, EPERM), DENY(swapon, EPERM), DENY(swapoff, EPERM), DENY(acct, EPERM),
    DENY(quotactl, EPERM), DENY(quotactl_fd, EPERM), DENY(settimeofday, EPERM),
    DENY(clock_settime, EPERM), DENY(adjtimex, EPERM), DENY(syslog, EPERM), DENY(vhangup, EPERM),
    DENY(iopl, EPERM), DENY(ioperm, EPERM), DENY(sethostname, EPERM), DENY(setdomainname, EPERM),
    DENY(lookup_dcookie, EPERM), DENY(nfsservctl, ENOSYS), DENY(uselib, ENOSYS),
    DENY(_sysctl, ENOSYS), DENY(migrate_pages, EPERM), DENY(move_pages, EPERM),
    DENY(fanotify_mark, EPERM), DENY(memfd_secret, ENOSYS), DENY(clock_adjtime, EPERM),
    DENY(modify_ldt, EPERM), DENY(vserver, ENOSYS), DENY(create_module, ENOSYS),
    DENY(get_kernel_syms, ENOSYS), DENY(query_module, ENOSYS), DENY(ustat, ENOSYS),
    DENY(sysfs, ENOSYS), DENY(process_mrelease, EPERM),

    // Path syscalls: read once, resolved, checked, and performed by the supervisor.
    READS(open, kPath0, HandleOpenat), READS(openat, AtPath(2), HandleOpenat),
    READS(creat, kPath0, HandleOpenat), READS(openat2, AtPath(-1), HandleOpenat2),
    READS(stat, kPath0, HandleNewfstatat), READS(lstat, kPath0, HandleNewfstatat),
    READS(newfstatat, AtPath(3), HandleNewfstatat), READS(statx, AtPath(2), HandleStatx),
    READS(access, kPath0, HandleFaccessat), READS(faccessat, AtPath(-1), HandleFaccessat),
    READS(faccessat2, AtPath(3), HandleFaccessat), READS(readlink, kPath0, HandleReadlinkat),
    READS(readlinkat, AtPath(-1), HandleReadlinkat), READS(statfs, kPath0, HandleStatfs),
    READS(getxattr, kPath0, HandleGetxattr), READS(lgetxattr, kPath0, HandleGetxattr),
    READS(listxattr, kPath0, HandleListxattr), READS(llistxattr, kPath0, HandleListxattr),
    READS(getcwd, kNoArgs, HandleGetcwd), READS(chdir, kPath0, HandleChdir),
    READS(execve, kPath0, HandleExecveat), READS(execveat, AtPath(4), HandleExecveat),
    READS(inotify_add_watch, (ArgRoles{.path = 1}), HandleInotifyAddWatch),
    WRITES(mkdir, kPath0, HandleMkdirat), WRITES(mkdirat, AtPath(-1), HandleMkdirat),
    WRITES(mknod, kPath0, HandleMknodat), WRITES(mknodat, AtPath(-1), HandleMknodat),
    WRITES(unlink, kPath0, HandleUnlinkat), WRITES(rmdir, kPath0, HandleUnlinkat),
    WRITES(unlinkat, AtPath(2), HandleUnlinkat), WRITES(rename, kTwoPaths, HandleRenameat2),
    WRITES(renameat, TwoAtPaths(-1), HandleRenameat2),
    WRITES(renameat2, TwoAtPaths(4), HandleRenameat2), WRITES(link, kTwoPaths, HandleLinkat),
    WRITES(linkat, TwoAtPaths(4), HandleLinkat),
    WRITES(symlink, (ArgRoles{.path = 1}), HandleSymlinkat),
    WRITES(symlinkat, (ArgRoles{.dirfd = 1, .path = 2}), HandleSymlinkat),
    WRITES(chmod, kPath0, HandleFchmodat), WRITES(fchmodat, AtPath(-1), HandleFchmodat),
    Notify("fchmodat2", SYS_fchmodat2, AtPath(3), true, HandleFchmodat),
    WRITES(fchmod, kNoArgs, HandleFchmod),
    WRITES(chown, kPath0, HandleFchownat), WRITES(lchown, kPath0, HandleFchownat),
    WRITES(fchownat, AtPath(4), HandleFchownat), WRITES(fchown, kNoArgs, HandleFchown),
    WRITES(truncate, kPath0, HandleTruncate), WRITES(utime, kPath0, HandleUtimensat),
    WRITES(utimes, kPath0, HandleUtimensat), WRITES(futimesat, AtPath(-1), HandleUtimensat),
    WRITES(utimensat, AtPath(3), HandleUtimensat), WRITES(setxattr, kPath0, HandleSetxattr),
    WRITES(lsetxattr, kPath0, HandleSetxattr), WRITES(removexattr, kPath0, HandleSetxattr),
    WRITES(lremovexattr, kPath0, HandleSetxattr), WRITES(fsetxattr, kNoArgs, HandleFsetxattr),
    WRITES(fremovexattr, kNoArgs, HandleFsetxattr),

    // Processes: only sandbox members may be signalled.
    READS(kill, kNoArgs, HandleKill), READS(tkill, kNoArgs, HandleKill),
    READS(tgkill, kNoArgs, HandleKill), READS(rt_sigqueueinfo, kNoArgs, HandleKill),
    READS(rt_tgsigqueueinfo, kNoArgs, HandleKill), READS(pidfd_open, kNoArgs, HandlePidfdOpen),

    // Socket addresses (AF_UNIX paths are path operations).
    READS(connect, kNoArgs, HandleConnect), READS(bind, kNoArgs, HandleConnect),
    RULE(sendto, kSendto, HandleSendto),
});

#undef ALLOW
#undef DENY
#undef RULE
#undef READS
#undef WRITES

constexpr int kMaxNr = 512;

struct Index {
  std::array<const SyscallRow*, kMaxNr> by_nr{};
  Index() {
    for (const SyscallRow& row : kRows) by_nr[static_cast<size_t>(row.nr)] = &row;
  }
};

}  // namespace

std::span<const SyscallRow> SyscallTable() { return kRows; }

const SyscallRow* FindSyscall(int nr) {
  static const Index index;
  if (nr < 0 || nr >= kMaxNr) return nullptr;
  return index.by_nr[static_cast<size_t>(nr)];
}

}  // namespace bvisor
