// The sandbox's view of the filesystem: resolves virtual paths component by component through
// the policy, the overlay's upper layer and the host (symlinks followed by the supervisor, so a
// link can never lead somewhere the policy hides), and performs the copy-on-write operations.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "errno_or.h"
#include "overlay.h"
#include "policy.h"
#include "unique_fd.h"

namespace bvisor {

enum class Layer {
  kNone,       // does not exist (its parent does)
  kHost,       // the host file itself
  kUpper,      // the overlay's copy
  kPrivate,    // inside a tmp rule's private directory
  kSynthetic,  // /proc/self and /proc/thread-self, answered for the caller
  kMagic,      // a /proc magic link to something that is not a path (pipe, socket, memfd, ...)
};

struct Node {
  std::string vpath;  // canonical virtual path, no symlinks, no "." or ".."
  PathMode mode = PathMode::kDeny;
  Layer layer = Layer::kNone;
  std::string real;   // where the kernel finds it (valid unless kNone)
  struct stat st {};  // lstat of `real`
  std::string link;   // kSynthetic: the link text
  // Set by Resolve when every step was a host entry outside /proc: the kernel, resolving the
  // caller's own string from the same (host) base, reaches this very file (for a missing last
  // name: looks for it in the same host directory).
  bool host_walk = false;
  bool Exists() const { return layer != Layer::kNone; }
  bool IsDir() const { return Exists() && S_ISDIR(st.st_mode); }
};

// The process a path is resolved for (for /proc/self).
struct Caller {
  pid_t tid;
  mutable pid_t tgid = 0;  // looked up on first use: only /proc/self needs it
  pid_t Tgid() const;
};

struct DirEntry {
  std::string name;
  unsigned char type;  // DT_*
};

class Vfs {
 public:
  // `ancestor`: every sandbox process descends from it (for /proc/<pid> visibility).
  Vfs(const Policy& policy, OverlayStore& store, pid_t ancestor);

  // Resolves `path` (absolute, or relative to the canonical virtual directory `base`).
  // A missing last component gives a kNone node whose parent exists; a path ending in '/'
  // must name a directory.
  ErrnoOr<Node> Resolve(const Caller& caller, std::string_view base, std::string_view path, bool follow_last);
  // One canonical virtual path, without following a final symlink.
  Node Lookup(const Caller& caller, std::string_view vpath);
  // The text of a symlink node, /proc magic links translated to virtual paths.
  ErrnoOr<std::string> ReadLink(const Caller& caller, const Node& node);
  // The virtual path of a path the kernel reports (/proc/<pid>/cwd, /proc/<pid>/fd/N);
  // nullopt for overlay storage that has no virtual name.
  std::optional<std::string> VirtualFromReal(std::string_view real) const;

  // --- Write side. All return 0/positive errno or a value. ---
  // A node whose `real` may be modified: EROFS in ro areas, copied up in cow areas.
  ErrnoOr<Node> Writable(const Node& node);
  // The real path at which a new entry for the kNone node `node` is created (parents made).
  ErrnoOr<std::string> CreationTarget(const Node& node);
  // Bookkeeping after an entry was created at `node.vpath`.
  void Created(const Node& node, bool is_dir);
  // unlink / rmdir with deletion markers.
  int Remove(const Node& node, bool is_dir);
  // rename(2) semantics across layers (EXDEV where the kernel would refuse between mounts).
  int Rename(const Node& from, const Node& to, unsigned flags);
  // The merged listing of a directory: upper + host - deleted - hidden.
  ErrnoOr<std::vector<DirEntry>> List(const Node& dir);
  // An fd the sandbox may getdents on: the real directory when nothing is merged or hidden in
  // it, otherwise a snapshot directory holding one placeholder per visible entry.
  ErrnoOr<UniqueFd> OpenDirectory(const Node& dir, int flags);
  // Whether `vpath`'s listing differs from the real directory's.
  bool NeedsMergedView(const Node& dir) const;
  // The link count the sandbox sees for `node`: for a merged directory 2 + its visible
  // subdirectories (the upper or host copy alone counts only its own).
  nlink_t LinkCount(const Node& node);

