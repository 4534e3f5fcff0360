// What a kept overlay would change on the host (compared against the host as it is now), and the
// `bvisor diff`, `apply` and `discard` commands built on that list.
#include "overlay_changes.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "path.h"
#include "unique_fd.h"

namespace bvisor {
namespace {

using Kind = OverlayChange::Kind;
using Type = OverlayChange::Type;

// Half-copied files the supervisor renames into place; never a change of their own.
constexpr std::string_view kCopyUpPrefix = ".bvisor-copyup-";
constexpr std::string_view kApplyPrefix = ".bvisor-apply-";
constexpr size_t kBinaryProbe = 8192;
constexpr int64_t kMaxDiffBytes = 1 << 20;
constexpr size_t kContextLines = 3;
// Beyond this many differing lines the diff shows the changed middle as removed and re-added:
// the search keeps O(D^2) memory.
constexpr int kMaxEditDistance = 2000;

// One change plus what both sides looked like when it was found.
struct Entry {
  OverlayChange change;
  struct stat upper {};  // unused for deletions
  struct stat host {};   // valid when host_exists, whether or not the sandbox could see it
  bool host_exists = false;
  // The host entry sits in a fresh directory that replaced a host directory (rm -rf build;
  // mkdir build): the sandbox removed it, and the created entry replaces it rather than
  // collides with something the host made since.
  bool replaces_host = false;
};

Type TypeOf(mode_t mode) {
  if (S_ISREG(mode)) return Type::kFile;
  if (S_ISDIR(mode)) return Type::kDir;
  if (S_ISLNK(mode)) return Type::kSymlink;
  return Type::kOther;
}

int64_t MtimeNs(const struct stat& st) { return st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec; }

std::string ErrorText(int error) { return std::strerror(error); }

// Sorted names in `dir`, empty when it cannot be read.
std::vector<std::string> ReadNames(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Reads up to `len` bytes, retrying short reads; returns the count or -1.
ssize_t ReadFull(int fd, char* buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, buf + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

bool SameBytes(const std::string& a, const std::string& b) {
  UniqueFd fa(open(a.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  UniqueFd fb(open(b.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fa || !fb) return false;  // unreadable: say "differs" rather than hide a change
  std::vector<char> ba(1 << 16), bb(1 << 16);
  for (;;) {
    ssize_t na = ReadFull(fa.Get(), ba.data(), ba.size());
    ssize_t nb = ReadFull(fb.Get(), bb.data(), bb.size());
    if (na < 0 || nb < 0 || na != nb) return false;
    if (na == 0) return true;
    if (std::memcmp(ba.data(), bb.data(), static_cast<size_t>(na)) != 0) return false;
  }
}

std::optional<std::string> LinkTarget(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t len = readlink(path.c_str(), buf, sizeof(buf));
  if (len < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(len));
}

// A supervisor without CAP_DAC_OVERRIDE adds u+rwx to the upper copy of a host directory so it
// can fill it (!exact_dir_modes): then the owner bits only count when the sandbox set something
// other than rwx.
bool ModeDiffers(const struct stat& upper, const struct stat& host, bool exact_dir_modes) {
  const mode_t u = upper.st_mode & 07777;
  const mode_t h = host.st_mode & 07777;
  if (!S_ISDIR(upper.st_mode) || exact_dir_modes) return u != h;
  if ((u & ~mode_t{S_IRWXU}) != (h & ~mode_t{S_IRWXU})) return true;
  return (u & S_IRWXU) != S_IRWXU && (u & S_IRWXU) != (h & S_IRWXU);
}

// Without privileges the supervisor's copies keep its own uid (the chown is only tried): that is
// not something the sandbox did, and an unprivileged sandbox cannot give a file away anyway.
bool OwnerDiffers(const struct stat& upper, const struct stat& host) {
  if (upper.st_uid == host.st_uid && upper.st_gid == host.st_gid) return false;
  const uid_t self = geteuid();
  return self == 0 || upper.st_uid != self || host.st_uid == self;
}

class Collector {
 public:
  explicit Collector(const OverlayStore& store) : store_(store) {}

  std::vector<Entry> Run() {
    Walk("/", store_.IsOpaque("/"));
    for (const std::string& w : store_.Whiteouts()) {
      struct stat host {};
      if (lstat(w.c_str(), &host) == 0) AddDeleted(w, host);
    }
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.change.path < b.change.path; });
    // A deleted directory (or one replaced by a non-directory) takes its host contents with it.
    std::set<std::string> covers;
    std::vector<Entry> out;
    for (Entry& e : entries_) {
      const bool replaces_host = e.change.kind == Kind::kDeleted || e.change.type != Type::kDir;
      if (e.change.kind == Kind::kDeleted && Covered(e.change.path, covers)) continue;
      if (replaces_host) covers.insert(e.change.path);
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  static bool Covered(std::string_view path, const std::set<std::string>& covers) {
    for (std::string_view p = ParentPath(path); p != "/"; p = ParentPath(p)) {
      if (covers.count(std::string(p)) != 0) return true;
    }
    return false;
  }

  // `children_hidden`: the sandbox saw none of the host entries below `dir` (it, or an
  // ancestor, was created fresh in the sandbox).
  void Walk(const std::string& dir, bool children_hidden) {
    const std::vector<std::string> names = ReadNames(store_.UpperPath(dir));
    for (const std::string& name : names) {
      if (std::string_view(name).substr(0, kCopyUpPrefix.size()) == kCopyUpPrefix) continue;
      std::string vpath = JoinPath(dir, name);
      // A deletion marker hides the upper entry from the sandbox as well.
      if (store_.IsWhiteout(vpath)) continue;
      struct stat upper {};
      if (lstat(store_.UpperPath(vpath).c_str(), &upper) != 0) continue;
      AddUpper(vpath, upper, children_hidden);
      if (S_ISDIR(upper.st_mode)) Walk(vpath, children_hidden || store_.IsOpaque(vpath));
    }
    if (children_hidden) AddHiddenHostChildren(dir, names);
  }

  void AddUpper(const std::string& vpath, const struct stat& upper, bool hidden) {
    Entry e;
    e.change.path = vpath;
    e.change.type = TypeOf(upper.st_mode);
    e.change.size = S_ISDIR(upper.st_mode) ? 0 : upper.st_size;
    e.upper = upper;
    e.host_exists = lstat(vpath.c_str(), &e.host) == 0;
    e.replaces_host = hidden && e.host_exists && store_.ReplacesHostDir(ParentPath(vpath));
    if (hidden || !e.host_exists) {
      e.change.kind = Kind::kCreated;
      entries_.push_back(std::move(e));
      return;
    }
    if ((upper.st_mode & S_IFMT) != (e.host.st_mode & S_IFMT)) {
      e.change.kind = Kind::kModified;
      e.change.content_differs = true;
      entries_.push_back(std::move(e));
      return;
    }
    bool differs = false;
    switch (e.change.type) {
      case Type::kFile:
        differs = upper.st_size != e.host.st_size || !SameBytes(store_.UpperPath(vpath), vpath);
        break;
      case Type::kSymlink:
        differs = LinkTarget(store_.UpperPath(vpath)) != LinkTarget(vpath);
        break;
      case Type::kDir:
      case Type::kOther:
        break;
    }
    const bool has_baseline = store_.Baselines().count(vpath) != 0;
    if (differs) {
      e.change.kind = Kind::kModified;
      e.change.content_differs = true;
    } else if (e.change.type != Type::kSymlink &&
               (ModeDiffers(upper, e.host, store_.ExactDirModes()) || OwnerDiffers(upper, e.host))) {
      e.change.kind = Kind::kMetadata;
    } else if (has_baseline && e.change.type != Type::kDir) {
      e.change.kind = Kind::kModified;  // copied up, then left (or written back) as it was
    } else {
      return;
    }
    entries_.push_back(std::move(e));
  }

  // Host entries below a directory the sandbox created fresh were invisible to it: to make the
  // host look like the sandbox's view, they go.
  void AddHiddenHostChildren(const std::string& dir, const std::vector<std::string>& upper_names) {
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    for (const std::string& name : ReadNames(dir)) {
      if (std::binary_search(upper_names.begin(), upper_names.end(), name)) continue;
      std::string vpath = JoinPath(dir, name);
      struct stat host {};
      if (lstat(vpath.c_str(), &host) == 0) AddDeleted(vpath, host);
    }
  }

  void AddDeleted(const std::string& vpath, const struct stat& host) {
    // The store itself never had a name in the sandbox, nor did the directories holding it.
    if (PathIsUnder(store_.Root(), vpath)) return;
    if (!deleted_.insert(vpath).second) return;
    Entry e;
    e.change.path = vpath;
    e.change.kind = Kind::kDeleted;
    e.change.type = TypeOf(host.st_mode);
    e.change.size = S_ISDIR(host.st_mode) ? 0 : host.st_size;
    e.host = host;
    e.host_exists = true;
    entries_.push_back(std::move(e));
  }

  const OverlayStore& store_;
  std::vector<Entry> entries_;
  std::set<std::string> deleted_;
};

std::string Counted(size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string Octal(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// "mode 0644 -> 0755, owner 0:0 -> 1000:1000"
std::string MetadataNote(const Entry& e, bool exact_dir_modes) {
  std::string note;
  if (ModeDiffers(e.upper, e.host, exact_dir_modes)) note = "mode " + Octal(e.host.st_mode) + " -> " + Octal(e.upper.st_mode);
  if (OwnerDiffers(e.upper, e.host)) {
    if (!note.empty()) note += ", ";
    note += "owner " + std::to_string(e.host.st_uid) + ":" + std::to_string(e.host.st_gid) + " -> " +
            std::to_string(e.upper.st_uid) + ":" + std::to_string(e.upper.st_gid);
  }
  return note;
}

// --- Unified diff -------------------------------------------------------------------------

// Lines keep their '\n' so that a missing final newline is a difference of its own.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// One of ' ' (both), '-' (old only), '+' (new only) per line of a shortest edit script.
// Myers' greedy search for the longest common subsequence, with the furthest-reaching point of
// every diagonal kept per round for the walk back.
std::vector<char> EditScript(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const int n_all = static_cast<int>(a.size());
  const int m_all = static_cast<int>(b.size());
  int prefix = 0;
  while (prefix < n_all && prefix < m_all && a[prefix] == b[prefix]) ++prefix;
  int suffix = 0;
  while (suffix < n_all - prefix && suffix < m_all - prefix && a[n_all - 1 - suffix] == b[m_all - 1 - suffix]) {
    ++suffix;
  }
  const int n = n_all - prefix - suffix;
  const int m = m_all - prefix - suffix;
  auto same = [&](int x, int y) { return a[prefix + x] == b[prefix + y]; };

  std::vector<char> middle;
  const int max = n + m;
  if (max > 0) {
    std::vector<int> v(2 * static_cast<size_t>(max) + 2, 0);
    std::vector<std::vector<int>> trace;  // trace[d][k + d]: furthest x on diagonal k after round d
    int found = -1;
    for (int d = 0; d <= max && d <= kMaxEditDistance && found < 0; ++d) {
      for (int k = -d; k <= d; k += 2) {
        const bool down = k == -d || (k != d && v[max + k - 1] < v[max + k + 1]);
        int x = down ? v[max + k + 1] : v[max + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && same(x, y)) ++x, ++y;
        v[max + k] = x;
        if (x >= n && y >= m && found < 0) found = d;
      }
      trace.emplace_back(v.begin() + (max - d), v.begin() + (max + d + 1));
    }
    if (found < 0) {
      middle.assign(static_cast<size_t>(n), '-');
      middle.insert(middle.end(), static_cast<size_t>(m), '+');
    } else {
      int x = n, y = m;
      for (int d = found; d > 0; --d) {
        const std::vector<int>& prev = trace[static_cast<size_t>(d - 1)];
        auto at = [&](int k) { return prev[static_cast<size_t>(k + d - 1)]; };
        const int k = x - y;
        const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
        const int prev_k = down ? k + 1 : k - 1;
        const int prev_x = at(prev_k);
        const int snake_x = down ? prev_x : prev_x + 1;
        while (x > snake_x) {
          middle.push_back(' ');
          --x;
          --y;
        }
        middle.push_back(down ? '+' : '-');
        x = prev_x;
        y = prev_x - prev_k;
      }
      while (x > 0 && y > 0) {
        middle.push_back(' ');
        --x;
        --y;
      }
      std::reverse(middle.begin(), middle.end());
    }
  }
  std::vector<char> ops(static_cast<size_t>(prefix), ' ');
  ops.insert(ops.end(), middle.begin(), middle.end());
  ops.insert(ops.end(), static_cast<size_t>(suffix), ' ');
  return ops;
}

// "l,s", or "l" for a single line (as diff -u and git write it).
std::string HunkRange(size_t start, size_t count) {
  // An empty range names the line before it.
  std::string out = std::to_string(count == 0 ? start : start + 1);
  if (count != 1) out += "," + std::to_string(count);
  return out;
}

// The hunks of `diff -u` between two texts, "" when they are equal.
std::string UnifiedHunks(std::string_view old_text, std::string_view new_text) {
  const std::vector<std::string_view> a = SplitLines(old_text);
  const std::vector<std::string_view> b = SplitLines(new_text);
  const std::vector<char> ops = EditScript(a, b);
  const size_t count = ops.size();
  // Line positions before each op.
  std::vector<size_t> a_pos(count + 1, 0), b_pos(count + 1, 0);
  for (size_t i = 0; i < count; ++i) {
    a_pos[i + 1] = a_pos[i] + (ops[i] != '+' ? 1 : 0);
    b_pos[i + 1] = b_pos[i] + (ops[i] != '-' ? 1 : 0);
  }
  std::string out;
  size_t i = 0;
  while (i < count) {
    if (ops[i] == ' ') {
      ++i;
      continue;
    }
    const size_t start = i >= kContextLines ? i - kContextLines : 0;
    size_t end = i;  // one past the last change of the hunk
    size_t j = i;
    while (j < count) {
      if (ops[j] != ' ') {
        end = ++j;
        continue;
      }
      size_t k = j;
      while (k < count && ops[k] == ' ') ++k;
      // Changes whose contexts would touch share one hunk.
      if (k == count || k - j > 2 * kContextLines) break;
      j = k;
    }
    const size_t stop = std::min(count, end + kContextLines);
    out += "@@ -" + HunkRange(a_pos[start], a_pos[stop] - a_pos[start]) + " +" +
           HunkRange(b_pos[start], b_pos[stop] - b_pos[start]) + " @@\n";
    for (size_t h = start; h < stop; ++h) {
      std::string_view line = ops[h] == '+' ? b[b_pos[h]] : a[a_pos[h]];
      out += ops[h];
      out += line;
      if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
    }
    i = stop;
  }
  return out;
}

bool ReadWhole(const std::string& path, std::string& out) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fd) return false;
  out.clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd.Get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

bool LooksBinary(std::string_view text) {
  return text.substr(0, kBinaryProbe).find('\0') != std::string_view::npos;
}

// The diff body of one change: headers and hunks, the binary note, or nothing.
// Returns false when a side cannot be read.
bool WriteFileDiff(const OverlayStore& store, const Entry& e, std::ostream& out, std::ostream& err) {
  switch (e.change.kind) {
    case Kind::kMetadata:
      return true;
    case Kind::kModified:
      if (!e.change.content_differs) return true;
      break;
    case Kind::kCreated:
    case Kind::kDeleted:
      break;
  }
  const bool old_file = e.change.kind != Kind::kCreated && e.host_exists && S_ISREG(e.host.st_mode);
  const bool new_file = e.change.kind != Kind::kDeleted && S_ISREG(e.upper.st_mode);
  if (!old_file && !new_file) return true;
  const std::string& path = e.change.path;
  const std::string old_name = old_file ? "a" + path : "/dev/null";
  const std::string new_name = new_file ? "b" + path : "/dev/null";
  if ((old_file && e.host.st_size >= kMaxDiffBytes) || (new_file && e.upper.st_size >= kMaxDiffBytes)) {
    out << "Files " << old_name << " and " << new_name << " differ (too large to show)\n";
    return true;
  }
  std::string old_text, new_text;
  if (old_file && !ReadWhole(path, old_text)) {
    err << "bvisor: cannot read " << path << ": " << ErrorText(errno) << "\n";
    return false;
  }
  if (new_file && !ReadWhole(store.UpperPath(path), new_text)) {
    err << "bvisor: cannot read " << store.UpperPath(path) << ": " << ErrorText(errno) << "\n";
    return false;
  }
  if (LooksBinary(old_text) || LooksBinary(new_text)) {
    out << "Binary files " << old_name << " and " << new_name << " differ\n";
    return true;
  }
  std::string hunks = UnifiedHunks(old_text, new_text);
  if (hunks.empty()) return true;  // e.g. a new empty file: the stat line says it all
  out << "--- " << old_name << "\n+++ " << new_name << "\n" << hunks;
  return true;
}

// --- Apply --------------------------------------------------------------------------------

// A fresh name next to `target`, for writing it completely before renaming it into place.
std::string TempNear(const std::string& target, int attempt) {
  std::string base(BaseName(target));
  if (base.size() > 128) base.resize(128);
  return JoinPath(ParentPath(target),
                  std::string(kApplyPrefix) + std::to_string(getpid()) + "-" + std::to_string(attempt) + "-" + base);
}

constexpr int kTempAttempts = 100;

// Creates a temporary next to `target` with `make` (which returns 0 or -1 with errno; EEXIST
// means "try another name") and renames it over `target`. Returns 0 or an errno.
template <typename Make>
int ReplaceAtomically(const std::string& target, Make make) {
  std::string tmp;
  int made = -1;
  for (int attempt = 0; attempt < kTempAttempts; ++attempt) {
    tmp = TempNear(target, attempt);
    made = make(tmp);
    if (made == 0 || errno != EEXIST) break;
  }
  if (made != 0) return errno;
  if (rename(tmp.c_str(), target.c_str()) != 0) {
    int error = errno;
    unlink(tmp.c_str());
    return error;
  }
  return 0;
}

int CopyContent(int in, int out) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return errno;
      done += w;
    }
  }
}

int WriteRegular(const std::string& from, const std::string& to, const struct stat& st) {
  UniqueFd in(open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!in) return errno;
  int copy_error = 0;
  int error = ReplaceAtomically(to, [&](const std::string& tmp) {
    UniqueFd out(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!out) return -1;
    copy_error = CopyContent(in.Get(), out.Get());
    if (copy_error == 0) {
      (void)!fchown(out.Get(), st.st_uid, st.st_gid);  // only where allowed, like the copy-up
      if (fchmod(out.Get(), st.st_mode & 07777) != 0) copy_error = errno;
    }
    if (copy_error == 0) {
      timespec times[2] = {st.st_atim, st.st_mtim};
      futimens(out.Get(), times);
    }
    if (copy_error == 0 && close(out.Release()) != 0) copy_error = errno;
    if (copy_error != 0) {
      unlink(tmp.c_str());
      errno = copy_error;
      return -1;
    }
    return 0;
  });
  return copy_error != 0 ? copy_error : error;
}

// Special files apply can make: fifos and (unbound) sockets; never devices.
bool Recreatable(mode_t mode) { return S_ISFIFO(mode) || S_ISSOCK(mode); }

int WriteEntry(const OverlayStore& store, const Entry& e) {
  const std::string& path = e.change.path;
  const std::string upper = store.UpperPath(path);
  switch (e.change.type) {
    case Type::kFile:
      return WriteRegular(upper, path, e.upper);
    case Type::kSymlink: {
      std::optional<std::string> target = LinkTarget(upper);
      if (!target) return errno;
      return ReplaceAtomically(path, [&](const std::string& tmp) {
        if (symlink(target->c_str(), tmp.c_str()) != 0) return -1;
        (void)!lchown(tmp.c_str(), e.upper.st_uid, e.upper.st_gid);
        return 0;
      });
    }
    case Type::kOther:
      if (!Recreatable(e.upper.st_mode)) return ENOTSUP;
      return ReplaceAtomically(path, [&](const std::string& tmp) {
        // A socket file is only a name once its listener is gone: mknod makes an unbound one.
        if (mknod(tmp.c_str(), (e.upper.st_mode & S_IFMT) | 0600, 0) != 0) return -1;
        if (chmod(tmp.c_str(), e.upper.st_mode & 07777) != 0) {
          int error = errno;
          unlink(tmp.c_str());
          errno = error;
          return -1;
        }
        return 0;
      });
    case Type::kDir:
      break;
  }
  return 0;
}

// Mode and owner of an entry already in place.
int ApplyMetadata(const Entry& e) {
  const std::string& path = e.change.path;
  if (!S_ISLNK(e.upper.st_mode) && chmod(path.c_str(), e.upper.st_mode & 07777) != 0) return errno;
  struct stat now {};
  if (lstat(path.c_str(), &now) != 0) return errno;
  if (OwnerDiffers(e.upper, now) && lchown(path.c_str(), e.upper.st_uid, e.upper.st_gid) != 0 && errno != EPERM) {
    return errno;
  }
  return 0;
}

bool NeedsWrite(const Entry& e) {
  switch (e.change.kind) {
    case Kind::kCreated:
      return true;
    case Kind::kModified:
      return e.change.content_differs;
    case Kind::kMetadata:
    case Kind::kDeleted:
      return false;
  }
  return false;
}

// "" when the entry may be applied, else why not (without the path).
std::string Conflict(const Entry& e, const std::map<std::string, HostBaseline>& baselines) {
  switch (e.change.kind) {
    case Kind::kCreated:
      // A directory merges with one the host has; anything else would overwrite something the
      // sandbox never saw, unless it replaces what the sandbox removed.
      if (e.host_exists && !e.replaces_host && !(S_ISDIR(e.upper.st_mode) && S_ISDIR(e.host.st_mode))) {
        return "exists on the host now";
      }
      return "";
    case Kind::kModified:
      if (!e.change.content_differs) return "";
      break;
    case Kind::kMetadata:
      break;
    case Kind::kDeleted:
      return "";
  }
  auto it = baselines.find(e.change.path);
  if (it == baselines.end() || !e.host_exists) return "";
  const HostBaseline& base = it->second;
  if (base.size != e.host.st_size || base.mtime_ns != MtimeNs(e.host) || base.ino != e.host.st_ino) {
    return "changed on the host since it was copied into the overlay";
  }
  return "";
}

}  // namespace

std::vector<OverlayChange> CollectOverlayChanges(const OverlayStore& store) {
  std::vector<OverlayChange> out;
  for (Entry& e : Collector(store).Run()) out.push_back(std::move(e.change));
  return out;
}

int DiffCommand(const std::string& dir, std::ostream& out, std::ostream& err) {
  try {
    OverlayStore store = OverlayStore::OpenKept(dir);
    const std::vector<Entry> entries = Collector(store).Run();
    size_t created = 0, modified = 0, deleted = 0;
    for (const Entry& e : entries) {
      switch (e.change.kind) {
        case Kind::kCreated:
          ++created;
          out << " A " << e.change.path << "\n";
          break;
        case Kind::kModified:
          ++modified;
          out << " M " << e.change.path << "\n";
          break;
        case Kind::kMetadata:
          ++modified;
          out << " T " << e.change.path << " (" << MetadataNote(e, store.ExactDirModes()) << ")\n";
          break;
        case Kind::kDeleted:
          ++deleted;
          out << " D " << e.change.path << "\n";
          break;
      }
    }
    if (!entries.empty()) out << "\n";
    bool readable = true;
    for (const Entry& e : entries) readable = WriteFileDiff(store, e, out, err) && readable;
    out << Counted(entries.size(), "file", "files") << " changed: " << created << " created, " << modified
        << " modified, " << deleted << " deleted\n";
    return readable ? 0 : 2;
  } catch (const std::exception& e) {
    err << "bvisor: " << e.what() << "\n";
    return 2;
  }
}

int ApplyCommand(const std::string& dir, const ApplyOptions& options, std::ostream& out, std::ostream& err) {
  try {
    OverlayStore store = OverlayStore::OpenKept(dir);
    const std::vector<Entry> entries = Collector(store).Run();

    // Everything is checked before anything is written.
    bool conflicted = false;
    for (const Entry& e : entries) {
      std::string why = Conflict(e, store.Baselines());
      if (why.empty()) continue;
      conflicted = true;
      err << "bvisor: " << e.change.path << ": " << why << "\n";
    }
    if (conflicted && !options.force) {
      err << "bvisor: nothing applied (use --force to overwrite)\n";
      return 1;
    }
    for (const Entry& e : entries) {
      if (NeedsWrite(e) && e.change.type == Type::kOther && !Recreatable(e.upper.st_mode)) {
        err << "bvisor: applying " << e.change.path << ": " << ErrorText(ENOTSUP) << "\n";
        return 2;
      }
    }

    if (options.dry_run) {
      for (const Entry& e : entries) {
        switch (e.change.kind) {
          case Kind::kCreated: out << "would create " << e.change.path << "\n"; break;
          case Kind::kModified:
          case Kind::kMetadata: out << "would modify " << e.change.path << "\n"; break;
          case Kind::kDeleted: out << "would delete " << e.change.path << "\n"; break;
        }
      }
      out << "would apply " << Counted(entries.size(), "change", "changes") << "\n";
      return 0;
    }

    auto failed = [&](const Entry& e, int error) {
      err << "bvisor: applying " << e.change.path << ": " << ErrorText(error) << "\n";
      return 2;
    };
    // Paths sort after their ancestors: backwards is deepest first.
    // 1. Host non-directories that go, and host entries of the wrong type for their replacement.
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      const Entry& e = *it;
      if (!e.host_exists) continue;
      const std::string& path = e.change.path;
      const bool host_dir = S_ISDIR(e.host.st_mode);
      int error = 0;
      if (e.change.kind == Kind::kDeleted) {
        if (!host_dir && unlink(path.c_str()) != 0 && errno != ENOENT) error = errno;
      } else if (NeedsWrite(e) && host_dir && !S_ISDIR(e.upper.st_mode)) {
        error = RemoveTree(path);
        if (error == ENOENT) error = 0;
      } else if (NeedsWrite(e) && !host_dir && S_ISDIR(e.upper.st_mode)) {
        if (unlink(path.c_str()) != 0 && errno != ENOENT) error = errno;
      }
      if (error != 0) return failed(e, error);
    }
    // 2. New directories, shallowest first; writable until their contents are in.
    for (const Entry& e : entries) {
      if (!NeedsWrite(e) || !S_ISDIR(e.upper.st_mode)) continue;
      if (mkdir(e.change.path.c_str(), 0700) != 0) {
        const int error = errno;
        struct stat st {};
        if (error != EEXIST) return failed(e, error);
        if (lstat(e.change.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return failed(e, EEXIST);
      }
    }
    // 3. Files, symlinks and fifos, each complete before it replaces the host's.
    for (const Entry& e : entries) {
      if (!NeedsWrite(e) || S_ISDIR(e.upper.st_mode)) continue;
      if (int error = WriteEntry(store, e); error != 0) return failed(e, error);
    }
    // 4. Host directories that go, with everything in them.
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      const Entry& e = *it;
      if (e.change.kind != Kind::kDeleted || !S_ISDIR(e.host.st_mode)) continue;
      int error = RemoveTree(e.change.path);
      if (error != 0 && error != ENOENT) return failed(e, error);
    }
    // 5. Modes and owners: changed ones, and the final mode of new directories (last, as a
    // read-only directory would refuse the removals above).
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      const Entry& e = *it;
      const bool new_dir = NeedsWrite(e) && S_ISDIR(e.upper.st_mode);
      if (e.change.kind != Kind::kMetadata && !new_dir) continue;
      if (int error = ApplyMetadata(e); error != 0) return failed(e, error);
    }
    out << "applied " << Counted(entries.size(), "change", "changes") << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "bvisor: " << e.what() << "\n";
    return 2;
  }
}

int DiscardCommand(const std::string& dir, std::ostream& out, std::ostream& err) {
  std::string root;
  try {
    root = OverlayStore::OpenKept(dir).Root();
  } catch (const std::exception& e) {
    err << "bvisor: " << e.what() << "\n";
    return 2;
  }
  if (int error = RemoveTree(root); error != 0) {
    err << "bvisor: cannot remove " << root << ": " << ErrorText(error) << "\n";
    return 2;
  }
  out << "discarded " << root << "\n";
  return 0;
}

}  // namespace bvisor
