// fork/exec of the reaper and the command, and the listener hand-over.
//
// Ordering that cannot deadlock: the BPF program is built before fork; in the command process
// nothing that the filter notifies runs between seccomp(2) and sendmsg(2) (only sendmsg, close
// and getpid, all allowed in BPF). Its first notified syscall is execve, which simply waits in
// the listener's queue until bvisor has received the fd and starts polling.
#include "launcher.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "landlock.h"
#include "process_tree.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

namespace bvisor {
namespace {

// What the command process reports over the hand-over socket.
struct Handover {
  enum Stage : int32_t { kOk = 0, kNoNewPrivs, kSeccomp, kSend } stage;
  int32_t error;
  int32_t pid;
  int32_t landlocked;  // the Landlock grants apply (see landlock.h)
};

void WriteAll(int fd, const char* s) {
  size_t len = std::strlen(s);
  while (len > 0) {
    ssize_t n = write(fd, s, len);
    if (n <= 0) return;
    s += n;
    len -= static_cast<size_t>(n);
  }
}

[[noreturn]] void ReportAndExit(int sock, Handover::Stage stage, int err) {
  Handover h{stage, err, getpid(), 0};
  send(sock, &h, sizeof(h), MSG_NOSIGNAL);
  _exit(125);
}

int SendListener(int sock, int listener, bool landlocked) {
  Handover h{Handover::kOk, 0, getpid(), landlocked ? 1 : 0};
  iovec iov{&h, sizeof(h)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &listener, sizeof(int));
  return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? errno : 0;
}

// The command: runs in its own process group, dies with the reaper, cannot gain privileges.
[[noreturn]] void RunCommand(int handover, pid_t reaper, bool tty, char* const* argv, char* const* envp,
                             const sock_fprog* prog, const LaunchSpec& spec, const char* found) {
  setpgid(0, 0);
  if (spec.stdout_fd >= 0) dup2(spec.stdout_fd, STDOUT_FILENO);
  if (spec.stderr_fd >= 0) dup2(spec.stderr_fd, STDERR_FILENO);
  if (tty) tcsetpgrp(STDIN_FILENO, getpid());  // SIGTTOU is still blocked here
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != reaper) _exit(125);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // No privileges to gain from here on; Landlock and seccomp both require it.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ReportAndExit(handover, Handover::kNoNewPrivs, errno);
  // Failing only costs the fast path (landlock.h).
  const bool landlocked = spec.landlock_fd >= 0 && RestrictSelf(spec.landlock_fd);
  // Only stdio and the hand-over socket survive into the sandbox.
  if (handover > 3) syscall(SYS_close_range, 3, handover - 1, 0);
  syscall(SYS_close_range, handover + 1, ~0U, 0);

  for (const auto& [resource, value] : spec.rlimits) {
    rlimit current{};
    getrlimit(resource, &current);
    rlim_t v = value < current.rlim_max ? value : current.rlim_max;  // never above what we may set
    // CPU: the soft limit sends SIGXCPU (so the report can name the limit), the hard one kills.
    rlim_t hard = resource == RLIMIT_CPU && v < current.rlim_max ? v + 1 : v;
    rlimit wanted{v, hard};
    setrlimit(resource, &wanted);
  }
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);

  unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
  if (listener < 0 && errno == EINVAL) {  // kernels before 5.19
    listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
  }
  if (listener < 0) ReportAndExit(handover, Handover::kSeccomp, errno);
  // From here on, only syscalls the filter allows until execve.
  if (int err = SendListener(handover, static_cast<int>(listener), landlocked); err != 0) _exit(125);
  close(static_cast<int>(listener));
  close(handover);

  // The PATH search was done before fork (one execve to notify instead of one per PATH entry);
  // execvpe stays the fallback, with its ENOEXEC and error semantics.
  if (found != nullptr) execve(found, argv, envp);
  execvpe(argv[0], argv, envp);
  int err = errno;
  WriteAll(STDERR_FILENO, "bvisor: cannot run '");
  WriteAll(STDERR_FILENO, argv[0]);
  WriteAll(STDERR_FILENO, "': ");
  WriteAll(STDERR_FILENO, strerror(err));
  WriteAll(STDERR_FILENO, "\n");
  _exit(err == ENOENT ? 127 : 126);
}

void SendToParent(int control, const ReaperMessage& m) { send(control, &m, sizeof(m), MSG_NOSIGNAL); }

