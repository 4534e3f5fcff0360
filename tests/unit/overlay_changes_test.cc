// Unit tests for the overlay change list and the diff, apply and discard commands, against a real
// host tree in a temporary directory and a store filled by hand the way the supervisor fills it.
#include "overlay_changes.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "overlay.h"
#include "path.h"

namespace bvisor {
namespace {

using Kind = OverlayChange::Kind;
using Type = OverlayChange::Type;

void WriteFile(const std::string& path, const std::string& content, mode_t mode = 0644) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  REQUIRE(chmod(path.c_str(), mode) == 0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void MakeDir(const std::string& path, mode_t mode = 0755) {
  REQUIRE(mkdir(path.c_str(), 0700) == 0);
  REQUIRE(chmod(path.c_str(), mode) == 0);
}

bool Exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string LinkOf(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  REQUIRE(n >= 0);
  return std::string(buf, static_cast<size_t>(n));
}

// Every entry below `dir` as "type mode content-or-target", to compare a tree byte for byte.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  std::vector<std::string> stack{dir};
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    DIR* handle = opendir(d.c_str());
    REQUIRE(handle != nullptr);
    while (dirent* e = readdir(handle)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string p = d + "/" + name;
      struct stat st {};
      REQUIRE(lstat(p.c_str(), &st) == 0);
      std::string mode = std::to_string(st.st_mode & 07777);
      if (S_ISDIR(st.st_mode)) {
        out[p] = "dir " + mode;
        stack.push_back(p);
      } else if (S_ISLNK(st.st_mode)) {
        out[p] = "link " + LinkOf(p);
      } else {
        out[p] = "file " + mode + " " + ReadFile(p);
      }
    }
    closedir(handle);
  }
  return out;
}

// A host tree at <tmp>/host and a kept store at <tmp>/ov; both go at the end of the test.
class Fixture {
 public:
  Fixture() {
    std::string templ = "/tmp/bvisor-test-XXXXXX";
    REQUIRE(mkdtemp(templ.data()) != nullptr);
    char* real = realpath(templ.c_str(), nullptr);
    REQUIRE(real != nullptr);
    tmp_ = real;
    std::free(real);
    host_ = tmp_ + "/host";
    MakeDir(host_);
  }
  ~Fixture() { RemoveTree(tmp_); }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  const std::string& Host() const { return host_; }
  std::string H(const std::string& rel) const { return host_ + "/" + rel; }
  std::string OverlayDir() const { return tmp_ + "/ov"; }

 private:
  std::string tmp_;
  std::string host_;
};

// Fills a kept store the way the supervisor does: parents copied with the host's look, copy-ups
// with a baseline, new directories opaque.
class FakeOverlay {
 public:
  explicit FakeOverlay(const std::string& dir) : store_(dir, /*keep=*/true) {}

  OverlayStore& Store() { return store_; }

  // Upper directories for every ancestor of vpath, with the host's mode (plus u+rwx).
  void Parents(const std::string& vpath) {
    std::string parent(ParentPath(vpath));
    if (parent != "/") Parents(parent);
    store_.NoteUpperDir(parent);
    if (parent == "/") return;
    std::string upper = store_.UpperPath(parent);
    if (Exists(upper)) return;
    struct stat host {};
    mode_t mode = 0755;
    if (stat(parent.c_str(), &host) == 0) mode = (host.st_mode & 07777) | S_IRWXU;
    MakeDir(upper, mode);
  }

  void CopyUp(const std::string& vpath) {
    struct stat host {};
    REQUIRE(lstat(vpath.c_str(), &host) == 0);
    Parents(vpath);
    std::string upper = store_.UpperPath(vpath);
    if (S_ISLNK(host.st_mode)) {
      REQUIRE(symlink(LinkOf(vpath).c_str(), upper.c_str()) == 0);
    } else {
      WriteFile(upper, ReadFile(vpath), host.st_mode & 07777);
    }
    store_.RecordBaseline(vpath, host);
  }

