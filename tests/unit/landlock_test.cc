// Landlock grants: which host paths the supervisor may let the kernel open itself, that
// the kernel agrees (a restricted child can open exactly those), and which resolutions count
// as a plain host walk.
#include "landlock.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "overlay.h"
#include "policy.h"
#include "vfs.h"

namespace bvisor {
namespace {

void Touch(const std::string& path) { std::ofstream(path) << "x\n"; }

long Count(const std::vector<std::string>& list, const std::string& item) {
  return std::count(list.begin(), list.end(), item);
}

// An open the kernel should allow (or refuse) to a process restricted by the ruleset.
struct Probe {
  std::string path;
  int flags;
  bool allowed;
};

// Runs the probes in a child restricted by `ruleset`: 0 when the kernel agreed with every one,
// otherwise 1 + the index of the first that went otherwise (255: the child could not restrict
// itself).
int UnexpectedInRestrictedChild(const UniqueFd& ruleset, const std::vector<Probe>& probes) {
  REQUIRE(probes.size() < 255);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !RestrictSelf(ruleset.Get())) _exit(255);
    for (size_t i = 0; i < probes.size(); ++i) {
      int fd = open(probes[i].path.c_str(), probes[i].flags | O_CLOEXEC, 0644);
      if (fd >= 0) close(fd);
      if ((fd >= 0) != probes[i].allowed) _exit(static_cast<int>(i) + 1);
    }
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

// A tree with a hidden dir, a private tmp, a readable rule inside the hidden one, and a store.
struct Tree {
  Tree() {
    char templ[] = "/tmp/bvisor-landlock-test-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    root = templ;
    for (const char* d : {"/t", "/t/a", "/t/a/b", "/t/secret", "/t/secret/open", "/t/tmp", "/store"}) {
      REQUIRE(mkdir((root + d).c_str(), 0755) == 0);
    }
    for (const char* f : {"/t/top.txt", "/t/a/b/f.txt", "/t/secret/key", "/t/secret/open/ok.txt", "/t/tmp/x"}) {
      Touch(root + f);
    }
    REQUIRE(symlink("a/b", (root + "/t/link").c_str()) == 0);
    policy.paths = {{root + "/t", PathMode::kCow},
                    {root + "/t/secret", PathMode::kDeny},
                    {root + "/t/secret/open", PathMode::kRo},
                    {root + "/t/tmp", PathMode::kTmp}};
  }
  ~Tree() { REQUIRE(system(("rm -rf '" + root + "'").c_str()) == 0); }
  std::string P(const char* rel) const { return root + rel; }

