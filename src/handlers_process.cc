// Signals, pidfds and socket addresses. Without a pid namespace, bvisor itself keeps the
// sandbox from reaching outside processes: every target must descend from the reaper, and is
// pinned by a pidfd before it is signalled so a recycled pid is never hit.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <netinet/in.h>
#include <poll.h>
#include <time.h>
#include <sys/resource.h>

#include "handlers.h"
#include "network.h"
#include "process_tree.h"
#include "sandbox.h"
#include "tracee_memory.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace bvisor {
namespace {

int Arg(const seccomp_notif& n, int i) { return static_cast<int>(n.data.args[i]); }


// Opens a pidfd for `pid` (a thread with `thread`) that is a sandbox member, or -errno.
int MemberPidfd(Sandbox& sb, pid_t pid, bool thread) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, thread ? PIDFD_THREAD : 0));
  if (fd < 0) return -errno;
  UniqueFd guard(fd);
  // Checked after pinning: if `pid` was recycled before the pidfd existed, the newcomer is
  // what we check (and refuse unless it is a member too).
  if (!IsDescendant(pid, sb.ancestor)) return -ESRCH;
  return guard.Release();
}

int SendVia(int pidfd, int sig, siginfo_t* info) {
  return syscall(SYS_pidfd_send_signal, pidfd, sig, info, 0) == 0 ? 0 : errno;
}

Reply SignalGroup(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, pid_t pgid, bool all, int sig) {
  pid_t self = TgidOf(static_cast<pid_t>(n.pid));
  int sent = 0, last_error = ESRCH;
  for (pid_t pid : Descendants(sb.ancestor)) {
    if (all ? pid == self : ProcessGroupOf(pid) != pgid) continue;
    int fd = MemberPidfd(sb, pid, false);
    if (fd < 0) continue;
    UniqueFd pidfd(fd);
    int err = SendVia(pidfd.Get(), sig, nullptr);
    if (err == 0) ++sent;
    else last_error = err;
  }
  if (sent == 0 && all) return sb.Deny(n, row, "", ESRCH, "kill(-1) reaches the sandbox only");
  return sent > 0 ? Reply::Value(0) : Reply::Error(last_error);
}

std::string SocketInode(const seccomp_notif& n, int fd, ino_t* ino) {
  char link[64], target[128];
  std::snprintf(link, sizeof(link), "/proc/%u/fd/%d", n.pid, fd);
  ssize_t len = readlink(link, target, sizeof(target) - 1);
  if (len <= 0) return {};
  target[len] = '\0';
  unsigned long value = 0;
  if (std::sscanf(target, "socket:[%lu]", &value) != 1) return {};
  *ino = static_cast<ino_t>(value);
  return target;
}

// A sockaddr_un naming `real`; paths longer than sun_path go through /proc/self/fd.
struct UnixAddress {
  sockaddr_un addr{};
  socklen_t len = 0;
  UniqueFd keep;  // the O_PATH fd the /proc path refers to
};

