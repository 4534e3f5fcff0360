// Virtual path resolution and copy-on-write operations.
#include "vfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "path.h"
#include "process_tree.h"

namespace bvisor {
namespace {

constexpr int kMaxSymlinks = 40;
constexpr size_t kMaxKnownDirs = 1 << 16;

int LstatErr(const std::string& path, struct stat* st) { return lstat(path.c_str(), st) == 0 ? 0 : errno; }

bool IsNumeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t MtimeNs(const struct stat& st) { return st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec; }

// Whether this process may create entries in a directory whatever its mode (CAP_DAC_OVERRIDE).
bool CanOverridePermissions() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_TO_INDEX(CAP_DAC_OVERRIDE)].effective & CAP_TO_MASK(CAP_DAC_OVERRIDE)) != 0;
}

// Reads the real directory `path`; entries are appended to `out` unless `skip` says otherwise.
template <typename Skip>
int ReadRealDir(const std::string& path, std::vector<DirEntry>& out, Skip skip) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return errno;
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == ".." || skip(name)) continue;
    out.push_back({std::string(name), e->d_type});
  }
  closedir(d);
  return 0;
}

}  // namespace

pid_t Caller::Tgid() const {
  if (tgid == 0) {
    char buf[1024];
    if (ReadProcFile(tid, "status", buf, sizeof(buf))) {
      if (const char* t = std::strstr(buf, "\nTgid:")) tgid = static_cast<pid_t>(std::atoi(t + 6));
    }
    if (tgid == 0) tgid = tid;
  }
  return tgid;
}

int CopyFile(const std::string& src, const std::string& dst, const struct stat& st) {
  UniqueFd in(open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!in) return errno;
  UniqueFd out(open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!out) return errno;
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = copy_file_range(in.Get(), nullptr, out.Get(), nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      n = sendfile(out.Get(), in.Get(), nullptr, static_cast<size_t>(left));
    }
    if (n < 0) {
      int err = errno;
      unlink(dst.c_str());
      return err;
    }
    if (n == 0) break;  // the file shrank meanwhile
    left -= n;
  }
  (void)!fchown(out.Get(), st.st_uid, st.st_gid);  // only where allowed
  fchmod(out.Get(), st.st_mode & 07777);
  timespec times[2] = {st.st_atim, st.st_mtim};
  futimens(out.Get(), times);
  return 0;
}

Vfs::Vfs(const Policy& policy, OverlayStore& store, pid_t ancestor)
    : policy_(policy), store_(store), ancestor_(ancestor) {
  // The terminal the sandbox was started from stays usable.
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    char name[PATH_MAX];
    if (ttyname_r(fd, name, sizeof(name)) == 0) allowed_ptys_.emplace(name);
  }
  store_.SetExactDirModes(CanOverridePermissions());
  for (const PathRule& rule : policy_.paths) {
    if (rule.mode == PathMode::kDeny && rule.path != "/") hiding_parents_.emplace(ParentPath(rule.path));
    if (rule.mode == PathMode::kDeny) continue;
    for (std::string_view p = rule.path; p != "/";) {
      p = ParentPath(p);
      if (policy_.ModeFor(p) == PathMode::kDeny) {
        skeleton_.emplace(p);
        hiding_parents_.emplace(p);
      }
      if (p == "/") break;
    }
  }
  hiding_parents_.emplace(ParentPath(store_.Root()));
}

std::string Vfs::Backing(const PathRule* rule) {
  auto it = backing_.find(rule);
  if (it != backing_.end()) return it->second;
  size_t index = static_cast<size_t>(rule - policy_.paths.data());
  std::string path = store_.PrivatePath(index);
  private_roots_.emplace(path, rule->path);
  backing_.emplace(rule, path);
  return path;
}

bool Vfs::HostVisible(std::string_view vpath) const {
  if (store_.AnyWhiteouts() && store_.IsWhiteoutOrBelow(vpath)) return false;
  if (!store_.Opaque().empty()) {
    for (std::string_view p = ParentPath(vpath);; p = ParentPath(p)) {
      if (store_.IsOpaque(p)) return false;
      if (p == "/") break;
    }
  }
  return true;
}

bool Vfs::ProcVisible(const Caller& caller, std::string_view vpath) {
  // /proc/<pid> of a process outside the sandbox is hidden: no pid namespace protects it.
  std::string_view below = PathBelow(vpath, "/proc");
  std::string_view first = below.substr(0, below.find('/'));
  if (!IsNumeric(first)) return true;
  pid_t pid = 0;
  std::from_chars(first.data(), first.data() + first.size(), pid);
  return pid == caller.Tgid() || pid == caller.tid || IsDescendant(pid, ancestor_);
}

