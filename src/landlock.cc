// Landlock read grants: see landlock.h for why they exist and what they guarantee.
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

constexpr uint64_t kHandled = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
// Directories on the way to an exclusion are granted entry by entry; a policy that would need
// more rules than this keeps every open on the injected-fd path instead.
constexpr size_t kMaxRules = 4096;
constexpr int kMaxDepth = 32;

bool Readable(PathMode mode) { return mode == PathMode::kRo || mode == PathMode::kCow || mode == PathMode::kRw; }

// Served by the supervisor itself (virtual /proc, device skeleton): never read directly.
bool AlwaysExcluded(std::string_view path) { return PathIsUnder(path, "/proc") || PathIsUnder(path, "/dev"); }

}  // namespace

ReadGrants ReadGrants::Compute(const Policy& policy, const std::string& store_root) {
  ReadGrants g;
  g.store_root_ = store_root;
  std::vector<std::string> excluded = {"/proc", "/dev"};
  std::vector<std::string> tops;
  for (const PathRule& rule : policy.paths) {
    if (!Readable(rule.mode)) {
      excluded.push_back(rule.path);
    } else if (!AlwaysExcluded(rule.path)) {
      tops.push_back(rule.path);
    }
  }
  if (!store_root.empty()) excluded.push_back(store_root);
  std::sort(tops.begin(), tops.end());
  for (const std::string& top : tops) {
    // The longest rule wins: exclusions count below a readable rule, and a readable rule below
    // an exclusion is a top of its own.
    std::vector<std::string> below;
    for (const std::string& e : excluded) {
      if (e != top && PathIsUnder(e, top)) below.push_back(e);
    }
    // Two exclusions where one holds the other: the outer one already hides the inner one.
    std::sort(below.begin(), below.end());
    std::vector<std::string> outermost;
    for (const std::string& e : below) {
      if (outermost.empty() || !PathIsUnder(e, outermost.back())) outermost.push_back(e);
    }
    g.Grant(top, outermost, 0);
  }
  if (g.too_many_) return ReadGrants{};
  return g;
}

void ReadGrants::Add(const std::string& path, bool dir) {
  if (dirs_.size() + files_.size() >= kMaxRules) {
    too_many_ = true;
    return;
  }
  (dir ? dirs_ : files_).push_back(path);
  granted_.insert(path);
}

// `path` is neither excluded nor below an exclusion; `excluded` holds only exclusions below it.
void ReadGrants::Grant(const std::string& path, const std::vector<std::string>& excluded, int depth) {
  if (too_many_) return;
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;  // links: their targets decide
  if (excluded.empty() || !S_ISDIR(st.st_mode)) {
    Add(path, S_ISDIR(st.st_mode));
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
      Grant(child, it->second, depth + 1);
    } else if (e->d_type == DT_DIR || e->d_type == DT_REG) {
      Add(child, e->d_type == DT_DIR);  // the common case: no lstat needed
    } else if (e->d_type != DT_LNK) {
      Grant(child, {}, depth + 1);
    }
    if (too_many_) break;
  }
  closedir(dir);
}

bool ReadGrants::Covers(std::string_view real) const {
  if (granted_.empty() || real.empty() || real[0] != '/') return false;
  if (!store_root_.empty() && PathIsUnder(real, store_root_)) return false;
  for (std::string_view p = real;; p = ParentPath(p)) {
    if (granted_.count(std::string(p)) != 0) return true;
    if (p == "/") return false;
  }
}

UniqueFd ReadGrants::MakeRuleset() const {
  if (Empty() || std::getenv("BVISOR_NO_LANDLOCK") != nullptr) return UniqueFd();
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1) return UniqueFd();  // not built in, not enabled, or refused by a container profile
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = kHandled;
  UniqueFd ruleset(static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0)));
  if (!ruleset) return UniqueFd();
  // Entries come grouped by directory: each directory is opened once.
  std::string parent_path;
  UniqueFd parent;
  auto add = [&](const std::string& path, bool dir) {
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
    rule.allowed_access = dir ? kHandled : LANDLOCK_ACCESS_FS_READ_FILE;
    rule.parent_fd = fd.Get();
    return syscall(SYS_landlock_add_rule, ruleset.Get(), LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == 0;
  };
  // Every grant the supervisor counts on must be in the ruleset, or a continued open would fail
  // where the injected fd worked: any failure gives up the fast path.
  for (const std::string& d : dirs_) {
    if (!add(d, true)) return UniqueFd();
  }
  for (const std::string& f : files_) {
    if (!add(f, false)) return UniqueFd();
  }
  // The sandbox executes its own files from the store (the kernel opens them for reading).
  if (!store_root_.empty() && !add(store_root_, true)) return UniqueFd();
  return ruleset;
}

bool RestrictSelf(int ruleset_fd) { return syscall(SYS_landlock_restrict_self, ruleset_fd, 0) == 0; }

}  // namespace bvisor