bool MakeUnixAddress(const std::string& real, bool for_bind, UnixAddress& out) {
  out.addr.sun_family = AF_UNIX;
  std::string path = real;
  if (path.size() >= sizeof(out.addr.sun_path)) {
    // bind names the directory and the new entry; connect names the socket itself.
    std::string anchor = for_bind ? real.substr(0, real.rfind('/')) : real;
    out.keep.Reset(open(anchor.c_str(), O_PATH | O_CLOEXEC));
    if (!out.keep) return false;
    path = "/proc/self/fd/" + std::to_string(out.keep.Get());
    if (for_bind) path += real.substr(real.rfind('/'));
    if (path.size() >= sizeof(out.addr.sun_path)) return false;
  }
  std::memcpy(out.addr.sun_path, path.c_str(), path.size() + 1);
  out.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

// connect/bind of an IP socket on the supervisor's own reference, after the network policy.
Reply IpConnect(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row, int ours, sockaddr_storage& addr,
                socklen_t len) {
  const bool bind_call = row.nr == SYS_bind;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  int port = 0;
  std::string where = AddressString(sa, len, &port);
  const char* op = bind_call ? "bind" : "connect";
  if (bind_call) {
    if (sb.network.Mode() != NetworkMode::kHost && !IsLoopback(sa, len)) {
      // A server asking for every interface gets loopback only; other addresses are refused.
      bool any = false;
      if (addr.ss_family == AF_INET) {
        auto* in = reinterpret_cast<sockaddr_in*>(&addr);
        any = in->sin_addr.s_addr == htonl(INADDR_ANY);
        if (any) in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
        any = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
        if (any) in6->sin6_addr = in6addr_loopback;
      }
      if (!any) {
        sb.report.AddNetwork(where, port, op, false);
        return sb.Deny(n, row, where + ":" + std::to_string(port), EADDRNOTAVAIL, "binds only on loopback");
      }
    }
    sb.report.AddNetwork(where, port, op, true);
    if (!sb.StillValid(n)) return Reply::Handled();
    return bind(ours, sa, len) == 0 ? Reply::Value(0) : Reply::Error(errno);
  }
  bool allowed = sb.network.AllowsConnect(sa, len);
  sb.report.AddNetwork(where, port, op, allowed);
  if (!allowed) return sb.Deny(n, row, where + ":" + std::to_string(port), EACCES, "network policy");
  if (!sb.StillValid(n)) return Reply::Handled();
  // The supervisor connects on the shared file description without blocking its loop for
  // long: a blocking caller waits here for the handshake (bounded), a non-blocking one does not.
  int fl = fcntl(ours, F_GETFL);
  fcntl(ours, F_SETFL, fl | O_NONBLOCK);
  int rc = connect(ours, sa, len);
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS && (fl & O_NONBLOCK) == 0) {
    pollfd p{ours, POLLOUT, 0};
    if (poll(&p, 1, 10000) == 1) {
      socklen_t sl = sizeof(err);
      getsockopt(ours, SOL_SOCKET, SO_ERROR, &err, &sl);
    } else {
      err = ETIMEDOUT;
    }
  }
  fcntl(ours, F_SETFL, fl);
  return err == 0 ? Reply::Value(0) : Reply::Error(err);
}

constexpr uint64_t kRescanEvery = 32;
constexpr uint64_t kForkSettleNs = 20 * 1000 * 1000;

}  // namespace

Reply HandleFork(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const std::optional<uint64_t>& limit = sb.policy.limits.processes;
  if (!limit) return Reply::Continue();  // TOCTOU: only reached when counting; register-only
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t now_ns = static_cast<uint64_t>(now.tv_sec) * 1000000000ULL + static_cast<uint64_t>(now.tv_nsec);
  if (sb.process_estimate >= *limit || ++sb.forks_since_scan >= kRescanEvery) {
    size_t live = Descendants(sb.ancestor).size();
    sb.report.peak_processes = std::max<int>(sb.report.peak_processes, static_cast<int>(live));
    // Forks let through in the last moments may not have produced their child yet.
    while (!sb.recent_forks_ns.empty() && now_ns - sb.recent_forks_ns.front() > kForkSettleNs) {
      sb.recent_forks_ns.pop_front();
    }
    sb.process_estimate = live + sb.recent_forks_ns.size();
    sb.forks_since_scan = 0;
  }
  if (sb.process_estimate >= *limit) {
    sb.report.limit = "processes";
    return sb.Deny(n, row, "", EAGAIN, "limits.processes reached");
  }
  ++sb.process_estimate;
  sb.recent_forks_ns.push_back(now_ns);
  if (sb.recent_forks_ns.size() > *limit) sb.recent_forks_ns.pop_front();
  // TOCTOU: clone's flags are registers (checked in BPF); nothing was read from memory.
  return Reply::Continue();
}

Reply HandleSetrlimit(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  const bool is_prlimit = row.nr == SYS_prlimit64;
  pid_t target = is_prlimit ? Arg(n, 0) : 0;
  if (target != 0 && target != TgidOf(tid)) return sb.Deny(n, row, "", EPERM, "limits of another process");
  int resource = Arg(n, is_prlimit ? 1 : 0);
  uint64_t new_addr = n.data.args[is_prlimit ? 2 : 1];
  uint64_t old_addr = is_prlimit ? n.data.args[3] : 0;
  rlimit wanted{};
  if (new_addr != 0) {
    if (int err = ReadTraceeMemory(tid, new_addr, &wanted, sizeof(wanted)); err != 0) return Reply::Error(err);
    const Limits& l = sb.policy.limits;
    std::optional<uint64_t> cap;
    switch (resource) {
      case RLIMIT_CPU: cap = l.cpu_seconds ? std::optional<uint64_t>(*l.cpu_seconds + 1) : std::nullopt; break;
      case RLIMIT_AS: cap = l.memory_bytes; break;
      case RLIMIT_FSIZE: cap = l.file_size_bytes; break;
      case RLIMIT_NOFILE: cap = l.open_files; break;
      case RLIMIT_CORE: cap = 0; break;
      default: break;
    }
    if (cap && (wanted.rlim_cur > *cap || wanted.rlim_max > *cap)) {
      return sb.Deny(n, row, "", EPERM, "raising a limit above the policy");
    }
  }
  rlimit old{};
  // Performed with our copy of the new value, on the caller's own process.
  if (prlimit(TgidOf(tid), static_cast<__rlimit_resource>(resource), new_addr != 0 ? &wanted : nullptr, &old) != 0) {
    return Reply::Error(errno);
  }
  if (old_addr != 0) {
    if (int err = WriteTraceeMemory(tid, old_addr, &old, sizeof(old)); err != 0) return Reply::Error(err);
  }
  return Reply::Value(0);
}