// The reaper: reaps everything below it, reports the command's exit, and kills whatever is
// left when the command ends, when bvisor asks, or when bvisor dies (the socket closes).
[[noreturn]] void RunReaper(int control, int handover, bool tty, char* const* argv, char* const* envp,
                            const sock_fprog* prog, const LaunchSpec& spec, const char* found) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  const pid_t self = getpid();
  // The command shares the reaper's memory until its execve (like posix_spawn): no page tables
  // to copy. The reaper waits meanwhile; the command runs nothing but syscalls before execve.
  struct Start {
    int control, handover;
    pid_t reaper;
    bool tty;
    char* const* argv;
    char* const* envp;
    const sock_fprog* prog;
    const LaunchSpec* spec;
    const char* found;
  } start{control, handover, self, tty, argv, envp, prog, &spec, found};
  auto command = [](void* arg) -> int {
    const Start& s = *static_cast<const Start*>(arg);
    close(s.control);
    RunCommand(s.handover, s.reaper, s.tty, s.argv, s.envp, s.prog, *s.spec, s.found);
  };
  constexpr size_t kStackSize = 256 * 1024;  // also room for the exec redirect's string
  void* stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) _exit(125);
  pid_t root = clone(command, static_cast<char*>(stack) + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  if (root < 0) _exit(125);
  munmap(stack, kStackSize);
  close(handover);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC);  // SIGCHLD is blocked since before fork

  int root_status = -1;
  auto finish = [&]() {
    int killed = KillAndReapDescendants(root, &root_status);
    if (root_status != -1) SendToParent(control, {ReaperMessage::kRootExited, root_status, 0});
    SendToParent(control, {ReaperMessage::kAllGone, 0, killed});
    _exit(0);
  };
  for (;;) {
    pollfd fds[2] = {{control, POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      finish();
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (read(sigfd, &info, sizeof(info)) < 0 && errno == EINTR) {
      }
      int status = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &status, __WALL | WNOHANG | WUNTRACED)) > 0) {
        if (pid != root) continue;
        if (WIFSTOPPED(status)) {
          // Job control: bvisor stops too, so the user's shell sees the job stop (Ctrl-Z).
          SendToParent(control, {ReaperMessage::kRootStopped, status, 0});
          continue;
        }
        root_status = status;
        finish();
      }
    }
    if (fds[0].revents != 0) finish();  // a command or EOF: either way, end the sandbox
  }
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string StageMessage(const Handover& h) {
  std::string err = std::strerror(h.error);
  switch (h.stage) {
    case Handover::kOk: return "";
    case Handover::kNoNewPrivs: return "prctl(PR_SET_NO_NEW_PRIVS) failed: " + err;
    case Handover::kSend: return "sending the seccomp listener failed: " + err;
    case Handover::kSeccomp:
      if (h.error == EBUSY) {
        return "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) failed: " + err +
               ": another seccomp supervisor already holds this process tree's listener; bvisor cannot "
               "run nested inside syd, another bvisor, or a container runtime that intercepts syscalls";
      }
      return "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) failed: " + err +
             ": seccomp user notification unavailable (kernel older than 5.14, seccomp disabled, or a "
             "container profile that forbids seccomp(2))";
  }
  return err;
}

}  // namespace

// The first executable regular file named argv0 in the command's PATH, like execvp; "" when
// argv0 contains a slash or nothing matches (execvpe in the child then decides).
std::string SearchPath(const std::string& argv0, const std::vector<std::string>& env) {
  if (argv0.empty() || argv0.find('/') != std::string::npos) return "";
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + argv0;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

Sandboxed Launch(const LaunchSpec& spec) {
  std::vector<char*> argv = CStrings(spec.argv);
  const std::string found = SearchPath(spec.argv.empty() ? "" : spec.argv[0], spec.env);
  std::vector<char*> envp = CStrings(spec.env);
  sock_fprog prog{static_cast<unsigned short>(spec.filter->size()), const_cast<sock_filter*>(spec.filter->data())};

  int control[2], handover[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0 ||
      socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, handover) != 0) {
    throw LaunchError(std::string("socketpair failed: ") + std::strerror(errno));
  }
  UniqueFd control_parent(control[0]), control_child(control[1]);
  UniqueFd handover_parent(handover[0]), handover_child(handover[1]);

  Sandboxed out;
  out.foreground_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    throw LaunchError(std::string("prctl(PR_SET_CHILD_SUBREAPER) failed: ") + std::strerror(errno));
  }
  out.reaper = fork();
  if (out.reaper < 0) throw LaunchError(std::string("fork failed: ") + std::strerror(errno));
  if (out.reaper == 0) {
    control_parent.Reset();
    handover_parent.Reset();
    RunReaper(control_child.Get(), handover_child.Get(), out.foreground_tty, argv.data(), envp.data(), &prog, spec,
              found.empty() ? nullptr : found.c_str());
  }
  control_child.Reset();
  handover_child.Reset();
  out.control = std::move(control_parent);

  Handover h{};
  iovec iov{&h, sizeof(h)};
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  ssize_t n;
  do {
    n = recvmsg(handover_parent.Get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(h))) {
    throw LaunchError("the sandbox's first process died before installing its seccomp filter");
  }
  out.root = h.pid;
  out.landlocked = h.landlocked != 0;
  if (h.stage != Handover::kOk) throw LaunchError(StageMessage(h));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (c == nullptr || c->cmsg_type != SCM_RIGHTS) throw LaunchError("the seccomp listener fd did not arrive");
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  out.listener.Reset(fd);
  return out;
}

}  // namespace bvisor