  void Write(const std::string& vpath, const std::string& content, mode_t mode = 0644) {
    Parents(vpath);
    WriteFile(store_.UpperPath(vpath), content, mode);
  }

  void Symlink(const std::string& vpath, const std::string& target) {
    Parents(vpath);
    std::string upper = store_.UpperPath(vpath);
    unlink(upper.c_str());
    REQUIRE(symlink(target.c_str(), upper.c_str()) == 0);
  }

  void NewDir(const std::string& vpath, mode_t mode = 0755) {
    Parents(vpath);
    MakeDir(store_.UpperPath(vpath), mode);
    store_.NoteUpperDir(vpath);
    store_.SetOpaque(vpath);
    struct stat host {};
    if (lstat(vpath.c_str(), &host) == 0 && S_ISDIR(host.st_mode)) store_.SetReplacesHostDir(vpath);
  }

  void Delete(const std::string& vpath) { store_.AddWhiteout(vpath); }

  void Save() { store_.SaveState(); }

 private:
  OverlayStore store_;
};

struct Want {
  std::string path;
  Kind kind;
  Type type;
  bool content_differs;
};

void CheckChanges(const std::vector<OverlayChange>& got, const std::vector<Want>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(want[i].path);
    CHECK(got[i].path == want[i].path);
    CHECK(got[i].kind == want[i].kind);
    CHECK(got[i].type == want[i].type);
    CHECK(got[i].content_differs == want[i].content_differs);
  }
}

struct Output {
  int status;
  std::string out;
  std::string err;
};

Output Diff(const std::string& dir) {
  std::ostringstream out, err;
  int status = DiffCommand(dir, out, err);
  return {status, out.str(), err.str()};
}

Output Apply(const std::string& dir, ApplyOptions options = {}) {
  std::ostringstream out, err;
  int status = ApplyCommand(dir, options, out, err);
  return {status, out.str(), err.str()};
}

TEST_CASE("overlay_changes: created, modified, metadata and deleted entries are told apart") {
  Fixture fx;
  WriteFile(fx.H("edited.txt"), "one\n");
  WriteFile(fx.H("same.txt"), "same\n");
  WriteFile(fx.H("run.sh"), "echo\n", 0644);
  WriteFile(fx.H("gone.txt"), "bye\n");
  WriteFile(fx.H("untouched.txt"), "keep\n");
  MakeDir(fx.H("olddir"));
  WriteFile(fx.H("olddir/x"), "x\n");
  REQUIRE(symlink("edited.txt", fx.H("link").c_str()) == 0);
  REQUIRE(symlink("same.txt", fx.H("samelink").c_str()) == 0);
  {
    FakeOverlay ov(fx.OverlayDir());
    ov.CopyUp(fx.H("edited.txt"));
    ov.Write(fx.H("edited.txt"), "two\n");
    ov.CopyUp(fx.H("same.txt"));
    ov.CopyUp(fx.H("run.sh"));
    REQUIRE(chmod(ov.Store().UpperPath(fx.H("run.sh")).c_str(), 0755) == 0);
    ov.Write(fx.H("new.txt"), "new\n");
    ov.NewDir(fx.H("newdir"));
    ov.Write(fx.H("newdir/f"), "f\n");
    ov.Symlink(fx.H("link"), "same.txt");
    ov.Symlink(fx.H("samelink"), "same.txt");  // rewritten with the same target, no baseline
    ov.Write(fx.H(".bvisor-copyup-untouched.txt"), "half");
    ov.Delete(fx.H("gone.txt"));
    ov.Delete(fx.H("olddir/x"));
    ov.Delete(fx.H("olddir"));
    ov.Delete(fx.H("never-existed"));
    WriteFile(ov.Store().PrivatePath(0) + "/scratch", "not a host change");
    ov.Save();
  }
  const OverlayStore store = OverlayStore::OpenKept(fx.OverlayDir());
  CheckChanges(CollectOverlayChanges(store), {
                                                 {fx.H("edited.txt"), Kind::kModified, Type::kFile, true},
                                                 {fx.H("gone.txt"), Kind::kDeleted, Type::kFile, false},
                                                 {fx.H("link"), Kind::kModified, Type::kSymlink, true},
                                                 {fx.H("new.txt"), Kind::kCreated, Type::kFile, false},
                                                 {fx.H("newdir"), Kind::kCreated, Type::kDir, false},
                                                 {fx.H("newdir/f"), Kind::kCreated, Type::kFile, false},
                                                 {fx.H("olddir"), Kind::kDeleted, Type::kDir, false},
                                                 {fx.H("run.sh"), Kind::kMetadata, Type::kFile, false},
                                                 {fx.H("same.txt"), Kind::kModified, Type::kFile, false},
                                             });
  const std::vector<OverlayChange> changes = CollectOverlayChanges(store);
  CHECK(changes[0].size == 4);  // the upper size
  CHECK(changes[1].size == 4);  // the host size of what goes
}