Reply HandleFcntl(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  // Only F_SETOWN reaches here (BPF): the owner receives SIGIO/SIGURG, or any signal chosen
  // with F_SETSIG, so it must be the caller's own process (0 clears the owner).
  pid_t owner = Arg(n, 2);
  pid_t self = TgidOf(static_cast<pid_t>(n.pid));
  if (owner == 0 || owner == self || owner == static_cast<pid_t>(n.pid)) {
    // TOCTOU: decided on registers alone (the owner pid is a register); the caller itself
    // cannot die while it waits here.
    return Reply::Continue();
  }
  return sb.Deny(n, row, "", EPERM, "F_SETOWN names another process");
}

Reply HandleKill(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const pid_t caller = static_cast<pid_t>(n.pid);
  const pid_t self = TgidOf(caller);
  pid_t target = Arg(n, 0);
  pid_t thread = 0;
  int sig = Arg(n, 1);
  if (row.nr == SYS_tkill) {
    thread = target;
    target = TgidOf(thread);
  } else if (row.nr == SYS_tgkill || row.nr == SYS_rt_tgsigqueueinfo) {
    thread = Arg(n, 1);
    sig = Arg(n, 2);
  }
  if (sig < 0 || sig > SIGRTMAX) return Reply::Error(EINVAL);
  if (target == self && target > 0) {
    // TOCTOU: decided on registers alone; the caller cannot die (and its pid cannot be reused)
    // while it waits for this answer.
    return Reply::Continue();
  }
  if (row.nr == SYS_kill) {
    if (target == -1) return SignalGroup(sb, n, row, 0, true, sig);
    if (target <= 0) return SignalGroup(sb, n, row, target == 0 ? ProcessGroupOf(self) : -target, false, sig);
  }
  if (target <= 0) return Reply::Error(EINVAL);
  int fd = MemberPidfd(sb, thread != 0 ? thread : target, thread != 0);
  if (fd < 0) {
    if (fd == -ESRCH && ParentOf(target) > 0) return sb.Deny(n, row, "", ESRCH, "signal to a process outside the sandbox");
    return Reply::Error(-fd);
  }
  UniqueFd pidfd(fd);
  siginfo_t info{};
  siginfo_t* infop = nullptr;
  if (row.nr == SYS_rt_sigqueueinfo || row.nr == SYS_rt_tgsigqueueinfo) {
    int arg = row.nr == SYS_rt_sigqueueinfo ? 2 : 3;
    if (int err = ReadTraceeMemory(caller, n.data.args[arg], &info, sizeof(info)); err != 0) return Reply::Error(err);
    if (info.si_code >= 0) return Reply::Error(EPERM);  // as the kernel does for other processes
    infop = &info;
  }
  if (int err = SendVia(pidfd.Get(), sig, infop); err != 0) return Reply::Error(err);
  return Reply::Value(0);
}

Reply HandlePidfdOpen(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  pid_t pid = Arg(n, 0);
  unsigned flags = static_cast<unsigned>(n.data.args[1]);
  if (pid <= 0) return Reply::Error(EINVAL);
  if (pid != TgidOf(static_cast<pid_t>(n.pid))) {
    int fd = MemberPidfd(sb, pid, (flags & PIDFD_THREAD) != 0);
    if (fd < 0) {
      if (fd == -ESRCH && ParentOf(pid) > 0) return sb.Deny(n, row, "", ESRCH, "pidfd of a process outside the sandbox");
      return Reply::Error(-fd);
    }
    close(fd);
  }
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, flags & ~static_cast<unsigned>(O_CLOEXEC)));
  if (fd < 0) return Reply::Error(errno);
  return Reply::InjectFd(UniqueFd(fd), true);  // pidfds are always close-on-exec
}

