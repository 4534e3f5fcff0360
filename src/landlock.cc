// Landlock grants: see landlock.h for why they exist and what they guarantee.
#include "landlock.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "path.h"

namespace bvisor {
namespace {

constexpr uint64_t kReadDir = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr uint64_t kWriteDir = kReadDir | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG;
constexpr uint64_t kHandled = kWriteDir;
// Directories on the way to an exclusion are granted entry by entry; a policy that would need
// more rules than this keeps every open on the injected-fd path instead.
constexpr size_t kMaxRules = 4096;
constexpr int kMaxDepth = 32;
// Devices an rw rule may open to the kernel: no host state behind them (unlike ttys and ptys,
// which the supervisor checks per session).
constexpr std::string_view kDataDevices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};

bool Readable(PathMode mode) { return mode == PathMode::kRo || mode == PathMode::kCow || mode == PathMode::kRw; }

// Served by the supervisor itself (virtual /proc, device skeleton): never opened directly.
bool AlwaysExcluded(std::string_view path) { return PathIsUnder(path, "/proc") || PathIsUnder(path, "/dev"); }

}  // namespace

LandlockGrants LandlockGrants::Compute(const Policy& policy, const std::string& store_root) {
  LandlockGrants g;
  g.store_root_ = store_root;
  std::vector<std::string> not_readable = {"/proc", "/dev"}, not_writable = {"/proc", "/dev"};
  std::vector<std::string> read_tops, write_tops;
  for (const PathRule& rule : policy.paths) {
    (Readable(rule.mode) ? read_tops : not_readable).push_back(rule.path);
    (rule.mode == PathMode::kRw ? write_tops : not_writable).push_back(rule.path);
  }
  if (!store_root.empty()) {
    not_readable.push_back(store_root);
    not_writable.push_back(store_root);
  }
  g.GrantTops(read_tops, not_readable, false);
  g.GrantTops(write_tops, not_writable, true);
  for (const PathRule& rule : policy.paths) {
    const bool data_device =
        std::find(std::begin(kDataDevices), std::end(kDataDevices), rule.path) != std::end(kDataDevices);
    struct stat st {};
    if (rule.mode == PathMode::kRw && data_device && lstat(rule.path.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) {
      g.Add(rule.path, false, true);
    }
  }
  if (g.too_many_) return LandlockGrants{};
  return g;
}

void LandlockGrants::GrantTops(const std::vector<std::string>& tops, const std::vector<std::string>& excluded,
                               bool write) {
  for (const std::string& top : tops) {
    if (AlwaysExcluded(top)) continue;
    // The longest rule wins: exclusions count below a rule, and a rule below an exclusion is a
    // top of its own.
    std::vector<std::string> below;
    for (const std::string& e : excluded) {
      if (e != top && PathIsUnder(e, top)) below.push_back(e);
    }
    // Two exclusions where one holds the other: the outer one already covers the inner one.
    std::sort(below.begin(), below.end());
    std::vector<std::string> outermost;
    for (const std::string& e : below) {
      if (outermost.empty() || !PathIsUnder(e, outermost.back())) outermost.push_back(e);
    }
    Grant(top, outermost, 0, write);
  }
}

void LandlockGrants::Add(const std::string& path, bool dir, bool write) {
  if (entries_.size() >= kMaxRules) {
    too_many_ = true;
    return;
  }
  entries_.push_back({path, dir, write});
  read_granted_.insert(path);  // every grant includes reading
  if (write) write_granted_.insert(path);
}

// `path` is neither excluded nor below an exclusion; `excluded` holds only exclusions below it.
void LandlockGrants::Grant(const std::string& path, const std::vector<std::string>& excluded, int depth,
                           bool write) {
  if (too_many_) return;
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;  // links: their targets decide
  if (excluded.empty() || !S_ISDIR(st.st_mode)) {
    Add(path, S_ISDIR(st.st_mode), write);
    return;
  }
  if (depth >= kMaxDepth) return;
  // The children that are excluded themselves, or hold exclusions (with those exclusions).
  std::unordered_set<std::string> hidden;
  std::unordered_map<std::string, std::vector<std::string>> split;
  for (const std::string& e : excluded) {
    std::string_view below = PathBelow(e, path);
    std::string_view first = below.substr(0, below.find('/'));
    if (first.size() == below.size()) {
      hidden.emplace(first);
    } else {
      split[std::string(first)].push_back(e);
    }
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  while (dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || hidden.count(name) != 0) continue;
    std::string child = JoinPath(path, name);
    if (auto it = split.find(name); it != split.end()) {
      Grant(child, it->second, depth + 1, write);
    } else if (e->d_type == DT_DIR || e->d_type == DT_REG) {
      Add(child, e->d_type == DT_DIR, write);  // the common case: no lstat needed
    } else if (e->d_type != DT_LNK) {
      Grant(child, {}, depth + 1, write);
    }
    if (too_many_) break;
  }
  closedir(dir);
}

bool LandlockGrants::Covers(const PathSet& granted, std::string_view real) const {
  if (granted.empty() || real.empty() || real[0] != '/') return false;
  if (!store_root_.empty() && PathIsUnder(real, store_root_)) return false;
  for (std::string_view p = real;; p = ParentPath(p)) {
    if (granted.find(p) != granted.end()) return true;
    if (p == "/") return false;
  }
}

std::vector<std::string> LandlockGrants::Dirs(bool write) const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    if (e.dir && e.write == write) out.push_back(e.path);
  }
  return out;
}

