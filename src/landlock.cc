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
    g.Grant(top, below, 0);
  }
  if (g.too_many_) return ReadGrants{};
  return g;
}

void ReadGrants::Grant(const std::string& path, const std::vector<std::string>& excluded, int depth) {
  if (too_many_) return;
  for (const std::string& e : excluded) {
    if (PathIsUnder(path, e)) return;
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;  // links: their targets decide
  const bool split = S_ISDIR(st.st_mode) && std::any_of(excluded.begin(), excluded.end(), [&](const std::string& e) {
                       return e != path && PathIsUnder(e, path);
                     });
  if (!split) {
    if (dirs_.size() + files_.size() >= kMaxRules) {
      too_many_ = true;
      return;
    }
    (S_ISDIR(st.st_mode) ? dirs_ : files_).push_back(path);
    granted_.insert(path);
    return;
  }
  if (depth >= kMaxDepth) return;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  while (dirent* e = readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    Grant(JoinPath(path, name), excluded, depth + 1);
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
  auto add = [&](const std::string& path, bool dir) {
    UniqueFd fd(open(path.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW | (dir ? O_DIRECTORY : 0)));
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
