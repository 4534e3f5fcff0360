// libFuzzer target for path handling: the lexical helpers of path.h on arbitrary strings, and
// Vfs::Resolve on a small fixed tree (made once) full of symlinks that point at denied areas, at
// the overlay store, at "..", at "/" and at themselves. A resolved node must never lie under a
// deny rule or in the store, and a host node's real path must contain no symlink the Vfs did not
// follow itself.
//
// Input: the path string (PATH_FUZZER_TRACE=1 prints what each resolves to). A leading '@' stands for the tree's root (its name changes every run);
// other paths are absolute or relative to the tree's root.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "overlay.h"
#include "path.h"
#include "policy.h"
#include "vfs.h"

namespace bvisor {
namespace {

[[noreturn]] void Violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "path_fuzzer: invariant violated: %s: [%.*s]\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void Check(bool ok, const char* what, std::string_view detail) {
  if (!ok) Violated(what, detail);
}

[[noreturn]] void SetupFailed(const std::string& what) {
  std::fprintf(stderr, "path_fuzzer: setup: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// ---- Lexical helpers ----------------------------------------------------------------------------

void CheckNormalised(std::string_view in) {
  const std::string n = NormaliseLexically(in);
  Check(!n.empty() && n[0] == '/', "NormaliseLexically gives an absolute path", in);
  Check(NormaliseLexically(n) == n, "NormaliseLexically is idempotent", in);
  Check(n.find("//") == std::string::npos, "no // after normalising", in);
  Check(n.find("/./") == std::string::npos && !n.ends_with("/."), "no /./ after normalising", in);
  Check(n.find("/../") == std::string::npos && !n.ends_with("/.."), "no /../ after normalising", in);
  Check(n == "/" || n.back() != '/', "no trailing / after normalising", in);
  Check(PathIsUnder(n, "/"), "everything normalised is under /", in);
  Check(PathIsUnder(n, n), "a path is under itself", in);
  for (std::string_view c : SplitComponents(n)) {
    Check(!c.empty() && c.find('/') == std::string_view::npos && c != "." && c != "..",
          "components of a normalised path are plain names", in);
  }
  if (n != "/") {
    const std::string_view parent = ParentPath(n);
    Check(PathIsUnder(n, parent) && parent != n, "a path is strictly under its parent", in);
    Check(JoinPath(parent, BaseName(n)) == n, "JoinPath(ParentPath, BaseName) rebuilds the path", in);
    Check(!PathIsUnder(parent, n), "a parent is not under its child", in);
  }
}

void CheckPair(std::string_view a_raw, std::string_view b_raw) {
  const std::string a = NormaliseLexically(a_raw);
  const std::string b = NormaliseLexically(b_raw);
  const std::string detail = a + " | " + b;
  const bool ab = PathIsUnder(a, b);
  const bool ba = PathIsUnder(b, a);
  Check(!(ab && ba) || a == b, "PathIsUnder is antisymmetric", detail);
  if (ab) {
    // Under means: a component-wise prefix, so b + "/" + below rebuilds a.
    std::string_view below = PathBelow(a, b);
    Check(below.empty() == (a == b), "PathBelow is empty only for equal paths", detail);
    if (!below.empty()) Check(JoinPath(b, below) == a, "JoinPath(prefix, PathBelow) rebuilds the path", detail);
    Check(PathIsUnder(ParentPath(a), b) || a == b, "the parent of something strictly under b is under b", detail);
  } else {
    const bool textual_prefix = a.compare(0, b.size(), b) == 0;
    Check(!textual_prefix || b == "/" || (a.size() > b.size() && a[b.size()] != '/'),
          "a textual prefix that is not a component prefix", detail);
  }
  // Joining a relative path without ".." never leaves the base.
  const std::string rel(b_raw.substr(std::min(b_raw.find_first_not_of('/'), b_raw.size())));
  bool has_dotdot = false;
  for (std::string_view c : SplitComponents(rel)) has_dotdot = has_dotdot || c == "..";
  const std::string joined = JoinPath(a, rel);
  Check(joined.starts_with(a), "JoinPath starts with its base", detail);
  if (!has_dotdot) Check(PathIsUnder(NormaliseLexically(joined), a), "JoinPath without .. stays under base", detail);
  if (!b_raw.empty() && b_raw[0] == '/') Check(JoinPath(a, b_raw) == b_raw, "JoinPath keeps an absolute rel", detail);
}

// ---- Vfs::Resolve on a fixed tree -------------------------------------------------------------

struct World {
  std::string top;    // the tree's root on the host (and in the view)
  std::string scratch;
  Policy policy;
  std::unique_ptr<OverlayStore> store;
  std::unique_ptr<Vfs> vfs;
};

void MakeDir(const std::string& p) {
  if (mkdir(p.c_str(), 0755) != 0) SetupFailed("mkdir " + p);
}
void MakeFile(const std::string& p) {
  int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, "x", 1) != 1) SetupFailed("create " + p);
  close(fd);
}
void MakeLink(const std::string& target, const std::string& p) {
  if (symlink(target.c_str(), p.c_str()) != 0) SetupFailed("symlink " + p);
}

World* g_world = nullptr;

void RemoveScratch() {
  // The store removes itself in its destructor; what remains is the host tree.
  if (g_world != nullptr) {
    g_world->vfs.reset();
    g_world->store.reset();
    RemoveTree(g_world->scratch);
  }
}

World& GetWorld() {
  if (g_world != nullptr) return *g_world;
  auto* w = new World;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string templ = std::string(tmpdir != nullptr && tmpdir[0] == '/' ? tmpdir : "/tmp") + "/bvisor-fuzz-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) SetupFailed("mkdtemp " + templ);
  char* real = realpath(templ.c_str(), nullptr);
  if (real == nullptr) SetupFailed("realpath " + templ);
  w->scratch = real;
  std::free(real);
  const std::string t = w->scratch + "/t";
  w->top = t;

  // The host tree.
  MakeDir(t);
  MakeFile(t + "/file");
  MakeDir(t + "/dir");
  MakeDir(t + "/dir/sub");
  MakeFile(t + "/dir/sub/f");
  MakeDir(t + "/secret");
  MakeFile(t + "/secret/key");
  MakeDir(t + "/secret/allowed");
  MakeFile(t + "/secret/allowed/x");
  MakeDir(t + "/secret/sub");
  MakeFile(t + "/secret/sub/y");
  MakeDir(t + "/ro");
  MakeFile(t + "/ro/f");
  MakeLink("../secret/key", t + "/ro/to_secret");
  MakeLink(t + "/secret/sub", t + "/ro/abs_secret");
  MakeLink("../dir", t + "/ro/to_dir");
  MakeDir(t + "/rw");
  MakeFile(t + "/rw/f");
  MakeLink("../secret", t + "/rw/to_secret");
  MakeDir(t + "/tmp");
  MakeFile(t + "/tmp/host_only");
  MakeLink("secret", t + "/l_secret");
  MakeLink("secret/key", t + "/l_secret_key");
  MakeLink("./dir/../secret/./sub/", t + "/l_secret_tricky");
  MakeLink("..", t + "/l_up");
  MakeLink("/", t + "/l_root");
  MakeLink("l_loop", t + "/l_loop");
  MakeLink("l_chain2", t + "/l_chain1");
  MakeLink("dir/sub", t + "/l_chain2");
  MakeLink("../../../../../../../..", t + "/l_dotdot");
  MakeLink("nonexistent/x", t + "/l_dangling");
  MakeLink("dir/", t + "/l_slash");
  MakeLink("tmp/../secret", t + "/l_tmp_secret");
  MakeLink("file/", t + "/l_file_slash");
  MakeFile(t + "/deleted");
  MakeDir(t + "/ddir");
  MakeFile(t + "/ddir/inner");
  MakeLink("deleted", t + "/l_deleted");

  // The store lives inside the viewed tree, reachable by name and through links.
  const std::string store_dir = t + "/store";
  MakeLink(store_dir + "/upper", t + "/l_store_upper");
  MakeLink("store", t + "/l_store");

  // "/" is denied: the tree's ancestors become the traversable skeleton.
  w->policy.name = "fuzz";
  w->policy.paths = {
      {"/", PathMode::kDeny},           {t, PathMode::kCow},
      {t + "/ro", PathMode::kRo},       {t + "/rw", PathMode::kRw},
      {t + "/tmp", PathMode::kTmp},     {t + "/secret", PathMode::kDeny},
      {t + "/secret/allowed", PathMode::kRo},
  };
  try {
    w->store = std::make_unique<OverlayStore>(store_dir, false);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "path_fuzzer: setup: OverlayStore: %s\n", e.what());
    std::exit(1);
  }
  w->vfs = std::make_unique<Vfs>(w->policy, *w->store, getpid());
  Vfs& vfs = *w->vfs;
  const Caller caller{getpid()};