std::vector<std::string> LandlockGrants::Files(bool write) const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    if (!e.dir && e.write == write) out.push_back(e.path);
  }
  return out;
}

bool LandlockGrants::Available() {
  if (std::getenv("BVISOR_NO_LANDLOCK") != nullptr) return false;
  // Below 1: not built in, not enabled, or refused by a container profile.
  return syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION) >= 1;
}

UniqueFd LandlockGrants::MakeRuleset() const {
  if (Empty() || !Available()) return UniqueFd();
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = kHandled;
  UniqueFd ruleset(static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0)));
  if (!ruleset) return UniqueFd();
  // Entries come grouped by directory: each directory is opened once.
  std::string parent_path;
  UniqueFd parent;
  auto add = [&](const std::string& path, bool dir, uint64_t access) {
    std::string_view up = ParentPath(path);
    if (!parent || up != parent_path) {
      parent_path = up;
      parent.Reset(open(parent_path.c_str(), O_PATH | O_CLOEXEC | O_DIRECTORY));
    }
    const int flags = O_PATH | O_CLOEXEC | O_NOFOLLOW | (dir ? O_DIRECTORY : 0);
    UniqueFd fd(parent && path != "/" ? openat(parent.Get(), std::string(BaseName(path)).c_str(), flags)
                                      : open(path.c_str(), flags));
    if (!fd) return false;
    landlock_path_beneath_attr rule{};
    rule.allowed_access = access;
    rule.parent_fd = fd.Get();
    return syscall(SYS_landlock_add_rule, ruleset.Get(), LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == 0;
  };
  // Every grant the supervisor counts on must be in the ruleset, or a continued open would fail
  // where the injected fd worked: any failure gives up the fast path.
  for (const Entry& e : entries_) {
    const uint64_t file_access = LANDLOCK_ACCESS_FS_READ_FILE | (e.write ? LANDLOCK_ACCESS_FS_WRITE_FILE : 0);
    if (!add(e.path, e.dir, e.dir ? (e.write ? kWriteDir : kReadDir) : file_access)) return UniqueFd();
  }
  // The sandbox executes its own files from the store (the kernel opens them for reading).
  if (!store_root_.empty() && !add(store_root_, true, kReadDir)) return UniqueFd();
  return ruleset;
}

bool RestrictSelf(int ruleset_fd) { return syscall(SYS_landlock_restrict_self, ruleset_fd, 0) == 0; }

}  // namespace bvisor