Node Vfs::Lookup(const Caller& caller, std::string_view vpath) {
  Node n;
  n.vpath = vpath;
  if (PathIsUnder(vpath, store_.Root())) {  // the overlay storage has no virtual name
    last_denied_ = n.vpath;
    return n;
  }
  const PathRule* rule = policy_.RuleFor(vpath);
  n.mode = rule != nullptr ? rule->mode : PathMode::kDeny;
  switch (n.mode) {
    case PathMode::kDeny:
      if (!skeleton_.empty() && skeleton_.count(n.vpath) != 0) {
        n.mode = PathMode::kRo;
        n.real = vpath;
        if (LstatErr(n.real, &n.st) == 0 && S_ISDIR(n.st.st_mode)) n.layer = Layer::kHost;
        return n;
      }
      last_denied_ = n.vpath;
      return n;
    case PathMode::kTmp: {
      n.real = Backing(rule);
      std::string_view below = PathBelow(vpath, rule->path);
      if (!below.empty()) n.real = JoinPath(n.real, below);
      if (LstatErr(n.real, &n.st) == 0) n.layer = Layer::kPrivate;
      return n;
    }
    case PathMode::kRo:
    case PathMode::kRw:
      if (ParentPath(vpath) == "/dev/pts" && IsNumeric(BaseName(vpath)) &&
          allowed_ptys_.count(std::string(vpath)) == 0) {
        // Another session's terminal: writing there types into the user's other shells.
        last_denied_ = n.vpath;
        return n;
      }
      if (PathIsUnder(vpath, "/proc") && vpath != "/proc") {
        if (vpath == "/proc/self" || vpath == "/proc/thread-self") {
          n.layer = Layer::kSynthetic;
          n.link = std::to_string(caller.Tgid());
          if (vpath == "/proc/thread-self") n.link += "/task/" + std::to_string(caller.tid);
          n.st.st_mode = S_IFLNK | 0777;
          return n;
        }
        if (!ProcVisible(caller, vpath)) {
          last_denied_ = n.vpath;
          return n;
        }
      }
      n.real = vpath;
      if (LstatErr(n.real, &n.st) == 0) n.layer = Layer::kHost;
      return n;
    case PathMode::kCow:
      LookupCow(n);
      return n;
  }
  return n;
}

void Vfs::LookupCow(Node& n) const {
  const std::string& vpath = n.vpath;
  if (store_.IsWhiteout(vpath)) return;
  if (store_.HasUpperDir(ParentPath(vpath)) || (vpath == "/" && store_.HasUpperDir("/"))) {
    std::string upper = store_.UpperPath(vpath);
    if (LstatErr(upper, &n.st) == 0) {
      n.real = std::move(upper);
      n.layer = Layer::kUpper;
      return;
    }
  }
  if (!store_.Opaque().empty() && vpath != "/" && store_.IsOpaque(ParentPath(vpath))) return;
  n.real = vpath;
  if (LstatErr(n.real, &n.st) == 0) n.layer = Layer::kHost;
}

ErrnoOr<std::string> Vfs::ReadLink(const Caller& caller, const Node& node) {
  (void)caller;
  if (node.layer == Layer::kSynthetic) return node.link;
  if (!node.Exists() || !S_ISLNK(node.st.st_mode)) return Errno{EINVAL};
  char buf[PATH_MAX];
  ssize_t len = readlink(node.real.c_str(), buf, sizeof(buf));
  if (len < 0) return Errno{errno};
  std::string target(buf, static_cast<size_t>(len));
  if (PathIsUnder(node.vpath, "/proc") && !target.empty() && target[0] == '/') {
    // A magic link names the object in the host's terms: translate overlay paths back.
    std::optional<std::string> v = VirtualFromReal(target);
    if (!v) return Errno{ENOENT};
    return *v;
  }
  return target;
}