  std::string root;
  Policy policy;
};

TEST_CASE("landlock: grants cover what the policy lets the sandbox read, and nothing else") {
  Tree t;
  LandlockGrants g = LandlockGrants::Compute(t.policy, t.P("/store"));
  CHECK(g.CoversRead(t.P("/t/a/b/f.txt")));
  CHECK(g.CoversRead(t.P("/t/top.txt")));                 // a file of a split directory
  CHECK(g.CoversRead(t.P("/t/secret/open/ok.txt")));      // a readable rule inside a hidden one
  CHECK_FALSE(g.CoversRead(t.P("/t/secret/key")));
  CHECK_FALSE(g.CoversRead(t.P("/t/secret")));
  CHECK_FALSE(g.CoversRead(t.P("/t/tmp/x")));
  CHECK_FALSE(g.CoversRead(t.P("/store/upper/f")));
  CHECK_FALSE(g.CoversRead("/proc/self/environ"));
  CHECK_FALSE(g.CoversRead("/etc/passwd"));               // outside every rule
  CHECK_FALSE(g.CoversRead("relative"));
  // /t is split (it holds exclusions): its entries are granted one by one, links skipped.
  CHECK(Count(g.Dirs(false), t.P("/t")) == 0);
  CHECK(Count(g.Dirs(false), t.P("/t/a")) == 1);
  CHECK(Count(g.Files(false), t.P("/t/top.txt")) == 1);
  CHECK(Count(g.Files(false), t.P("/t/link")) == 0);
}

TEST_CASE("landlock: a hidden file deep down splits only the directories above it") {
  Tree t;
  Touch(t.P("/t/a/b/other.txt"));
  t.policy.paths.push_back({t.P("/t/a/b/f.txt"), PathMode::kDeny});
  t.policy.paths.push_back({t.P("/t/secret/open/inner"), PathMode::kDeny});  // inside another exclusion
  LandlockGrants g = LandlockGrants::Compute(t.policy, t.P("/store"));
  CHECK_FALSE(g.CoversRead(t.P("/t/a/b/f.txt")));
  CHECK(g.CoversRead(t.P("/t/a/b/other.txt")));
  CHECK(g.CoversRead(t.P("/t/top.txt")));
  CHECK(Count(g.Dirs(false), t.P("/t/a")) == 0);
  CHECK(Count(g.Dirs(false), t.P("/t/a/b")) == 0);
  CHECK(Count(g.Files(false), t.P("/t/a/b/other.txt")) == 1);
}

TEST_CASE("landlock: writes and creations are granted only in rw areas and on data devices") {
  Tree t;
  REQUIRE(mkdir(t.P("/t/a/c").c_str(), 0755) == 0);
  Touch(t.P("/t/a/w.txt"));
  t.policy.paths.push_back({t.P("/t/a"), PathMode::kRw});
  t.policy.paths.push_back({t.P("/t/a/b"), PathMode::kRo});
  t.policy.paths.push_back({"/dev/null", PathMode::kRw});
  t.policy.paths.push_back({"/dev/tty", PathMode::kRw});
  LandlockGrants g = LandlockGrants::Compute(t.policy, t.P("/store"));
  CHECK(g.CoversWrite(t.P("/t/a/w.txt")));
  CHECK(g.CoversWrite(t.P("/t/a/c/new")));
  CHECK_FALSE(g.CoversWrite(t.P("/t/a")));  // split by the ro rule: no creation directly in it
  CHECK_FALSE(g.CoversWrite(t.P("/t/a/b/f.txt")));
  CHECK(g.CoversRead(t.P("/t/a/b/f.txt")));
  CHECK_FALSE(g.CoversWrite(t.P("/t/top.txt")));
  CHECK(g.CoversWrite("/dev/null"));
  CHECK_FALSE(g.CoversWrite("/dev/tty"));  // terminals stay with the supervisor
  UniqueFd ruleset = g.MakeRuleset();
  if (!ruleset) {
    MESSAGE("Landlock is not available here: kernel check skipped");
    return;
  }
  CHECK(UnexpectedInRestrictedChild(ruleset, {{t.P("/t/a/w.txt"), O_WRONLY | O_TRUNC, true},
                                             {t.P("/t/a/c/new"), O_WRONLY | O_CREAT, true},
                                             {"/dev/null", O_WRONLY, true},
                                             {"/dev/null", O_RDONLY, true},
                                             {t.P("/t/a/b/f.txt"), O_RDONLY, true},
                                             {t.P("/t/top.txt"), O_WRONLY, false},
                                             {t.P("/t/created"), O_WRONLY | O_CREAT, false},
                                             {t.P("/t/a/b/f.txt"), O_RDWR, false},
                                             {t.P("/t/a/new"), O_WRONLY | O_CREAT, false}}) == 0);
  struct stat st {};
  CHECK(lstat(t.P("/t/created").c_str(), &st) != 0);
}

TEST_CASE("landlock: a policy without readable areas grants nothing") {
  Policy p;
  p.paths = {{"/", PathMode::kDeny}};
  LandlockGrants g = LandlockGrants::Compute(p, "");
  CHECK(g.Empty());
  CHECK_FALSE(g.MakeRuleset());
}

TEST_CASE("landlock: the kernel enforces exactly the grants") {
  Tree t;
  LandlockGrants g = LandlockGrants::Compute(t.policy, t.P("/store"));
  UniqueFd ruleset = g.MakeRuleset();
  if (!ruleset) {
    MESSAGE("Landlock is not available here: kernel check skipped");
    return;
  }
  CHECK(UnexpectedInRestrictedChild(ruleset, {{t.P("/t/a/b/f.txt"), O_RDONLY, true},
                                             {t.P("/t/top.txt"), O_RDONLY, true},
                                             {t.P("/t/secret/open/ok.txt"), O_RDONLY, true},
                                             {t.P("/t/link/f.txt"), O_RDONLY, true},  // the target decides
                                             {t.P("/t/secret/key"), O_RDONLY, false},
                                             {t.P("/t/secret"), O_RDONLY | O_DIRECTORY, false},  // hidden names
                                             {t.P("/t/tmp/x"), O_RDONLY, false},
                                             {"/etc/passwd", O_RDONLY, false}}) == 0);
}

TEST_CASE("landlock: only walks the kernel would take the same way count as host walks") {
  Tree t;
  t.policy.paths = {{"/", PathMode::kCow}};
  OverlayStore store(t.P("/store/s"), false);
  Vfs vfs(t.policy, store, getpid());
  Caller me{getpid()};
  ErrnoOr<Node> plain = vfs.Resolve(me, "/", t.P("/t/link/f.txt"), true);
  REQUIRE(plain.Ok());
  CHECK(plain->host_walk);
  CHECK(plain->layer == Layer::kHost);
  // A symlink that exists only in the overlay: the kernel would not find it on the host.
  ErrnoOr<Node> entry = vfs.Resolve(me, "/", t.P("/t/uplink"), false);
  REQUIRE(entry.Ok());
  ErrnoOr<std::string> target = vfs.CreationTarget(*entry);
  REQUIRE(target.Ok());
  REQUIRE(symlink(t.P("/t/a").c_str(), target->c_str()) == 0);
  vfs.Created(*entry, false);
  ErrnoOr<Node> via_upper = vfs.Resolve(me, "/", t.P("/t/uplink/b/f.txt"), true);
  REQUIRE(via_upper.Ok());
  CHECK(via_upper->layer == Layer::kHost);
  CHECK_FALSE(via_upper->host_walk);
  // /proc is never a host walk (magic links, per-process views).
  ErrnoOr<Node> proc = vfs.Resolve(me, "/", "/proc/version", true);
  REQUIRE(proc.Ok());
  CHECK_FALSE(proc->host_walk);
}

}  // namespace
}  // namespace bvisor