  // Overlay state: deletions (markers), a new upper directory, links that exist only upstairs.
  auto resolve = [&](const std::string& p) {
    ErrnoOr<Node> n = vfs.Resolve(caller, "/", p, false);
    if (!n.Ok()) {
      errno = n.Error();
      SetupFailed("Resolve " + p);
    }
    return *n;
  };
  if (int err = vfs.Remove(resolve(t + "/deleted"), false); err != 0) SetupFailed("Remove deleted");
  if (int err = vfs.Remove(resolve(t + "/ddir/inner"), false); err != 0) SetupFailed("Remove ddir/inner");
  if (int err = vfs.Remove(resolve(t + "/ddir"), true); err != 0) SetupFailed("Remove ddir");
  auto create = [&](const std::string& p, bool is_dir, const char* link_target) {
    Node n = resolve(p);
    ErrnoOr<std::string> real = vfs.CreationTarget(n);
    if (!real.Ok()) {
      errno = real.Error();
      SetupFailed("CreationTarget " + p);
    }
    int rc = is_dir ? mkdir(real->c_str(), 0755) : symlink(link_target, real->c_str());
    if (rc != 0) SetupFailed("create upper " + p);
    vfs.Created(n, is_dir);
  };
  create(t + "/newdir", true, nullptr);
  create(t + "/newdir/l_secret", false, "../secret/key");
  create(t + "/newdir/l_store", false, store_dir.c_str());
  create(t + "/newdir/l_deleted", false, "../ddir/inner");
  create(t + "/ul_up", false, "newdir/../..");
  std::atexit(RemoveScratch);
  g_world = w;
  return *w;
}