TEST_CASE("overlay_changes: entries of a directory created fresh are new even where the host has the name") {
  Fixture fx;
  MakeDir(fx.H("d"));
  WriteFile(fx.H("d/same.txt"), "host\n");
  WriteFile(fx.H("d/hidden.txt"), "host only\n");
  MakeDir(fx.H("d/sub"));
  WriteFile(fx.H("d/sub/deep"), "deep\n");
  {
    // rm -rf d; mkdir d; echo host > d/same.txt
    FakeOverlay ov(fx.OverlayDir());
    ov.NewDir(fx.H("d"));
    ov.Write(fx.H("d/same.txt"), "host\n");
    ov.Save();
  }
  const OverlayStore store = OverlayStore::OpenKept(fx.OverlayDir());
  CheckChanges(CollectOverlayChanges(store), {
                                                 {fx.H("d/hidden.txt"), Kind::kDeleted, Type::kFile, false},
                                                 {fx.H("d/same.txt"), Kind::kCreated, Type::kFile, false},
                                                 {fx.H("d/sub"), Kind::kDeleted, Type::kDir, false},
                                             });
}

TEST_CASE("overlay_changes: a type change is a modification") {
  Fixture fx;
  WriteFile(fx.H("was-file"), "f\n");
  MakeDir(fx.H("was-dir"));
  WriteFile(fx.H("was-dir/inner"), "i\n");
  {
    FakeOverlay ov(fx.OverlayDir());
    ov.NewDir(fx.H("was-file"));
    ov.Write(fx.H("was-dir"), "now a file\n");
    ov.Delete(fx.H("was-dir/inner"));
    ov.Save();
  }
  const OverlayStore store = OverlayStore::OpenKept(fx.OverlayDir());
  CheckChanges(CollectOverlayChanges(store), {
                                                 {fx.H("was-dir"), Kind::kModified, Type::kFile, true},
                                                 {fx.H("was-file"), Kind::kModified, Type::kDir, true},
                                             });
}

