// Unit tests for the overlay store's bookkeeping: marker prefixes, and the journal that keeps a
// kept store's state across a crash of the supervisor.
#include "overlay.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <doctest/doctest.h>

namespace bvisor {
namespace {

class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/bvisor-overlay-test-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    path_ = templ;
  }
  ~TempDir() { RemoveTree(path_); }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct stat HostStat(int64_t size) {
  struct stat st {};
  st.st_size = size;
  st.st_mtim.tv_sec = 7;
  st.st_ino = 42;
  st.st_mode = S_IFREG | 0644;
  return st;
}

// Makes the changes of a short run in `store`.
void MakeChanges(OverlayStore& store) {
  store.AddWhiteout("/a");
  store.AddWhiteout("/a/b");
  store.AddWhiteout("/ab");
  store.SetOpaque("/d");
  store.SetReplacesHostDir("/d");
  store.RecordBaseline("/f", HostStat(3));
  store.RecordBaseline("/f", HostStat(9));  // the first copy-up's baseline stays
  store.ForgetBelow("/a");
  store.AddWhiteout("/gone");
  store.RemoveWhiteout("/gone");
  store.SetExactDirModes(true);
}

void CheckChanges(const OverlayStore& store) {
  CHECK(store.Whiteouts() == std::set<std::string>{"/ab"});
  CHECK(store.Opaque() == std::set<std::string>{"/d"});
  CHECK(store.ReplacesHostDir("/d"));
  REQUIRE(store.Baselines().count("/f") == 1);
  CHECK(store.Baselines().at("/f").size == 3);
  CHECK(store.Baselines().at("/f").ino == 42);
  CHECK(store.ExactDirModes());
}

TEST_CASE("overlay: ForgetBelow drops a path and what is below it, not its siblings") {
  TempDir tmp;
  OverlayStore store(tmp.Sub("o"), false);
  for (const char* p : {"/a", "/a/b", "/a/b/c", "/a-b", "/ab", "/b"}) store.AddWhiteout(p);
  store.SetOpaque("/a/x");
  store.ForgetBelow("/a");
  CHECK(store.Whiteouts() == std::set<std::string>{"/a-b", "/ab", "/b"});
  CHECK(store.Opaque().empty());
  store.ForgetBelow("/");
  CHECK(store.Whiteouts().empty());
}

TEST_CASE("overlay: a kept store's changes survive a crash through the journal") {
  TempDir tmp;
  const std::string dir = tmp.Sub("kept");
  // A supervisor that dies never runs the destructor that folds the journal into state.json.
  auto* crashed = new OverlayStore(dir, true);
  MakeChanges(*crashed);
  CheckChanges(OverlayStore::OpenKept(dir));

  SUBCASE("a line cut off by the crash is ignored") {
    std::ofstream(dir + "/state.journal", std::ios::app) << R"({"op":"whiteout","pa)";
    CheckChanges(OverlayStore::OpenKept(dir));
  }
  SUBCASE("replaying the journal over a state that holds it changes nothing") {
    crashed->SaveState();
    std::ofstream(dir + "/state.journal", std::ios::app) << R"({"op":"whiteout","path":"/a/b"})" << "\n"
                                                          << R"({"op":"forget","path":"/a"})" << "\n";
    CheckChanges(OverlayStore::OpenKept(dir));
  }
  delete crashed;  // an orderly exit: everything is in state.json, the journal is empty
  CheckChanges(OverlayStore::OpenKept(dir));
  struct stat journal {};
  REQUIRE(stat((dir + "/state.journal").c_str(), &journal) == 0);
  CHECK(journal.st_size == 0);
}

TEST_CASE("overlay: names that are not UTF-8 survive the journal and state.json") {
  TempDir tmp;
  const std::string dir = tmp.Sub("kept");
  const std::string bad = "/bad\xffname", overlong = "/\xc0\xaf", surrogate = "/\xed\xa0\x80";
  const std::string cafe = "/caf\xc3\xa9";
  auto check = [&](const OverlayStore& store) {
    CHECK(store.Whiteouts() == std::set<std::string>{bad, cafe});
    CHECK(store.Opaque() == std::set<std::string>{overlong});
    REQUIRE(store.Baselines().count(surrogate) == 1);
    CHECK(store.Baselines().at(surrogate).size == 5);
    CHECK(store.Baselines().count(cafe) == 1);
  };
  auto* store = new OverlayStore(dir, true);
  store->AddWhiteout(bad);
  store->AddWhiteout(cafe);
  store->SetOpaque(overlong);
  store->RecordBaseline(surrogate, HostStat(5));
  store->RecordBaseline(cafe, HostStat(6));
  check(OverlayStore::OpenKept(dir));  // from the journal
  delete store;
  check(OverlayStore::OpenKept(dir));  // from state.json
  std::ifstream in(dir + "/state.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"/caf\xc3\xa9\"") != std::string::npos);  // UTF-8 names stay strings
}

}  // namespace
}  // namespace bvisor
