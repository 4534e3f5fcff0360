// Invariants of the one syscall table.
#include <doctest/doctest.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include <set>
#include <string>

#include "syscall_table.h"

namespace bvisor {

TEST_CASE("syscall table: names and numbers agree with libseccomp and are unique") {
  std::set<int> numbers;
  std::set<std::string_view> names;
  for (const SyscallRow& row : SyscallTable()) {
    CAPTURE(row.name);
    CHECK(numbers.insert(row.nr).second);
    CHECK(names.insert(row.name).second);
    int resolved = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, std::string(row.name).c_str());
    CHECK(resolved == row.nr);
    CHECK(FindSyscall(row.nr) == &row);
  }
}

TEST_CASE("syscall table: notified rows have handlers, others do not") {
  for (const SyscallRow& row : SyscallTable()) {
    CAPTURE(row.name);
    switch (row.rule) {
      case FilterRule::kNotify:
      case FilterRule::kSocket:
      case FilterRule::kSendto:
      case FilterRule::kFork:
      case FilterRule::kClone:
      case FilterRule::kFcntl:
      case FilterRule::kRlimit: CHECK(static_cast<bool>(row.handler)); break;
      case FilterRule::kSelfPid:
      case FilterRule::kPriority:
      case FilterRule::kAllow:
      case FilterRule::kErrno:
      case FilterRule::kIoctl:
      case FilterRule::kPersonality:
      case FilterRule::kSeccomp:
      case FilterRule::kSendmsg: CHECK_FALSE(static_cast<bool>(row.handler)); break;
    }
    if (row.args.path >= 0) CHECK(row.rule == FilterRule::kNotify);
    if (row.args.path2 >= 0) CHECK(row.args.path >= 0);
  }
}

TEST_CASE("syscall table: dangerous syscalls are refused in BPF") {
  for (int nr : {SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register, SYS_bpf, SYS_ptrace,
                 SYS_process_vm_readv, SYS_process_vm_writev, SYS_mount, SYS_umount2, SYS_fsopen, SYS_fsconfig,
                 SYS_fsmount, SYS_fspick, SYS_move_mount, SYS_open_tree, SYS_mount_setattr, SYS_pivot_root,
                 SYS_chroot, SYS_unshare, SYS_setns, SYS_kexec_load, SYS_kexec_file_load, SYS_init_module,
                 SYS_finit_module, SYS_delete_module, SYS_keyctl, SYS_add_key, SYS_request_key, SYS_userfaultfd,
                 SYS_perf_event_open, SYS_name_to_handle_at, SYS_open_by_handle_at, SYS_reboot, SYS_swapon,
                 SYS_swapoff, SYS_acct, SYS_quotactl, SYS_settimeofday, SYS_clock_settime, SYS_adjtimex,
                 SYS_syslog}) {
    const SyscallRow* row = FindSyscall(nr);
    REQUIRE(row != nullptr);
    CAPTURE(row->name);
    CHECK(row->rule == FilterRule::kErrno);
    CHECK(row->filter_errno != 0);
  }
  CHECK(FindSyscall(SYS_clone)->rule == FilterRule::kClone);
  CHECK(FindSyscall(SYS_ioctl)->rule == FilterRule::kIoctl);
  CHECK(FindSyscall(SYS_personality)->rule == FilterRule::kPersonality);
  CHECK(FindSyscall(SYS_seccomp)->rule == FilterRule::kSeccomp);
  CHECK(static_cast<bool>(FindSyscall(SYS_clone3)->handler));
}

TEST_CASE("syscall table: every path syscall is notified, none is allowed blindly") {
  for (int nr : {SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_stat, SYS_lstat, SYS_newfstatat, SYS_statx,
                 SYS_access, SYS_faccessat, SYS_faccessat2, SYS_readlink, SYS_readlinkat, SYS_execve, SYS_execveat,
                 SYS_mkdir, SYS_mkdirat, SYS_unlink, SYS_unlinkat, SYS_rmdir, SYS_rename, SYS_renameat,
                 SYS_renameat2, SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_chmod, SYS_fchmodat,
                 SYS_chown, SYS_lchown, SYS_fchownat, SYS_truncate, SYS_utimensat, SYS_utime, SYS_utimes,
                 SYS_futimesat, SYS_mknod, SYS_mknodat, SYS_chdir, SYS_getcwd, SYS_statfs, SYS_getxattr,
                 SYS_lgetxattr, SYS_setxattr, SYS_lsetxattr, SYS_listxattr, SYS_llistxattr, SYS_removexattr,
                 SYS_lremovexattr, SYS_connect, SYS_bind, SYS_fchmod, SYS_fchown, SYS_fsetxattr,
                 SYS_fremovexattr, SYS_kill, SYS_tkill, SYS_tgkill, SYS_pidfd_open}) {
    const SyscallRow* row = FindSyscall(nr);
    REQUIRE(row != nullptr);
    CAPTURE(row->name);
    CHECK(row->rule == FilterRule::kNotify);
  }
}

}  // namespace bvisor