Reply HandleSocket(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  int domain = Arg(n, 0), type = Arg(n, 1), protocol = Arg(n, 2);
  if (domain == AF_INET || domain == AF_INET6) {
    int kind = type & 0xf;
    // Datagrams can name any destination in sendmsg(2), which bvisor does not see: outside
    // network mode host only TCP exists.
    if (kind != SOCK_STREAM && sb.network.Mode() != NetworkMode::kHost) {
      return sb.Deny(n, row, "", EACCES, "only TCP sockets unless the network mode is host");
    }
  }
  UniqueFd fd(socket(domain, type | SOCK_CLOEXEC, protocol));
  if (!fd) return Reply::Error(errno);
  struct stat st {};
  fstat(fd.Get(), &st);
  if (sb.sockets.size() >= 4096) sb.sockets.erase(sb.sockets.begin());  // bounded: see LIMITATIONS
  UniqueFd ours(fcntl(fd.Get(), F_DUPFD_CLOEXEC, 0));
  sb.sockets[st.st_ino] = std::move(ours);
  return Reply::InjectFd(std::move(fd), (type & SOCK_CLOEXEC) != 0);
}

Reply HandleConnect(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  const bool bind_call = row.nr == SYS_bind;
  ino_t ino = 0;
  if (SocketInode(n, Arg(n, 0), &ino).empty()) return Reply::Error(ENOTSOCK);
  socklen_t len = static_cast<socklen_t>(n.data.args[2]);
  if (len > sizeof(sockaddr_storage)) return Reply::Error(EINVAL);
  sockaddr_storage addr{};
  if (int err = ReadTraceeMemory(static_cast<pid_t>(n.pid), n.data.args[1], &addr, len); err != 0) {
    return Reply::Error(err);
  }
  if (len < sizeof(sa_family_t)) return Reply::Error(EINVAL);
  auto it = sb.sockets.find(ino);
  if (it == sb.sockets.end()) return sb.Deny(n, row, "", EACCES, "socket not created through bvisor");
  const int ours = it->second.Get();
  if (addr.ss_family == AF_INET || addr.ss_family == AF_INET6) return IpConnect(sb, n, row, ours, addr, len);
  if (addr.ss_family != AF_UNIX) return sb.Deny(n, row, "", EAFNOSUPPORT, "address family not supported");
  auto* un = reinterpret_cast<sockaddr_un*>(&addr);
  size_t path_len = len - offsetof(sockaddr_un, sun_path);
  if (len == sizeof(sa_family_t)) {  // unnamed: autobind
    return (bind_call ? bind(ours, reinterpret_cast<sockaddr*>(&addr), len) : -1) == 0 ? Reply::Value(0)
                                                                                        : Reply::Error(EINVAL);
  }
  if (un->sun_path[0] == '\0') {
    return sb.Deny(n, row, "@" + std::string(un->sun_path + 1, path_len - 1), EACCES,
                   "abstract unix sockets are shared with the host");
  }
  std::string path(un->sun_path, strnlen(un->sun_path, path_len));
  sb.vfs.ClearLastDenied();
  ErrnoOr<Node> node = sb.ResolveAt(n, -1, path, !bind_call);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), path);
  if (!sb.StillValid(n)) return Reply::Handled();
  UnixAddress target;
  if (bind_call) {
    if (node->Exists()) return Reply::Error(EADDRINUSE);
    ErrnoOr<std::string> real = sb.vfs.CreationTarget(*node);
    if (!real.Ok()) return sb.Fail(n, row, real.Error(), node->vpath);
    if (!MakeUnixAddress(*real, true, target)) return Reply::Error(ENAMETOOLONG);
    // bind(2) makes the socket file with the caller's umask (the loop is single-threaded).
    const mode_t supervisor_umask = umask(UmaskOf(static_cast<pid_t>(n.pid)));
    const int rc = bind(ours, reinterpret_cast<sockaddr*>(&target.addr), target.len);
    const int err = errno;
    umask(supervisor_umask);
    if (rc != 0) return Reply::Error(err);
    sb.vfs.Created(*node, false);
    return Reply::Value(0);
  }
  if (!node->Exists()) return sb.Fail(n, row, ENOENT, path);
  if (!S_ISSOCK(node->st.st_mode)) return Reply::Error(ECONNREFUSED);
  if (node->layer == Layer::kHost && node->mode != PathMode::kRw) {
    // Host daemons (docker, D-Bus, systemd, agents) are reachable only through an rw rule.
    return sb.Deny(n, row, node->vpath, EACCES, "host unix socket outside an rw rule");
  }
  if (!MakeUnixAddress(node->real, false, target)) return Reply::Error(ENAMETOOLONG);
  // The supervisor must not block: connect non-blocking on the shared file description.
  int fl = fcntl(ours, F_GETFL);
  fcntl(ours, F_SETFL, fl | O_NONBLOCK);
  int rc = connect(ours, reinterpret_cast<sockaddr*>(&target.addr), target.len);
  int err = errno;
  fcntl(ours, F_SETFL, fl);
  return rc == 0 ? Reply::Value(0) : Reply::Error(err);
}