// The ancestors of an allowed rule are traversable although denied.
bool IsSkeleton(const Policy& policy, const Node& n) {
  if (n.mode != PathMode::kRo || !n.IsDir()) return false;
  for (const PathRule& r : policy.paths) {
    if (r.mode != PathMode::kDeny && r.path != n.vpath && PathIsUnder(r.path, n.vpath)) return true;
  }
  return false;
}

void CheckNode(World& w, const Node& n, bool follow_last, std::string_view input) {
  const std::string detail = std::string(input) + " -> " + n.vpath + " (real " + n.real + ")";
  const std::string& root = w.store->Root();
  Check(!n.vpath.empty() && n.vpath[0] == '/' && NormaliseLexically(n.vpath) == n.vpath,
        "a resolved vpath is absolute and normalised", detail);
  Check(!PathIsUnder(n.vpath, root), "a resolved vpath is never in the store", detail);
  const PathMode mode = w.policy.ModeFor(n.vpath);
  Check(mode != PathMode::kDeny || IsSkeleton(w.policy, n), "a resolved vpath is never under a deny rule", detail);
  if (!n.Exists()) {
    Check(n.mode != PathMode::kDeny, "a missing node is never in a denied area", detail);
    return;
  }
  Check(!w.store->IsWhiteoutOrBelow(n.vpath), "a deleted path does not resolve to an existing node", detail);
  if (follow_last) Check(!S_ISLNK(n.st.st_mode), "following the last link gives no link", detail);
  if (n.layer == Layer::kHost || n.layer == Layer::kUpper || n.layer == Layer::kPrivate) {
    // The kernel must meet no symlink the Vfs did not see on the way to `real`.
    const std::string parent(ParentPath(n.real));
    char* rp = realpath(parent.c_str(), nullptr);
    if (rp != nullptr) {
      const std::string resolved = rp;
      std::free(rp);
      Check(resolved == parent, "no symlink in the parent of a node's real path", detail);
    }
  }
  switch (n.layer) {
    case Layer::kHost:
      Check(n.real == n.vpath, "a host node's real path is its vpath", detail);
      break;
    case Layer::kUpper:
      Check(PathIsUnder(n.real, root + "/upper"), "an upper node lies in upper/", detail);
      Check(n.mode == PathMode::kCow, "only cow areas have upper nodes", detail);
      break;
    case Layer::kPrivate:
      Check(PathIsUnder(n.real, root + "/private"), "a private node lies in private/", detail);
      Check(n.mode == PathMode::kTmp, "only tmp areas have private nodes", detail);
      break;
    case Layer::kNone:
      break;
    case Layer::kSynthetic:
    case Layer::kMagic:
      Violated("no /proc in this policy, yet a /proc node", detail);
  }
}

void CheckResolve(std::string_view input) {
  World& w = GetWorld();
  // The kernel's paths end at the first NUL.
  std::string path(input.substr(0, input.find('\0')));
  if (!path.empty() && path[0] == '@') path.replace(0, 1, w.top);
  if (path.size() >= PATH_MAX) return;
  const Caller caller{getpid()};
  static const bool trace = std::getenv("PATH_FUZZER_TRACE") != nullptr;
  for (bool follow_last : {true, false}) {
    ErrnoOr<Node> n = w.vfs->Resolve(caller, w.top, path, follow_last);
    if (trace) {
      std::fprintf(stderr, "%s%s -> %s\n", path.c_str(), follow_last ? "" : " (nofollow)",
                   n.Ok() ? (n->vpath + (n->Exists() ? "" : " (missing)")).c_str() : std::strerror(n.Error()));
    }
    if (n.Ok()) CheckNode(w, *n, follow_last, path);
  }
}

}  // namespace
}  // namespace bvisor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bvisor;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckNormalised(input);
  // Two strings for the relations: split at the first newline.
  const size_t nl = input.find('\n');
  if (nl != std::string_view::npos) {
    CheckPair(input.substr(0, nl), input.substr(nl + 1));
    CheckPair(input.substr(nl + 1), input.substr(0, nl));
  } else {
    CheckPair(input, input);
  }
  CheckResolve(input);
  return 0;
}