std::optional<std::string> Vfs::VirtualFromReal(std::string_view real) const {
  const std::string& root = store_.Root();
  if (!PathIsUnder(real, root)) return std::string(real);
  std::string upper = root + "/upper";
  if (PathIsUnder(real, upper)) {
    std::string_view below = PathBelow(real, upper);
    return "/" + std::string(below);
  }
  for (const auto& [backing, rule_path] : private_roots_) {
    if (PathIsUnder(real, backing)) {
      std::string_view below = PathBelow(real, backing);
      return below.empty() ? rule_path : JoinPath(rule_path, below);
    }
  }
  auto it = snap_vpaths_.find(std::string(real));
  if (it != snap_vpaths_.end()) return it->second;
  return std::nullopt;
}

void Vfs::RememberDir(const Node& dir) {
  if (dir.mode == PathMode::kDeny || PathIsUnder(dir.vpath, "/proc")) return;
  if (dir.layer != Layer::kHost && dir.layer != Layer::kUpper && dir.layer != Layer::kPrivate) return;
  if (known_dirs_.size() >= kMaxKnownDirs) known_dirs_.clear();
  known_dirs_.emplace(dir.vpath, dir.layer == Layer::kHost);
}

ErrnoOr<Node> Vfs::Resolve(const Caller& caller, std::string_view base, std::string_view path, bool follow_last) {
  if (path.empty()) return Errno{ENOENT};
  std::string cur = path[0] == '/' ? "/" : std::string(base);
  if (path[0] != '/' && !HostVisible(cur) && store_.IsWhiteoutOrBelow(cur)) return Errno{ENOENT};
  bool must_be_dir = path.back() == '/';
  // Whether the kernel would take the same steps (the caller checks that a relative base is
  // a host directory too).
  bool host_walk = !PathIsUnder(cur, "/proc");
  if (path[0] != '/') {
    auto known = known_dirs_.find(cur);
    if (known == known_dirs_.end()) {
      // The base (a cwd or a directory fd) must be a directory: a file fd fails with ENOTDIR,
      // as in the kernel's own lookup.
      Node b = Lookup(caller, cur);
      if (b.Exists() && !S_ISDIR(b.st.st_mode)) return Errno{ENOTDIR};
      if (b.Exists()) RememberDir(b);
      host_walk = host_walk && b.layer == Layer::kHost;
    } else {
      host_walk = host_walk && known->second;
    }
  }
  std::deque<std::string> todo;
  for (std::string_view c : SplitComponents(path)) todo.emplace_back(c);
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    const bool last = todo.empty();
    if (name == "." || name == "..") {
      if (name == "..") cur = std::string(ParentPath(cur));
      if (last) break;
      continue;
    }
    std::string child = cur == "/" ? "/" + name : cur + "/" + name;
    if (child.size() >= PATH_MAX) return Errno{ENAMETOOLONG};
    if (!last) {
      if (auto known = known_dirs_.find(child); known != known_dirs_.end()) {
        host_walk = host_walk && known->second;
        cur = std::move(child);  // a plain directory on the way, unchanged since it was looked up
        continue;
      }
    }
    Node n = Lookup(caller, child);
    const bool parent_host_walk = host_walk && !PathIsUnder(child, "/proc");
    host_walk = parent_host_walk && n.layer == Layer::kHost;
    if (!n.Exists()) {
      if (!last) return Errno{ENOENT};
      if (n.mode == PathMode::kDeny) return Errno{ENOENT};
      n.host_walk = parent_host_walk;  // the kernel would look for the name where we did
      return n;
    }
    bool is_link = S_ISLNK(n.st.st_mode);
    if (is_link && (!last || follow_last || must_be_dir)) {
      if (++links > kMaxSymlinks) return Errno{ELOOP};
      ErrnoOr<std::string> target = ReadLink(caller, n);
      if (!target.Ok()) {
        // A /proc magic link to a pipe, socket, memfd or deleted file: only usable as the last
        // component, and opened through /proc itself.
        if (!last || n.layer == Layer::kSynthetic || !PathIsUnder(n.vpath, "/proc")) return Errno{target.Error()};
        n.layer = Layer::kMagic;
        if (stat(n.real.c_str(), &n.st) != 0) return Errno{errno};
        return n;
      }
      if (target->empty()) return Errno{ENOENT};
      if (PathIsUnder(n.vpath, "/proc") && (*target)[0] != '/' && n.layer != Layer::kSynthetic) {
        // pipe:[123], socket:[4], anon_inode:[eventfd]: not paths.
        if (!last) return Errno{ENOTDIR};
        n.layer = Layer::kMagic;
        if (stat(n.real.c_str(), &n.st) != 0) return Errno{errno};
        return n;
      }
      if ((*target)[0] == '/') cur = "/";
      std::vector<std::string_view> parts = SplitComponents(*target);
      bool dir_suffix = target->back() == '/';
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.emplace_front(*it);
      if (parts.empty() || dir_suffix) {
        // "/" or "dir/": the link names a directory.
        if (last) must_be_dir = true;
      }
      if (parts.empty() && last) break;
      continue;
    }
    if (last) {
      if (must_be_dir && !S_ISDIR(n.st.st_mode)) return Errno{ENOTDIR};
      n.host_walk = host_walk;
      return n;
    }
    if (!S_ISDIR(n.st.st_mode)) return Errno{ENOTDIR};
    RememberDir(n);
    cur = std::move(child);
  }
  // The path ended in ".", ".." or a link to a directory: the result is `cur` itself.
  Node n = Lookup(caller, cur);
  if (!n.Exists()) return Errno{ENOENT};
  if (S_ISLNK(n.st.st_mode)) {
    ErrnoOr<Node> again = Resolve(caller, "/", cur, true);
    if (again.Ok() && !host_walk) again->host_walk = false;
    return again;
  }
  if (must_be_dir && !S_ISDIR(n.st.st_mode)) return Errno{ENOTDIR};
  n.host_walk = host_walk && n.layer == Layer::kHost && !PathIsUnder(cur, "/proc");
  return n;
}

