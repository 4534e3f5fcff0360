// The supervisor loop.
#include "supervisor.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "environment.h"
#include "filter.h"
#include "handlers.h"
#include "landlock.h"
#include "launcher.h"
#include "network.h"
#include "notifier.h"
#include "overlay_changes.h"
#include "process_tree.h"
#include "reply.h"
#include "report.h"
#include "sandbox.h"
#include "syscall_table.h"
#include "vfs.h"

extern char** environ;

namespace bvisor {
namespace {

constexpr int kExitTimeout = 124;
constexpr int kExitInternal = 125;
constexpr int kExitUsage = 2;

// Answers one notification. Every path that does not reply leaves the tracee blocked, so each
// Reply kind maps to exactly one response.
void Answer(Sandbox& sb, const seccomp_notif& n, const SyscallRow* row, Reply reply) {
  int err = 0;
  switch (reply.kind) {
    case Reply::Kind::kValue: err = sb.notifier.RespondValue(n.id, reply.value); break;
    case Reply::Kind::kError: err = sb.notifier.RespondError(n.id, reply.error); break;
    case Reply::Kind::kContinue: err = sb.notifier.RespondContinue(n.id); break;
    case Reply::Kind::kInjectFd: {
      int fd = sb.notifier.AddFd(n.id, reply.fd.Get(), reply.cloexec, true);
      if (fd < 0) {
        err = -fd;
        // EMFILE and friends belong to the tracee; ENOENT means it is gone.
        if (err != ENOENT) err = sb.notifier.RespondError(n.id, err);
      }
      break;
    }
    case Reply::Kind::kHandled: break;
  }
  if (err != 0 && err != ENOENT) spdlog::debug("answering {} failed: {}", row ? row->name : "?", std::strerror(err));
}

void Dispatch(Sandbox& sb, const seccomp_notif& n) {
  const int nr = n.data.nr;
  const SyscallRow* row = n.data.arch == AUDIT_ARCH_X86_64 ? FindSyscall(nr) : nullptr;
  uint64_t denials_before = sb.report.DenialsTotal();
  if (row == nullptr || row->handler == nullptr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    sb.report.CountBlocked(name != nullptr ? name : "syscall_" + std::to_string(nr));
    std::free(name);
    Answer(sb, n, row, Reply::Error(ENOSYS));
    return;
  }
  Reply reply = row->handler(sb, n, *row);
  if (row->writes) sb.vfs.ForgetLookups();  // rw and tmp areas change without Vfs::Changed
  sb.report.CountSyscall(nr, row->name, sb.report.DenialsTotal() == denials_before);
  Answer(sb, n, row, std::move(reply));
}

void BlockSignals(sigset_t& set) {
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTTOU, SIGTTIN}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

double Ms(const timeval& tv) { return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0; }


// The command stopped (Ctrl-Z, SIGSTOP): stop bvisor as well so that the calling shell sees the
// job stop, and on SIGCONT (fg, bg) hand the terminal back and continue the command's group.
void StopWithCommand(const Sandboxed& sandboxed) {
  if (sandboxed.foreground_tty) tcsetpgrp(STDIN_FILENO, getpgrp());
  kill(getpid(), SIGTSTP);  // returns once the shell continues us
  if (sandboxed.foreground_tty && tcgetpgrp(STDIN_FILENO) == getpgrp()) tcsetpgrp(STDIN_FILENO, sandboxed.root);
  kill(-sandboxed.root, SIGCONT);
}

// A keep directory ending in '/' collects one overlay per run: a new subdirectory named by
// the time and pid (the agent preset keeps every tool call's changes apart this way).
std::string FreshRunDirectory(const std::string& parent) {
  std::string path;
  for (size_t i = 0; i < parent.size(); ++i) {
    path += parent[i];
    if (parent[i] == '/' && i > 0) mkdir(path.c_str(), 0755);
  }
  char stamp[32];
  std::time_t t = std::time(nullptr);
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::localtime(&t));
  return parent + stamp + "-" + std::to_string(getpid());
}

// Names from network.allow, resolved at start, are added to the sandbox's /etc/hosts (in the
// overlay) so that the command reaches the addresses the policy allows without DNS.
void AddHosts(Vfs& vfs, const std::vector<std::string>& lines) {
  Node hosts = vfs.Lookup(Caller{getpid()}, "/etc/hosts");
  if (hosts.mode != PathMode::kCow || !hosts.Exists()) {
    spdlog::warn("network.allow names are not added to /etc/hosts (it is not in a cow area)");
    return;
  }
  ErrnoOr<Node> w = vfs.Writable(hosts);
  if (!w.Ok()) return;
  std::ofstream out(w->real, std::ios::app);
  out << "# added by bvisor for network.allow\n";
  for (const std::string& line : lines) out << line << "\n";
}

}  // namespace