  // True when `real` is one of the snapshot directories OpenDirectory made.
  bool IsSnapshot(const std::string& real) const { return snap_vpaths_.count(real) != 0; }
  // The path of the last lookup that a deny rule refused (for the report), or "".
  const std::string& LastDenied() const { return last_denied_; }
  void ClearLastDenied() { last_denied_.clear(); }

  // Forgets the directories Resolve walked through before (after any change to the namespace).
  void ForgetLookups() { known_dirs_.clear(); }

  // A pty the sandbox created through /dev/ptmx: its /dev/pts/N becomes visible.
  void AllowPty(int number) { allowed_ptys_.emplace("/dev/pts/" + std::to_string(number)); }

  OverlayStore& Store() { return store_; }
  const Policy& GetPolicy() const { return policy_; }

 private:
  std::string Backing(const PathRule* rule);
  bool HostVisible(std::string_view vpath) const;
  // Fills in layer, real and st of a cow node from the store and the host.
  void LookupCow(Node& n) const;
  int EnsureUpperDir(std::string_view dir_vpath);
  ErrnoOr<Node> CopyUp(const Node& node);
  // Copies a host non-directory (file, symlink, fifo) to `dst` in the store.
  int CopyEntry(const Node& node, const std::string& dst);
  // Turns a cow directory with host contents into an upper-only (opaque) one holding copies of
  // everything visible in it, so that it can be renamed like any upper directory. EXDEV when
  // that would copy too much or cross into another rule's area.
  ErrnoOr<Node> Materialise(const Node& dir);
  // Drops the store's bookkeeping (upper dirs, markers, opaque flags) at and below `vpath`.
  void ForgetTree(std::string_view vpath);
  // Makes an upper directory opaque, noting whether it stands where the host has a directory.
  void MarkOpaque(std::string_view dir_vpath);
  // Records the upper-only tree now at `vpath` (moved there by rename) as opaque upper dirs.
  void AdoptUpperTree(std::string_view vpath);
  // What a cached view of a directory (snapshot, link count) was computed from.
  struct ViewStamp {
    uint64_t generation = 0;
    int64_t host_mtime_ns = 0;
    bool operator==(const ViewStamp&) const = default;
  };
  ViewStamp StampOf(const Node& dir) const;
  bool ProcVisible(const Caller& caller, std::string_view vpath);
  void Changed(std::string_view parent_vpath);

  const Policy& policy_;
  OverlayStore& store_;
  pid_t ancestor_;
  std::unordered_map<const PathRule*, std::string> backing_;
  std::unordered_map<std::string, std::string> private_roots_;  // backing dir -> rule path
  std::unordered_set<std::string> hiding_parents_;              // dirs with a hidden child
  // Denied directories that lead to an allowed rule (e.g. /dev for /dev/null): traversable,
  // read-only, listing only the way to what is allowed.
  std::unordered_set<std::string> skeleton_;
  struct Snapshot {
    ViewStamp stamp;
    std::string real;
  };
  std::unordered_map<std::string, Snapshot> snapshots_;      // vpath -> latest
  struct CachedLinkCount {
    ViewStamp stamp;
    nlink_t count;
  };
  std::unordered_map<std::string, CachedLinkCount> link_counts_;  // vpath -> merged link count
  std::unordered_map<std::string, std::string> snap_vpaths_;  // snapshot real -> vpath
  std::string last_denied_;
  std::unordered_set<std::string> allowed_ptys_;
  // Plain directories (not links, not hidden, not /proc) that Resolve walked through: walking
  // through them again needs no lstat and no rule lookup. Cleared by every change the sandbox
  // makes (Changed, and the dispatcher after each writing syscall); a host process changing a
  // directory into a symlink meanwhile is outside the threat model (it is the user's own).
  std::unordered_map<std::string, bool> known_dirs_;  // vpath -> is a host directory
  void RememberDir(const Node& dir);  // into known_dirs_, when it may be cached
};

// Copies a regular file's data, mode, owner (when permitted) and times to a new `dst`.
int CopyFile(const std::string& src, const std::string& dst, const struct stat& st);

}  // namespace bvisor
