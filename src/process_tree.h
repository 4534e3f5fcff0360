// Who belongs to the sandbox: the descendants of one ancestor process, found through /proc,
// and signalled through pidfds so that a recycled pid is never hit.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <vector>

namespace bvisor {

// Reads the start of /proc/<pid>/<name> into `buf`, NUL-terminated; false when it is gone.
bool ReadProcFile(pid_t pid, const char* name, char* buf, size_t size);

// The parent of `pid` according to /proc/<pid>/stat, or -1.
pid_t ParentOf(pid_t pid);

// The process group of `pid` according to /proc/<pid>/stat, or -1.
pid_t ProcessGroupOf(pid_t pid);

// All live descendants of `ancestor` (not `ancestor` itself), from one scan of /proc.
std::vector<pid_t> Descendants(pid_t ancestor);

// True when `pid` descends from `ancestor` (walking the parent chain, at most 4096 steps).
bool IsDescendant(pid_t pid, pid_t ancestor);

// Sends `sig` to `pid` only if, once pinned by a pidfd, it still descends from `ancestor`.
// Returns 0 or a positive errno (ESRCH when it is gone or not a member).
int SignalIfDescendant(pid_t pid, pid_t ancestor, int sig);

// SIGKILLs and reaps every descendant of the calling process until none is left. The caller
// must be a child subreaper so that orphans come back to it. If `watch` is reaped here, its
// wait status is stored in `*watch_status`. Returns the number killed.
int KillAndReapDescendants(pid_t watch, int* watch_status);

}  // namespace bvisor