int RunSandbox(const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Report report;
  report.command = options.argv;
  report.policy_name = options.policy.name;
  report.list_files = options.policy.report_files;

  sigset_t blocked;
  BlockSignals(blocked);

  const Policy& policy = options.policy;
  std::vector<sock_filter> filter;
  std::optional<OverlayStore> store;
  std::vector<std::string> hosts_lines;
  NetworkRules network;
  try {
    network = NetworkRules::Build(policy.network, &hosts_lines);
    FilterOptions fo;
    fo.network_ip = policy.network.mode != NetworkMode::kNone;
    fo.network_host = policy.network.mode == NetworkMode::kHost;
    fo.count_processes = policy.limits.processes.has_value();
    const Limits& lim = policy.limits;
    fo.guard_rlimits = lim.cpu_seconds || lim.memory_bytes || lim.file_size_bytes || lim.open_files;
    filter = BuildFilter(fo);
    std::string keep = options.keep_dir.value_or(policy.keep_overlay.value_or(""));
    if (!keep.empty() && keep.back() == '/') keep = FreshRunDirectory(keep);
    store.emplace(keep, !keep.empty());
  } catch (const std::invalid_argument& e) {
    std::cerr << "bvisor: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "bvisor: " << e.what() << "\n";
    return kExitInternal;
  }
  std::vector<std::string> host_env;
  for (char** e = environ; *e != nullptr; ++e) host_env.emplace_back(*e);
  FilteredEnvironment env = FilterEnvironment(policy.env, host_env);
  report.env_removed = env.removed;

  LaunchSpec spec{options.argv, env.env, &filter, {}, -1, -1};
  UniqueFd out_file, err_file;
  for (auto [path, fd, slot] : {std::tuple{&options.stdout_file, &out_file, &spec.stdout_fd},
                                std::tuple{&options.stderr_file, &err_file, &spec.stderr_fd}}) {
    if (!*path) continue;
    fd->Reset(open((*path)->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!*fd) {
      std::cerr << "bvisor: cannot open " << **path << ": " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    *slot = fd->Get();
  }
  const Limits& l = policy.limits;
  if (l.cpu_seconds) spec.rlimits.emplace_back(RLIMIT_CPU, *l.cpu_seconds);
  if (l.memory_bytes) spec.rlimits.emplace_back(RLIMIT_AS, *l.memory_bytes);
  if (l.file_size_bytes) spec.rlimits.emplace_back(RLIMIT_FSIZE, *l.file_size_bytes);
  if (l.open_files) spec.rlimits.emplace_back(RLIMIT_NOFILE, *l.open_files);
  double timeout = options.timeout_seconds > 0 ? options.timeout_seconds : l.timeout_seconds.value_or(0);

  LandlockGrants grants =
      LandlockGrants::Available() ? LandlockGrants::Compute(policy, store->Root()) : LandlockGrants{};
  UniqueFd ruleset = grants.MakeRuleset();
  spec.landlock_fd = ruleset.Get();

  Sandboxed sandboxed;
  try {
    sandboxed = Launch(spec);
  } catch (const LaunchError& e) {
    std::cerr << "bvisor: " << e.what() << "\n";
    return kExitInternal;
  }
  // Files are created for the tracee with its own umask, applied by the handlers.
  const mode_t user_umask = umask(0);

  Notifier notifier(std::move(sandboxed.listener));
  Vfs vfs(options.policy, *store, sandboxed.reaper);
  Sandbox sb(notifier, vfs, report, options.policy, sandboxed.reaper, sandboxed.root);
  sb.network = std::move(network);
  ruleset.Reset();
  if (sandboxed.landlocked) sb.grants = &grants;
  spdlog::debug("plain opens of host files: {}", sandboxed.landlocked ? "continued under Landlock" : "injected");
  if (!hosts_lines.empty()) AddHosts(vfs, hosts_lines);

  UniqueFd sigfd(signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK));
  UniqueFd timer;
  if (timeout > 0) {
    timer.Reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    itimerspec when{};
    double whole = std::floor(timeout);
    when.it_value.tv_sec = static_cast<time_t>(whole);
    when.it_value.tv_nsec = static_cast<long>((timeout - whole) * 1e9);
    timerfd_settime(timer.Get(), 0, &when, nullptr);
  }

  int root_status = -1;
  bool all_gone = false, timed_out = false, notify_open = true;
  auto kill_all = [&]() {
    char c = static_cast<char>(ReaperCommand::kKillAll);
    send(sandboxed.control.Get(), &c, 1, MSG_NOSIGNAL);
  };

  while (!all_gone) {
    while (!sb.deferred.empty()) {
      seccomp_notif n = sb.deferred.front();
      sb.deferred.pop_front();
      Dispatch(sb, n);
    }
    pollfd fds[4] = {{notify_open ? notifier.Fd() : -1, POLLIN, 0},
                     {sigfd.Get(), POLLIN, 0},
                     {sandboxed.control.Get(), POLLIN, 0},
                     {timer.Get(), POLLIN, 0}};
    if (poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("poll: {}", std::strerror(errno));
      break;
    }
    if (fds[0].revents & POLLIN) {
      seccomp_notif n;
      int err = notifier.Receive(n);
      if (err == 0) {
        Dispatch(sb, n);
      } else if (err != ENOENT && err != EINTR) {
        spdlog::debug("SECCOMP_IOCTL_NOTIF_RECV: {}", std::strerror(err));
      }
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      notify_open = false;  // every filtered process is gone
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      while (read(sigfd.Get(), &info, sizeof(info)) == sizeof(info)) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) {
          int status;
          if (waitpid(sandboxed.reaper, &status, WNOHANG) == sandboxed.reaper) {
            // The reaper died before reporting: its orphans came to us (we are a subreaper too).
            KillAndReapDescendants(-1, &status);
            all_gone = true;
          }
        } else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT) {
          spdlog::debug("forwarding {} to the sandbox", SignalName(sig));
          kill(-sandboxed.root, sig);
        }
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP)) {
      ReaperMessage m{};
      ssize_t got = recv(sandboxed.control.Get(), &m, sizeof(m), 0);
      if (got == sizeof(m) && m.type == ReaperMessage::kRootStopped) {
        StopWithCommand(sandboxed);
      } else if (got == sizeof(m) && m.type == ReaperMessage::kRootExited) {
        root_status = m.wait_status;
      } else if (got == sizeof(m) && m.type == ReaperMessage::kAllGone) {
        report.leftover_processes = m.killed;
        all_gone = true;
      } else if (got <= 0) {
        // The reaper is gone without reporting (killed): its orphans are ours now (we are a
        // subreaper as well), and none may outlive us.
        int status = 0;
        report.leftover_processes = KillAndReapDescendants(-1, &status);
        all_gone = true;
      }
    }
    if (timer && (fds[3].revents & POLLIN)) {
      timed_out = true;
      spdlog::debug("timeout: killing the sandbox");
      kill_all();
      timer.Reset();
    }
  }

  int reaper_status = 0;
  rusage usage{};
  while (wait4(sandboxed.reaper, &reaper_status, 0, &usage) < 0 && errno == EINTR) {
  }
  if (sandboxed.foreground_tty) tcsetpgrp(STDIN_FILENO, getpgrp());

  int exit_code = kExitInternal;
  if (timed_out) {
    exit_code = kExitTimeout;
  } else if (root_status != -1) {
    exit_code = WIFSIGNALED(root_status) ? 128 + WTERMSIG(root_status) : WEXITSTATUS(root_status);
  }
  if (root_status != -1 && WIFSIGNALED(root_status)) {
    report.exit_signal = WTERMSIG(root_status);
    if (report.exit_signal == SIGXCPU) report.limit = "cpu_seconds";
    if (report.exit_signal == SIGXFSZ) report.limit = "file_size_bytes";
  }
  if (timed_out) report.limit = "timeout_seconds";
  report.exit_code = exit_code;
  report.timed_out = timed_out;
  report.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  report.cpu_user_ms = Ms(usage.ru_utime);
  report.cpu_system_ms = Ms(usage.ru_stime);
  report.max_rss_kb = usage.ru_maxrss;
  report.overlay_changes = CollectOverlayChanges(*store);
  if (store->Kept()) report.overlay_kept = store->Root();

  if (options.fail_on_denial && exit_code == 0 && report.DenialsTotal() > 0) {
    exit_code = kExitDenied;
    report.exit_code = exit_code;
  }
  umask(user_umask);  // the report files are the user's, not the tracee's
  // File names need not be UTF-8; JSON must be (invalid bytes become U+FFFD here).
  const std::string json = report.ToJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  auto write_file = [&](const std::string& path) {
    std::ofstream out(path, std::ios::trunc);
    out << json;
    if (!out) std::cerr << "bvisor: cannot write the report to " << path << ": " << std::strerror(errno) << "\n";
  };
  if (options.report_path && *options.report_path != "-") write_file(*options.report_path);
  if (options.report_path && *options.report_path == "-") std::cerr << json;
  if (options.report_dir) {
    // One file per run, so that every recipe line of a Makefile keeps its own report.
    auto now = std::chrono::system_clock::now().time_since_epoch();
    long long us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    mkdir(options.report_dir->c_str(), 0755);
    write_file(*options.report_dir + "/bvisor-" + std::to_string(us) + "-" + std::to_string(getpid()) + ".json");
  }
  if (options.json) std::cout << json << std::flush;
  if (!options.quiet && !options.json && !(options.report_path && *options.report_path == "-")) {
    std::string line = report.Summary();
    if (isatty(STDERR_FILENO)) {
      bool bad = exit_code != 0 || report.DenialsTotal() > 0;
      line = (bad ? "\033[1;33m" : "\033[1;32m") + line + "\033[0m";
    }
    std::cerr << line << "\n";
  }
  return exit_code;
}

}  // namespace bvisor