// ---------------------------------------------------------------------------------------------
// Write side.

void Vfs::Changed(std::string_view parent_vpath) {
  store_.Touch(parent_vpath);
  ForgetLookups();
}

int Vfs::EnsureUpperDir(std::string_view dir_vpath) {
  if (store_.HasUpperDir(dir_vpath)) return 0;
  if (dir_vpath != "/") {
    if (int err = EnsureUpperDir(ParentPath(dir_vpath)); err != 0) return err;
  }
  std::string upper = store_.UpperPath(dir_vpath);
  struct stat host {};
  bool from_host = HostVisible(dir_vpath) && stat(std::string(dir_vpath).c_str(), &host) == 0 && S_ISDIR(host.st_mode);
  if (dir_vpath != "/") {
    if (mkdir(upper.c_str(), 0700) != 0 && errno != EEXIST) return errno;
  }
  if (from_host) {
    // Keep the directory's look (mode, owner, times) so stat in the sandbox matches the host;
    // without CAP_DAC_OVERRIDE the supervisor needs u+rwx to fill it.
    (void)!lchown(upper.c_str(), host.st_uid, host.st_gid);
    chmod(upper.c_str(), (host.st_mode & 07777) | (store_.ExactDirModes() ? 0 : S_IRWXU));
    timespec times[2] = {host.st_atim, host.st_mtim};
    utimensat(AT_FDCWD, upper.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  store_.NoteUpperDir(dir_vpath);
  return 0;
}

int Vfs::CopyEntry(const Node& node, const std::string& dst) {
  switch (node.st.st_mode & S_IFMT) {
    case S_IFREG: {
      // Copy next to the target, then rename: a crash never leaves a half-copied file in place.
      std::string tmp = std::string(ParentPath(dst)) + "/.bvisor-copyup-" + std::string(BaseName(dst));
      if (int err = CopyFile(node.real, tmp, node.st); err != 0) return err;
      if (rename(tmp.c_str(), dst.c_str()) != 0) {
        int err = errno;
        unlink(tmp.c_str());
        return err;
      }
      store_.AddBytes(node.st.st_size);
      return 0;
    }
    case S_IFLNK: {
      char buf[PATH_MAX];
      ssize_t len = readlink(node.real.c_str(), buf, sizeof(buf) - 1);
      if (len < 0) return errno;
      buf[len] = '\0';
      if (symlink(buf, dst.c_str()) != 0) return errno;
      // The link's own times show in ls -l and find -newer.
      timespec times[2] = {node.st.st_atim, node.st.st_mtim};
      utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return 0;
    }
    case S_IFIFO: {
      if (mkfifo(dst.c_str(), node.st.st_mode & 07777) != 0) return errno;
      (void)!lchown(dst.c_str(), node.st.st_uid, node.st.st_gid);
      timespec times[2] = {node.st.st_atim, node.st.st_mtim};
      utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return 0;
    }
    default:
      return EROFS;  // devices and sockets stay on the host
  }
}

ErrnoOr<Node> Vfs::CopyUp(const Node& node) {
  if (int err = EnsureUpperDir(ParentPath(node.vpath)); err != 0) return Errno{err};
  Node up = node;
  up.real = store_.UpperPath(node.vpath);
  up.layer = Layer::kUpper;
  if (S_ISDIR(node.st.st_mode)) {
    if (int err = EnsureUpperDir(node.vpath); err != 0) return Errno{err};
  } else if (int err = CopyEntry(node, up.real); err != 0) {
    return Errno{err};
  }
  store_.RecordBaseline(node.vpath, node.st);
  if (lstat(up.real.c_str(), &up.st) != 0) return Errno{errno};
  Changed(ParentPath(node.vpath));
  return up;
}

ErrnoOr<Node> Vfs::Writable(const Node& node) {
  // A device node's mode, owner, times and name are the host's: never changed from inside.
  if (S_ISCHR(node.st.st_mode) || S_ISBLK(node.st.st_mode)) return Errno{EPERM};
  switch (node.mode) {
    case PathMode::kDeny: return Errno{ENOENT};
    case PathMode::kRo: return Errno{EROFS};
    case PathMode::kRw:
    case PathMode::kTmp: return node;
    case PathMode::kCow:
      if (node.layer == Layer::kUpper) {
        Changed(ParentPath(node.vpath));
        return node;
      }
      if (node.layer != Layer::kHost) return Errno{EROFS};
      return CopyUp(node);
  }
  return Errno{EROFS};
}

ErrnoOr<std::string> Vfs::CreationTarget(const Node& node) {
  switch (node.mode) {
    case PathMode::kDeny: return Errno{ENOENT};
    case PathMode::kRo: return Errno{EROFS};
    case PathMode::kRw:
    case PathMode::kTmp: return node.real;
    case PathMode::kCow: {
      // The parent may itself be a tmp or rw area's child only through its own rule, so here
      // it is a cow directory that exists in the view.
      if (int err = EnsureUpperDir(ParentPath(node.vpath)); err != 0) return Errno{err};
      return store_.UpperPath(node.vpath);
    }
  }
  return Errno{EROFS};
}

void Vfs::Created(const Node& node, bool is_dir) {
  if (node.mode != PathMode::kCow) return;
  store_.RemoveWhiteout(node.vpath);
  if (is_dir) {
    // A new directory never shows host entries: there were none, or they were deleted.
    store_.NoteUpperDir(node.vpath);
    MarkOpaque(node.vpath);
  }
  Changed(ParentPath(node.vpath));
}

ErrnoOr<std::vector<DirEntry>> Vfs::List(const Node& dir) {
  std::vector<DirEntry> out;
  if (!dir.IsDir()) return Errno{ENOTDIR};
  auto hidden = [&](std::string_view parent, std::string_view name) {
    std::string child = parent == "/" ? "/" + std::string(name) : std::string(parent) + "/" + std::string(name);
    if (PathIsUnder(child, store_.Root())) return true;
    return hiding_parents_.count(std::string(parent)) != 0 && policy_.ModeFor(child) == PathMode::kDeny &&
           skeleton_.count(child) == 0;
  };
  if (dir.mode != PathMode::kCow) {
    int err = ReadRealDir(dir.real, out, [&](std::string_view name) { return hidden(dir.vpath, name); });
    if (err != 0) return Errno{err};
    return out;
  }
  std::unordered_set<std::string> seen;
  if (store_.HasUpperDir(dir.vpath)) {
    int err = ReadRealDir(store_.UpperPath(dir.vpath), out, [&](std::string_view name) {
      return name.substr(0, 15) == ".bvisor-copyup-" || hidden(dir.vpath, name);
    });
    if (err != 0) return Errno{err};
    for (const DirEntry& e : out) seen.insert(e.name);
  }
  if (!store_.IsOpaque(dir.vpath) && HostVisible(dir.vpath)) {
    struct stat host {};
    if (stat(dir.vpath.c_str(), &host) == 0 && S_ISDIR(host.st_mode)) {
      ReadRealDir(dir.vpath, out, [&](std::string_view name) {
        if (seen.count(std::string(name)) != 0 || hidden(dir.vpath, name)) return true;
        std::string child = dir.vpath == "/" ? "/" + std::string(name) : dir.vpath + "/" + std::string(name);
        return store_.IsWhiteout(child);
      });
    }
  }
  return out;
}

Vfs::ViewStamp Vfs::StampOf(const Node& dir) const {
  struct stat host {};
  return ViewStamp{store_.Generation(dir.vpath), stat(dir.vpath.c_str(), &host) == 0 ? MtimeNs(host) : 0};
}

nlink_t Vfs::LinkCount(const Node& node) {
  // Filesystems that do not count subdirectories say 1; keep that.
  if (!node.IsDir() || node.st.st_nlink < 2 || !NeedsMergedView(node)) return node.st.st_nlink;
  const ViewStamp stamp = StampOf(node);
  auto cached = link_counts_.find(node.vpath);
  if (cached != link_counts_.end() && cached->second.stamp == stamp) return cached->second.count;
  ErrnoOr<std::vector<DirEntry>> entries = List(node);
  if (!entries.Ok()) return node.st.st_nlink;
  nlink_t count = 2;
  for (const DirEntry& e : *entries) {
    if (e.type == DT_DIR) ++count;
  }
  link_counts_[node.vpath] = CachedLinkCount{stamp, count};
  return count;
}

bool Vfs::NeedsMergedView(const Node& dir) const {
  if (hiding_parents_.count(dir.vpath) != 0) return true;
  if (dir.mode != PathMode::kCow) return false;
  if (!store_.HasUpperDir(dir.vpath)) return store_.AnyWhiteouts() && store_.Generation(dir.vpath) != 0;
  // Only the upper directory holds anything: it is the listing.
  return !store_.IsOpaque(dir.vpath);
}

ErrnoOr<UniqueFd> Vfs::OpenDirectory(const Node& dir, int flags) {
  flags = (flags & (O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_DIRECTORY | O_PATH | O_LARGEFILE)) | O_RDONLY | O_NOCTTY;
  if (!NeedsMergedView(dir)) {
    UniqueFd fd(open(dir.real.c_str(), flags));
    if (!fd) return Errno{errno};
    return fd;
  }
  const ViewStamp stamp = StampOf(dir);
  auto cached = snapshots_.find(dir.vpath);
  if (cached == snapshots_.end() || !(cached->second.stamp == stamp)) {
    ErrnoOr<std::vector<DirEntry>> entries = List(dir);
    if (!entries.Ok()) return Errno{entries.Error()};
    std::string snap = store_.SnapshotDir();
    if (mkdir(snap.c_str(), 0700) != 0) return Errno{errno};
    for (const DirEntry& e : *entries) {
      // Placeholders carry only the name and the type: getdents is all they serve.
      std::string p = snap + "/" + e.name;
      switch (e.type) {
        case DT_DIR: mkdir(p.c_str(), 0700); break;
        case DT_LNK: (void)!symlink(".", p.c_str()); break;
        case DT_FIFO: mkfifo(p.c_str(), 0600); break;
        case DT_SOCK: mknod(p.c_str(), S_IFSOCK | 0600, 0); break;
        default: close(open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)); break;
      }
    }
    chmod(snap.c_str(), dir.st.st_mode & 07777);
    snap_vpaths_[snap] = dir.vpath;
    snapshots_[dir.vpath] = Snapshot{stamp, snap};
    cached = snapshots_.find(dir.vpath);
  }
  UniqueFd fd(open(cached->second.real.c_str(), flags));
  if (!fd) return Errno{errno};
  return fd;
}

int Vfs::Remove(const Node& node, bool is_dir) {
  if (!node.Exists()) return ENOENT;
  if (S_ISCHR(node.st.st_mode) || S_ISBLK(node.st.st_mode)) return EPERM;
  if (is_dir != S_ISDIR(node.st.st_mode)) return is_dir ? ENOTDIR : EISDIR;
  switch (node.mode) {
    case PathMode::kDeny: return ENOENT;
    case PathMode::kRo: return EROFS;
    case PathMode::kRw:
    case PathMode::kTmp:
      if ((is_dir ? rmdir(node.real.c_str()) : unlink(node.real.c_str())) != 0) return errno;
      return 0;
    case PathMode::kCow: break;
  }
  if (is_dir) {
    ErrnoOr<std::vector<DirEntry>> entries = List(node);
    if (!entries.Ok()) return entries.Error();
    if (!entries->empty()) return ENOTEMPTY;
  }
  bool on_host = node.layer == Layer::kHost;
  if (node.layer == Layer::kUpper) {
    struct stat host {};
    on_host = HostVisible(node.vpath) && lstat(node.vpath.c_str(), &host) == 0;
  }
  // The deletion marker first: if it cannot be recorded, nothing is deleted.
  if (on_host && !store_.IsWhiteout(node.vpath) && !store_.AddWhiteout(node.vpath)) return ENOSPC;
  if (node.layer == Layer::kUpper) {
    // Hidden leftovers (copy-up temporaries) must not keep rmdir from succeeding.
    int err = is_dir ? RemoveTree(node.real) : (unlink(node.real.c_str()) == 0 ? 0 : errno);
    if (err != 0) {
      if (on_host) store_.RemoveWhiteout(node.vpath);
      return err;
    }
  }
  if (is_dir) {
    ForgetTree(node.vpath);
    if (on_host) store_.AddWhiteout(node.vpath);  // ForgetTree dropped it with the subtree
  }
  Changed(ParentPath(node.vpath));
  return 0;
}

namespace {

// What one directory rename may copy out of the host before answering EXDEV instead: the copy
// runs in the supervisor and stalls every sandbox process meanwhile, whereas mv(1) falls back to
// copying in the sandbox's own time.
constexpr size_t kMaxMaterialiseEntries = 20000;
constexpr int64_t kMaxMaterialiseBytes = int64_t{256} << 20;

}  // namespace

ErrnoOr<Node> Vfs::Materialise(const Node& dir) {
  // A subtree governed by another rule (or the store) stays where it is, like a mount point.
  for (const PathRule& rule : policy_.paths) {
    if (rule.path != dir.vpath && PathIsUnder(rule.path, dir.vpath)) return Errno{EXDEV};
  }
  if (PathIsUnder(store_.Root(), dir.vpath)) return Errno{EXDEV};

  // Plan first, so that nothing is copied when the limits say no: the host entries to copy,
  // parents before children, and every directory that becomes opaque.
  std::vector<Node> copies;
  std::vector<std::string> dirs;
  size_t entries = 0;
  int64_t bytes = 0;
  std::vector<Node> stack{dir};
  while (!stack.empty()) {
    Node d = std::move(stack.back());
    stack.pop_back();
    dirs.push_back(d.vpath);
    if (d.layer == Layer::kHost) copies.push_back(d);
    ErrnoOr<std::vector<DirEntry>> listing = List(d);
    if (!listing.Ok()) return Errno{listing.Error()};
    for (const DirEntry& e : *listing) {
      if (++entries > kMaxMaterialiseEntries) return Errno{EXDEV};
      Node child;
      child.vpath = JoinPath(d.vpath, e.name);
      child.mode = PathMode::kCow;
      LookupCow(child);
      if (!child.Exists()) continue;
      if (S_ISDIR(child.st.st_mode)) {
        if (child.layer == Layer::kHost || !store_.IsOpaque(child.vpath)) stack.push_back(std::move(child));
        continue;
      }
      if (child.layer != Layer::kHost) continue;
      const mode_t type = child.st.st_mode & S_IFMT;
      if (type != S_IFREG && type != S_IFLNK && type != S_IFIFO) return Errno{EXDEV};
      if (type == S_IFREG && (bytes += child.st.st_size) > kMaxMaterialiseBytes) return Errno{EXDEV};
      copies.push_back(std::move(child));
    }
  }

  // A failure half-way leaves identical copies behind: the view does not change, and the
  // directories only turn opaque once everything is in.
  for (const Node& c : copies) {
    int err = S_ISDIR(c.st.st_mode) ? EnsureUpperDir(c.vpath) : CopyEntry(c, store_.UpperPath(c.vpath));
    if (err != 0) return Errno{err};
  }
  for (const std::string& d : dirs) MarkOpaque(d);
  Changed(ParentPath(dir.vpath));
  Node up;
  up.vpath = dir.vpath;
  up.mode = dir.mode;
  LookupCow(up);
  if (up.layer != Layer::kUpper) return Errno{EIO};
  return up;
}

void Vfs::MarkOpaque(std::string_view dir_vpath) {
  store_.SetOpaque(dir_vpath);
  // Whatever the host has there now, the sandbox had removed (or copied, when materialised).
  struct stat host {};
  if (lstat(std::string(dir_vpath).c_str(), &host) == 0 && S_ISDIR(host.st_mode)) {
    store_.SetReplacesHostDir(dir_vpath);
  }
}

void Vfs::ForgetTree(std::string_view vpath) {
  store_.ForgetUpperDir(vpath);
  store_.ForgetBelow(vpath);
}

void Vfs::AdoptUpperTree(std::string_view vpath) {
  std::vector<std::string> stack{std::string(vpath)};
  while (!stack.empty()) {
    std::string d = std::move(stack.back());
    stack.pop_back();
    store_.NoteUpperDir(d);
    MarkOpaque(d);
    std::vector<DirEntry> subs;
    ReadRealDir(store_.UpperPath(d), subs, [](std::string_view) { return false; });
    for (const DirEntry& e : subs) {
      if (e.type == DT_DIR) stack.push_back(JoinPath(d, e.name));
    }
  }
}

int Vfs::Rename(const Node& from, const Node& to, unsigned flags) {
  if (!from.Exists()) return ENOENT;
  for (const Node* n : {&from, &to}) {
    if (S_ISCHR(n->st.st_mode) || S_ISBLK(n->st.st_mode)) return EPERM;
  }
  if (from.mode != to.mode) return EXDEV;  // like two mounts
  const bool exchange = (flags & RENAME_EXCHANGE) != 0;
  if ((flags & RENAME_NOREPLACE) != 0 && to.Exists()) return EEXIST;
  if (exchange && !to.Exists()) return ENOENT;
  if (from.vpath == to.vpath) return 0;
  // Two names of one file: rename(2) does nothing.
  if (to.Exists() && from.st.st_ino == to.st.st_ino && from.st.st_dev == to.st.st_dev) return 0;
  if (PathIsUnder(to.vpath, from.vpath)) return EINVAL;
  if (exchange && PathIsUnder(from.vpath, to.vpath)) return EINVAL;
  switch (from.mode) {
    case PathMode::kDeny: return ENOENT;
    case PathMode::kRo: return EROFS;
    case PathMode::kRw:
    case PathMode::kTmp:
      if (renameat2(AT_FDCWD, from.real.c_str(), AT_FDCWD, to.real.c_str(), flags) != 0) return errno;
      return 0;
    case PathMode::kCow: break;
  }
  const bool from_dir = S_ISDIR(from.st.st_mode);
  const bool to_dir = to.Exists() && S_ISDIR(to.st.st_mode);
  if (to.Exists() && !exchange) {
    if (from_dir && !to_dir) return ENOTDIR;
    if (!from_dir && to_dir) return EISDIR;
    if (to_dir) {
      ErrnoOr<std::vector<DirEntry>> entries = List(to);
      if (!entries.Ok()) return entries.Error();
      if (!entries->empty()) return ENOTEMPTY;
    }
  }
  // Both sides become plain upper entries: files are copied up, directories with host contents
  // are materialised (overlayfs answers EXDEV here; programs that do not fall back to copying,
  // like git mv, then fail).
  auto writable = [&](const Node& n) -> ErrnoOr<Node> {
    if (S_ISDIR(n.st.st_mode) && (n.layer == Layer::kHost || !store_.IsOpaque(n.vpath))) return Materialise(n);
    return Writable(n);
  };
  ErrnoOr<Node> src = writable(from);
  if (!src.Ok()) return src.Error();
  std::string dst_real;
  if (exchange) {
    ErrnoOr<Node> dst = writable(to);
    if (!dst.Ok()) return dst.Error();
    dst_real = dst->real;
  } else {
    if (int err = EnsureUpperDir(ParentPath(to.vpath)); err != 0) return err;
    dst_real = store_.UpperPath(to.vpath);
    // An empty-looking upper directory may still hold copy-up leftovers the kernel would trip on.
    if (to_dir && to.layer == Layer::kUpper) RemoveTree(to.real);
  }
  if (renameat2(AT_FDCWD, src->real.c_str(), AT_FDCWD, dst_real.c_str(), exchange ? RENAME_EXCHANGE : 0) != 0) {
    return errno;
  }
  // Move the bookkeeping with the entries: first forget both old subtrees, then record what is
  // where now (the markers of a replaced directory would otherwise hide the newcomer's files).
  if (from_dir) ForgetTree(from.vpath);
  if (to_dir) ForgetTree(to.vpath);
  if (exchange) {
    if (to_dir) AdoptUpperTree(from.vpath);
  } else {
    struct stat host {};
    if (HostVisible(from.vpath) && lstat(from.vpath.c_str(), &host) == 0) store_.AddWhiteout(from.vpath);
    store_.RemoveWhiteout(to.vpath);
  }
  if (from_dir) AdoptUpperTree(to.vpath);
  Changed(ParentPath(from.vpath));
  Changed(ParentPath(to.vpath));
  return 0;
}

}  // namespace bvisor
