// /proc scanning and pidfd signalling.
#include "process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "unique_fd.h"

namespace bvisor {
namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

bool ReadProcFile(pid_t pid, const char* name, char* buf, size_t size) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  ssize_t n = fd ? read(fd.Get(), buf, size - 1) : -1;
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}

namespace {

// Field 4 (ppid) or 5 (pgrp) of /proc/<pid>/stat, or -1.
pid_t StatField(pid_t pid, bool pgrp) {
  char buf[512];
  if (!ReadProcFile(pid, "stat", buf, sizeof(buf))) return -1;
  // The command name may contain spaces and parentheses: parse after the last ')'.
  const char* close = std::strrchr(buf, ')');
  char state = 0;
  int ppid = -1, pgid = -1;
  if (close == nullptr || std::sscanf(close + 1, " %c %d %d", &state, &ppid, &pgid) != 3) return -1;
  return pgrp ? pgid : ppid;
}

}  // namespace

pid_t ParentOf(pid_t pid) { return StatField(pid, false); }
pid_t ProcessGroupOf(pid_t pid) { return StatField(pid, true); }

std::vector<pid_t> Descendants(pid_t ancestor) {
  std::unordered_multimap<pid_t, pid_t> children;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return {};
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    pid_t ppid = ParentOf(static_cast<pid_t>(pid));
    if (ppid > 0) children.emplace(ppid, static_cast<pid_t>(pid));
  }
  closedir(dir);
  std::vector<pid_t> out;
  std::vector<pid_t> todo{ancestor};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto [first, last] = children.equal_range(p);
    for (auto it = first; it != last; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

bool IsDescendant(pid_t pid, pid_t ancestor) {
  for (int steps = 0; steps < 4096 && pid > 1; ++steps) {
    pid = ParentOf(pid);
    if (pid == ancestor) return true;
  }
  return false;
}

int SignalIfDescendant(pid_t pid, pid_t ancestor, int sig) {
  UniqueFd pidfd(PidfdOpen(pid));
  if (!pidfd) return errno;
  // The pidfd pins the process: if it dies now and the number is reused, the send below
  // fails with ESRCH instead of reaching the newcomer.
  if (!IsDescendant(pid, ancestor)) return ESRCH;
  if (syscall(SYS_pidfd_send_signal, pidfd.Get(), sig, nullptr, 0) != 0) return errno;
  return 0;
}

int KillAndReapDescendants(pid_t watch, int* watch_status) {
  const pid_t self = getpid();
  std::unordered_set<pid_t> killed;  // a process may show up in several scans before it dies
  for (;;) {
    // Every descendant has an ancestor among our children (orphans are reparented to us), so
    // without children there is nothing to scan /proc for: the common, fast exit.
    int status = 0;
    pid_t reaped = waitpid(-1, &status, __WALL | WNOHANG);
    if (reaped < 0 && errno == ECHILD) return static_cast<int>(killed.size());
    if (reaped > 0) {
      if (reaped == watch) *watch_status = status;
      continue;
    }
    for (pid_t pid : Descendants(self)) {
      if (SignalIfDescendant(pid, self, SIGKILL) == 0 && pid != watch) killed.insert(pid);
    }
    reaped = waitpid(-1, &status, __WALL | WNOHANG);
    if (reaped == 0) {
      // Children exist but none has exited yet: wait for one (SIGKILL is on its way).
      reaped = waitpid(-1, &status, __WALL);
    }
    if (reaped < 0 && errno == ECHILD) return static_cast<int>(killed.size());
    if (reaped > 0 && reaped == watch) *watch_status = status;
  }
}

}  // namespace bvisor
