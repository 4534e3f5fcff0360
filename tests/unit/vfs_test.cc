// Unit tests for the copy-on-write side of the Vfs against a real host tree in a temporary
// directory: directory renames, link counts of merged directories, and what stays on the host.
#include "vfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "overlay.h"
#include "policy.h"

namespace bvisor {
namespace {

void WriteFile(const std::string& path, const std::string& content) { std::ofstream(path) << content; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A host tree, a store and a Vfs whose policy makes everything copy-on-write, except src/ro
// when `ro_rule`.
struct Fixture {
  explicit Fixture(bool ro_rule = true) {
    char templ[] = "/tmp/bvisor-vfs-test-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    root = templ;
    host = root + "/host";
    REQUIRE(mkdir(host.c_str(), 0755) == 0);
    REQUIRE(mkdir(H("src").c_str(), 0755) == 0);
    REQUIRE(mkdir(H("src/lib").c_str(), 0555) == 0);
    WriteFile(H("src/main.c"), "main\n");
    REQUIRE(symlink("main.c", H("src/link").c_str()) == 0);
    REQUIRE(mkdir(H("ro").c_str(), 0755) == 0);
    REQUIRE(mkdir(H("src/ro").c_str(), 0755) == 0);
    policy.paths = {{"/", PathMode::kCow}};
    if (ro_rule) policy.paths.push_back({H("src/ro"), PathMode::kRo});
    store.emplace(root + "/store", false);
    vfs.emplace(policy, *store, getpid());
  }
  ~Fixture() {
    vfs.reset();
    store.reset();
    RemoveTree(root);
  }
  std::string H(const std::string& rel) const { return host + "/" + rel; }
  Node Get(const std::string& rel) { return vfs->Lookup(Caller{getpid()}, H(rel)); }
  std::vector<std::string> Names(const std::string& rel) {
    ErrnoOr<std::vector<DirEntry>> list = vfs->List(Get(rel));
    REQUIRE(list.Ok());
    std::vector<std::string> names;
    for (const DirEntry& e : *list) names.push_back(e.name);
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string root, host;
  Policy policy;
  std::optional<OverlayStore> store;
  std::optional<Vfs> vfs;
};

TEST_CASE("vfs: renaming a host directory moves a copy and leaves the host alone") {
  Fixture fx(/*ro_rule=*/false);
  ErrnoOr<Node> w = fx.vfs->Writable(fx.Get("src/main.c"));
  REQUIRE(w.Ok());
  WriteFile(w->real, "changed\n");
  REQUIRE(fx.vfs->Rename(fx.Get("src"), fx.Get("moved"), 0) == 0);
  CHECK_FALSE(fx.Get("src").Exists());
  const Node moved = fx.Get("moved");
  REQUIRE(moved.Exists());
  CHECK(moved.layer == Layer::kUpper);
  CHECK(fx.Names("moved") == std::vector<std::string>{"lib", "link", "main.c", "ro"});
  CHECK(ReadFile(fx.Get("moved/main.c").real) == "changed\n");
  // The host's look, kept (a supervisor that cannot override permissions adds u+rwx).
  CHECK((fx.Get("moved/lib").st.st_mode & 07777) == (fx.store->ExactDirModes() ? 0555 : 0755));
  CHECK(S_ISLNK(fx.Get("moved/link").st.st_mode));
  // The host is untouched.
  CHECK(ReadFile(fx.H("src/main.c")) == "main\n");
  struct stat st {};
  CHECK(lstat(fx.H("moved").c_str(), &st) != 0);
  // A directory of the same name made afterwards is empty.
  ErrnoOr<std::string> again = fx.vfs->CreationTarget(fx.Get("src"));
  REQUIRE(again.Ok());
  REQUIRE(mkdir(again->c_str(), 0755) == 0);
  fx.vfs->Created(fx.Get("src"), true);
  CHECK(fx.Names("src").empty());
}

TEST_CASE("vfs: a directory holding another rule's area is not moved (EXDEV)") {
  Fixture fx;
  CHECK(fx.vfs->Rename(fx.Get("src"), fx.Get("moved"), 0) == EXDEV);
  CHECK(fx.Get("src").layer == Layer::kHost);
  CHECK_FALSE(fx.Get("moved").Exists());
}

TEST_CASE("vfs: renaming one name of a file over another name of it does nothing") {
  Fixture fx;
  ErrnoOr<Node> w = fx.vfs->Writable(fx.Get("src/main.c"));
  REQUIRE(w.Ok());
  ErrnoOr<std::string> target = fx.vfs->CreationTarget(fx.Get("src/hard"));
  REQUIRE(target.Ok());
  REQUIRE(link(w->real.c_str(), target->c_str()) == 0);
  fx.vfs->Created(fx.Get("src/hard"), false);
  CHECK(fx.vfs->Rename(fx.Get("src/main.c"), fx.Get("src/hard"), 0) == 0);
  CHECK(fx.Get("src/main.c").Exists());
  CHECK(fx.Get("src/hard").Exists());
}

TEST_CASE("vfs: a merged directory counts its visible subdirectories") {
  Fixture fx;
  CHECK(fx.vfs->LinkCount(fx.Get("src")) == 4);  // ., .., lib, ro
  ErrnoOr<std::string> target = fx.vfs->CreationTarget(fx.Get("src/new"));
  REQUIRE(target.Ok());
  REQUIRE(mkdir(target->c_str(), 0755) == 0);
  fx.vfs->Created(fx.Get("src/new"), true);
  CHECK(fx.vfs->LinkCount(fx.Get("src")) == 5);
  REQUIRE(fx.vfs->Remove(fx.Get("src/lib"), true) == 0);
  CHECK(fx.vfs->LinkCount(fx.Get("src")) == 4);
  CHECK(fx.vfs->LinkCount(fx.Get("src/main.c")) == 1);
}

}  // namespace
}  // namespace bvisor