TEST_CASE("overlay_changes: diff prints unified hunks word for word") {
  const std::string ten = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  struct Case {
    const char* name;
    std::string old_text;
    std::string new_text;
    std::string hunks;
  } cases[] = {
      {"one line changed", ten, "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
       "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
      {"first line removed", ten, "2\n3\n4\n5\n6\n7\n8\n9\n10\n", "@@ -1,4 +1,3 @@\n-1\n 2\n 3\n 4\n"},
      {"line added at the end", ten, ten + "11\n", "@@ -8,3 +8,4 @@\n 8\n 9\n 10\n+11\n"},
      {"changes six lines apart share a hunk", ten, "1\nB\n3\n4\n5\n6\n7\n8\nI\n10\n",
       "@@ -1,10 +1,10 @@\n 1\n-2\n+B\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+I\n 10\n"},
      {"changes seven lines apart get two hunks", ten + "11\n", "A\n2\n3\n4\n5\n6\n7\n8\n9\nJ\n11\n",
       "@@ -1,4 +1,4 @@\n-1\n+A\n 2\n 3\n 4\n@@ -7,5 +7,5 @@\n 7\n 8\n 9\n-10\n+J\n 11\n"},
      {"missing final newline", "a\nb\n", "a\nb",
       "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n"},
      {"single line ranges drop the count", "x\n", "y\n", "@@ -1 +1 @@\n-x\n+y\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Fixture fx;
    WriteFile(fx.H("a.txt"), c.old_text);
    {
      FakeOverlay ov(fx.OverlayDir());
      ov.CopyUp(fx.H("a.txt"));
      ov.Write(fx.H("a.txt"), c.new_text);
      ov.Save();
    }
    const Output got = Diff(fx.OverlayDir());
    CHECK(got.status == 0);
    CHECK(got.err.empty());
    const std::string path = fx.H("a.txt");
    CHECK(got.out == " M " + path + "\n\n--- a" + path + "\n+++ b" + path + "\n" + c.hunks +
                         "1 file changed: 0 created, 1 modified, 0 deleted\n");
  }
}

TEST_CASE("overlay_changes: diff lists every change and shows new, gone and binary files") {
  Fixture fx;
  WriteFile(fx.H("gone.txt"), "bye\n");
  WriteFile(fx.H("blob"), std::string("a\0b", 3));
  WriteFile(fx.H("mode.sh"), "echo\n");
  {
    FakeOverlay ov(fx.OverlayDir());
    ov.Write(fx.H("new.txt"), "hello\nworld\n");
    ov.CopyUp(fx.H("blob"));
    ov.Write(fx.H("blob"), std::string("a\0c", 3));
    ov.CopyUp(fx.H("mode.sh"));
    REQUIRE(chmod(ov.Store().UpperPath(fx.H("mode.sh")).c_str(), 0755) == 0);
    ov.Delete(fx.H("gone.txt"));
    ov.Save();
  }
  const Output got = Diff(fx.OverlayDir());
  CHECK(got.status == 0);
  CHECK(got.err.empty());
  const std::string& h = fx.Host();
  CHECK(got.out == " M " + h + "/blob\n" +                                   //
                       " D " + h + "/gone.txt\n" +                           //
                       " T " + h + "/mode.sh (mode 0644 -> 0755)\n" +        //
                       " A " + h + "/new.txt\n" +                            //
                       "\n" +                                                //
                       "Binary files a" + h + "/blob and b" + h + "/blob differ\n" +
                       "--- a" + h + "/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n" +
                       "--- /dev/null\n+++ b" + h + "/new.txt\n@@ -0,0 +1,2 @@\n+hello\n+world\n" +
                       "4 files changed: 1 created, 2 modified, 1 deleted\n");
}

TEST_CASE("overlay_changes: diff of a directory that is not an overlay fails with the reason") {
  Fixture fx;
  const Output got = Diff(fx.Host());
  CHECK(got.status == 2);
  CHECK(got.out.empty());
  CHECK(got.err == "bvisor: " + fx.Host() + ": not a kept bvisor overlay (no BVISOR_OVERLAY file)\n");
}

// A host tree and an overlay over it with one change of every kind.
void BuildEveryKind(const Fixture& fx) {
  WriteFile(fx.H("edited.txt"), "old\n");
  WriteFile(fx.H("gone.txt"), "bye\n");
  WriteFile(fx.H("mode.sh"), "echo\n", 0644);
  REQUIRE(symlink("edited.txt", fx.H("link").c_str()) == 0);
  MakeDir(fx.H("tree"));
  MakeDir(fx.H("tree/sub"));
  WriteFile(fx.H("tree/sub/leaf"), "leaf\n");
  MakeDir(fx.H("fresh"));
  WriteFile(fx.H("fresh/stale"), "stale\n");
  FakeOverlay ov(fx.OverlayDir());
  ov.CopyUp(fx.H("edited.txt"));
  ov.Write(fx.H("edited.txt"), "new\nlines\n");
  ov.CopyUp(fx.H("mode.sh"));
  REQUIRE(chmod(ov.Store().UpperPath(fx.H("mode.sh")).c_str(), 0755) == 0);
  ov.Symlink(fx.H("link"), "mode.sh");
  ov.NewDir(fx.H("made"), 0750);
  ov.NewDir(fx.H("made/deeper"));
  ov.Write(fx.H("made/deeper/file"), "deep\n", 0600);
  ov.Symlink(fx.H("made/ln"), "deeper/file");
  ov.NewDir(fx.H("fresh"));  // rm -rf fresh; mkdir fresh; echo > fresh/new
  ov.Write(fx.H("fresh/new"), "new\n");
  ov.Delete(fx.H("gone.txt"));
  ov.Delete(fx.H("tree"));
  ov.Save();
}

TEST_CASE("overlay_changes: apply makes the host look like the overlay") {
  Fixture fx;
  BuildEveryKind(fx);
  const Output got = Apply(fx.OverlayDir());
  CHECK(got.err.empty());
  CHECK(got.status == 0);
  CHECK(got.out == "applied 11 changes\n");
  CHECK(ReadFile(fx.H("edited.txt")) == "new\nlines\n");
  CHECK(ModeOf(fx.H("edited.txt")) == 0644);
  CHECK_FALSE(Exists(fx.H("gone.txt")));
  CHECK(ModeOf(fx.H("mode.sh")) == 0755);
  CHECK(ReadFile(fx.H("mode.sh")) == "echo\n");
  CHECK(LinkOf(fx.H("link")) == "mode.sh");
  CHECK_FALSE(Exists(fx.H("tree")));
  CHECK(ModeOf(fx.H("made")) == 0750);
  CHECK(ReadFile(fx.H("made/deeper/file")) == "deep\n");
  CHECK(ModeOf(fx.H("made/deeper/file")) == 0600);
  CHECK(LinkOf(fx.H("made/ln")) == "deeper/file");
  CHECK(ReadFile(fx.H("fresh/new")) == "new\n");
  CHECK_FALSE(Exists(fx.H("fresh/stale")));
  // No temporaries left next to the targets.
  for (const auto& [path, what] : Snapshot(fx.Host())) {
    CAPTURE(path);
    CHECK(std::string(BaseName(path)).find(".bvisor-") == std::string::npos);
  }
}

TEST_CASE("overlay_changes: apply replaces entries whose type changed") {
  Fixture fx;
  WriteFile(fx.H("was-file"), "f\n");
  MakeDir(fx.H("was-dir"));
  WriteFile(fx.H("was-dir/inner"), "i\n");
  {
    FakeOverlay ov(fx.OverlayDir());
    ov.NewDir(fx.H("was-file"));
    ov.Write(fx.H("was-file/child"), "c\n");
    ov.Write(fx.H("was-dir"), "now a file\n");
    ov.Save();
  }
  const Output got = Apply(fx.OverlayDir());
  CHECK(got.err.empty());
  CHECK(got.status == 0);
  CHECK(ReadFile(fx.H("was-file/child")) == "c\n");
  CHECK(ReadFile(fx.H("was-dir")) == "now a file\n");
}

TEST_CASE("overlay_changes: a directory made again replaces the host entries the sandbox removed") {
  // rm -rf build; mkdir -p build/obj; cc -o build/obj/a.o: the host's build/obj/a.o was
  // removed in the sandbox, so the new one replaces it without a conflict.
  Fixture fx;
  MakeDir(fx.H("build"));
  MakeDir(fx.H("build/obj"));
  WriteFile(fx.H("build/obj/a.o"), "old object\n");
  WriteFile(fx.H("build/stale.o"), "stale\n");
  {
    FakeOverlay ov(fx.OverlayDir());
    ov.NewDir(fx.H("build"));
    ov.NewDir(fx.H("build/obj"));
    ov.Write(fx.H("build/obj/a.o"), "new object\n");
    ov.Save();
  }
  const Output got = Apply(fx.OverlayDir());
  CHECK(got.err.empty());
  CHECK(got.status == 0);
  CHECK(ReadFile(fx.H("build/obj/a.o")) == "new object\n");
  CHECK_FALSE(Exists(fx.H("build/stale.o")));
}

TEST_CASE("overlay_changes: apply refuses conflicts without writing, and --force overrides") {
  struct Case {
    const char* name;
    void (*host_change)(const Fixture&);
    const char* path;
    const char* why;
    const char* applied;
  } cases[] = {
      {"a copied-up file changed on the host",
       [](const Fixture& fx) { WriteFile(fx.H("edited.txt"), "changed meanwhile\n"); }, "edited.txt",
       "changed on the host since it was copied into the overlay", "applied 11 changes\n"},
      // The host's new directory is no change any more (same mode); its new file is a conflict.
      {"a new file that the host has now",
       [](const Fixture& fx) {
         MakeDir(fx.H("made"), 0750);
         WriteFile(fx.H("made/ln"), "mine\n");
       },
       "made/ln", "exists on the host now", "applied 10 changes\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Fixture fx;
    BuildEveryKind(fx);
    c.host_change(fx);
    const std::map<std::string, std::string> before = Snapshot(fx.Host());

    const Output refused = Apply(fx.OverlayDir());
    CHECK(refused.status == 1);
    CHECK(refused.out.empty());
    CHECK(refused.err == "bvisor: " + fx.H(c.path) + ": " + c.why +
                             "\nbvisor: nothing applied (use --force to overwrite)\n");
    CHECK(Snapshot(fx.Host()) == before);

    const Output dry = Apply(fx.OverlayDir(), {.force = false, .dry_run = true});
    CHECK(dry.status == 1);
    CHECK(Snapshot(fx.Host()) == before);

    const Output forced = Apply(fx.OverlayDir(), {.force = true, .dry_run = false});
    CHECK(forced.status == 0);
    CHECK(forced.out == c.applied);
    CHECK(ReadFile(fx.H("edited.txt")) == "new\nlines\n");
    CHECK(LinkOf(fx.H("made/ln")) == "deeper/file");
  }
}

TEST_CASE("overlay_changes: a dry run says what would change and changes nothing") {
  Fixture fx;
  BuildEveryKind(fx);
  const std::map<std::string, std::string> before = Snapshot(fx.Host());
  const Output got = Apply(fx.OverlayDir(), {.force = false, .dry_run = true});
  CHECK(got.status == 0);
  CHECK(got.err.empty());
  CHECK(got.out == "would modify " + fx.H("edited.txt") + "\n" +         //
                       "would create " + fx.H("fresh/new") + "\n" +      //
                       "would delete " + fx.H("fresh/stale") + "\n" +    //
                       "would delete " + fx.H("gone.txt") + "\n" +       //
                       "would modify " + fx.H("link") + "\n" +           //
                       "would create " + fx.H("made") + "\n" +           //
                       "would create " + fx.H("made/deeper") + "\n" +    //
                       "would create " + fx.H("made/deeper/file") + "\n" +
                       "would create " + fx.H("made/ln") + "\n" +        //
                       "would modify " + fx.H("mode.sh") + "\n" +        //
                       "would delete " + fx.H("tree") + "\n" +           //
                       "would apply 11 changes\n");
  CHECK(Snapshot(fx.Host()) == before);
}

TEST_CASE("overlay_changes: discard removes a kept overlay and refuses other directories") {
  Fixture fx;
  { FakeOverlay ov(fx.OverlayDir()); }
  std::ostringstream out, err;
  CHECK(DiscardCommand(fx.OverlayDir(), out, err) == 0);
  CHECK(out.str() == "discarded " + fx.OverlayDir() + "\n");
  CHECK(err.str().empty());
  CHECK_FALSE(Exists(fx.OverlayDir()));

  std::ostringstream out2, err2;
  CHECK(DiscardCommand(fx.Host(), out2, err2) == 2);
  CHECK(out2.str().empty());
  CHECK(err2.str() == "bvisor: " + fx.Host() + ": not a kept bvisor overlay (no BVISOR_OVERLAY file)\n");
  CHECK(Exists(fx.Host()));
}

}  // namespace
}  // namespace bvisor