Reply HandleSendto(Sandbox& sb, const seccomp_notif& n, const SyscallRow& row) {
  ino_t ino = 0;
  if (SocketInode(n, Arg(n, 0), &ino).empty()) return Reply::Error(ENOTSOCK);
  auto it = sb.sockets.find(ino);
  if (it == sb.sockets.end()) return sb.Deny(n, row, "", EACCES, "socket not created through bvisor");
  socklen_t len = static_cast<socklen_t>(n.data.args[5]);
  if (len > sizeof(sockaddr_storage) || len < sizeof(sa_family_t)) return Reply::Error(EINVAL);
  sockaddr_storage addr{};
  const pid_t tid = static_cast<pid_t>(n.pid);
  if (int err = ReadTraceeMemory(tid, n.data.args[4], &addr, len); err != 0) return Reply::Error(err);
  if (addr.ss_family == AF_INET || addr.ss_family == AF_INET6) {
    int port = 0;
    std::string where = AddressString(reinterpret_cast<sockaddr*>(&addr), len, &port);
    bool allowed = sb.network.AllowsConnect(reinterpret_cast<sockaddr*>(&addr), len);
    sb.report.AddNetwork(where, port, "sendto", allowed);
    if (!allowed) return sb.Deny(n, row, where + ":" + std::to_string(port), EACCES, "network policy");
    size_t size = std::min<size_t>(n.data.args[2], 1 << 20);
    std::string data(size, '\0');
    if (int err = ReadTraceeMemory(tid, n.data.args[1], data.data(), size); err != 0) return Reply::Error(err);
    ssize_t sent = sendto(it->second.Get(), data.data(), size, Arg(n, 3) | MSG_DONTWAIT | MSG_NOSIGNAL,
                          reinterpret_cast<sockaddr*>(&addr), len);
    return sent >= 0 ? Reply::Value(sent) : Reply::Error(errno);
  }
  if (addr.ss_family != AF_UNIX) return sb.Deny(n, row, "", EAFNOSUPPORT, "address family not supported");
  auto* un = reinterpret_cast<sockaddr_un*>(&addr);
  size_t path_len = len - offsetof(sockaddr_un, sun_path);
  if (path_len == 0 || un->sun_path[0] == '\0') return sb.Deny(n, row, "", EACCES, "abstract unix sockets are shared with the host");
  std::string path(un->sun_path, strnlen(un->sun_path, path_len));
  sb.vfs.ClearLastDenied();
  ErrnoOr<Node> node = sb.ResolveAt(n, -1, path, true);
  if (!node.Ok()) return sb.Fail(n, row, node.Error(), path);
  if (!node->Exists()) return Reply::Error(ENOENT);
  if (node->layer == Layer::kHost && node->mode != PathMode::kRw) {
    return sb.Deny(n, row, node->vpath, EACCES, "host unix socket outside an rw rule");
  }
  size_t size = std::min<size_t>(n.data.args[2], 1 << 20);
  std::string data(size, '\0');
  if (int err = ReadTraceeMemory(tid, n.data.args[1], data.data(), size); err != 0) return Reply::Error(err);
  if (!sb.StillValid(n)) return Reply::Handled();
  UnixAddress target;
  if (!MakeUnixAddress(node->real, false, target)) return Reply::Error(ENAMETOOLONG);
  ssize_t sent = sendto(it->second.Get(), data.data(), size, Arg(n, 3) | MSG_DONTWAIT | MSG_NOSIGNAL,
                        reinterpret_cast<sockaddr*>(&target.addr), target.len);
  return sent >= 0 ? Reply::Value(sent) : Reply::Error(errno);
}

}  // namespace bvisor
