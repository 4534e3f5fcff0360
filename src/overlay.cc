// Overlay storage layout, deletion markers and the persisted state of a kept overlay.
#include "overlay.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "path.h"
#include "unique_fd.h"

namespace bvisor {
namespace {

constexpr const char* kStateFile = "state.json";
constexpr const char* kMarkerFile = "BVISOR_OVERLAY";

[[noreturn]] void Fail(const std::string& what, int err) {
  throw std::runtime_error(what + ": " + std::strerror(err));
}

bool DirIsEmpty(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return false;
  bool empty = true;
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  closedir(d);
  return empty;
}

int RemoveTreeAt(int dirfd, const char* name) {
  UniqueFd fd(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return errno == ENOTDIR || errno == ELOOP ? (unlinkat(dirfd, name, 0) == 0 ? 0 : errno) : errno;
  // Directories in the store may have been chmod'ed by the sandbox (e.g. 0500): make them writable.
  fchmod(fd.Get(), 0700);
  DIR* d = fdopendir(dup(fd.Get()));
  if (d == nullptr) return errno;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  closedir(d);
  int first_error = 0;
  for (const std::string& n : names) {
    int err = RemoveTreeAt(fd.Get(), n.c_str());
    if (err != 0 && first_error == 0) first_error = err;
  }
  if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && first_error == 0) first_error = errno;
  return first_error;
}

}  // namespace

int RemoveTree(const std::string& path) { return RemoveTreeAt(AT_FDCWD, path.c_str()); }

OverlayStore::OverlayStore(const std::string& dir, bool keep) : keep_(keep) {
  std::string base = dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string parent = tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";
    std::string templ = parent + "/bvisor-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) Fail("cannot create the overlay directory in " + parent, errno);
    base = templ;
  } else {
    if (mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) Fail("cannot create " + base, errno);
    if (!DirIsEmpty(base)) {
      throw std::invalid_argument(base + ": the overlay directory must be new or empty (it holds " +
                               (access((base + "/" + kMarkerFile).c_str(), F_OK) == 0
                                    ? "an earlier overlay; review it with 'bvisor diff', then apply or discard it)"
                                    : "other files)"));
    }
  }
  char* real = realpath(base.c_str(), nullptr);
  if (real == nullptr) Fail("realpath " + base, errno);
  root_ = real;
  std::free(real);
  owns_ = true;
  upper_ = root_ + "/upper";
  if (mkdir(upper_.c_str(), 0755) != 0) Fail("mkdir " + upper_, errno);
  if (mkdir((root_ + "/private").c_str(), 0700) != 0) Fail("mkdir " + root_ + "/private", errno);
  if (mkdir((root_ + "/snap").c_str(), 0700) != 0) Fail("mkdir " + root_ + "/snap", errno);
  std::ofstream(root_ + "/" + kMarkerFile) << "bvisor overlay, state format 1\n";
  SaveState();
}

OverlayStore::OverlayStore(OverlayStore&& other) noexcept
    : root_(std::move(other.root_)),
      upper_(std::move(other.upper_)),
      keep_(other.keep_),
      owns_(std::exchange(other.owns_, false)),
      upper_dirs_(std::move(other.upper_dirs_)),
      whiteouts_(std::move(other.whiteouts_)),
      opaque_(std::move(other.opaque_)),
      baselines_(std::move(other.baselines_)),
      generations_(std::move(other.generations_)),
      next_generation_(other.next_generation_),
      snapshots_(other.snapshots_),
      bytes_used_(other.bytes_used_) {}

OverlayStore::~OverlayStore() {
  if (!owns_) return;
  if (keep_) {
    SaveState();
    RemoveTree(root_ + "/snap");
    return;
  }
  RemoveTree(root_);
}

OverlayStore OverlayStore::OpenKept(const std::string& dir) {
  if (access((dir + "/" + kMarkerFile).c_str(), F_OK) != 0) {
    throw std::runtime_error(dir + ": not a kept bvisor overlay (no " + kMarkerFile + " file)");
  }
  OverlayStore s;
  char* real = realpath(dir.c_str(), nullptr);
  if (real == nullptr) Fail("realpath " + dir, errno);
  s.root_ = real;
  std::free(real);
  s.upper_ = s.root_ + "/upper";
  s.keep_ = true;
  s.LoadState();
  return s;
}

std::string OverlayStore::UpperPath(std::string_view vpath) const {
  std::string out = upper_;
  if (vpath != "/") out += vpath;
  return out;
}

std::string OverlayStore::PrivatePath(size_t index) {
  std::string p = root_ + "/private/" + std::to_string(index);
  mkdir(p.c_str(), 01777);
  chmod(p.c_str(), 01777);  // like /tmp, whatever the umask
  return p;
}

std::string OverlayStore::SnapshotDir() { return root_ + "/snap/" + std::to_string(snapshots_++); }

bool OverlayStore::HasUpperDir(std::string_view vpath) const {
  return !upper_dirs_.empty() && upper_dirs_.find(std::string(vpath)) != upper_dirs_.end();
}

void OverlayStore::ForgetUpperDir(std::string_view vpath) {
  for (auto it = upper_dirs_.begin(); it != upper_dirs_.end();) {
    it = PathIsUnder(*it, vpath) ? upper_dirs_.erase(it) : std::next(it);
  }
}

bool OverlayStore::IsWhiteout(std::string_view vpath) const {
  return !whiteouts_.empty() && whiteouts_.find(std::string(vpath)) != whiteouts_.end();
}

bool OverlayStore::IsWhiteoutOrBelow(std::string_view vpath) const {
  if (whiteouts_.empty()) return false;
  for (std::string_view p = vpath; p != "/"; p = ParentPath(p)) {
    if (IsWhiteout(p)) return true;
  }
  return false;
}

void OverlayStore::AddWhiteout(std::string_view vpath) { whiteouts_.emplace(vpath); }
void OverlayStore::RemoveWhiteout(std::string_view vpath) { whiteouts_.erase(std::string(vpath)); }
bool OverlayStore::IsOpaque(std::string_view dir_vpath) const {
  return !opaque_.empty() && opaque_.find(std::string(dir_vpath)) != opaque_.end();
}
void OverlayStore::SetOpaque(std::string_view dir_vpath) { opaque_.emplace(dir_vpath); }

void OverlayStore::ForgetBelow(std::string_view vpath) {
  auto drop = [&](std::set<std::string>& s) {
    for (auto it = s.begin(); it != s.end();) it = PathIsUnder(*it, vpath) ? s.erase(it) : std::next(it);
  };
  drop(whiteouts_);
  drop(opaque_);
}

uint64_t OverlayStore::Generation(std::string_view dir_vpath) const {
  auto it = generations_.find(std::string(dir_vpath));
  return it == generations_.end() ? 0 : it->second;
}

void OverlayStore::Touch(std::string_view dir_vpath) { generations_[std::string(dir_vpath)] = next_generation_++; }

void OverlayStore::RecordBaseline(std::string_view vpath, const struct stat& host) {
  baselines_.emplace(std::string(vpath),
                     HostBaseline{host.st_size, host.st_mtim.tv_sec * 1000000000LL + host.st_mtim.tv_nsec,
                                  host.st_ino, host.st_mode});
}

void OverlayStore::SaveState() const {
  nlohmann::json j;
  j["version"] = 1;
  j["whiteouts"] = whiteouts_;
  j["opaque"] = opaque_;
  nlohmann::json b = nlohmann::json::object();
  for (const auto& [path, base] : baselines_) {
    b[path] = {{"size", base.size}, {"mtime_ns", base.mtime_ns}, {"ino", base.ino}, {"mode", base.mode}};
  }
  j["baselines"] = b;
  std::string tmp = root_ + "/" + kStateFile + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(1) << "\n";
  }
  rename(tmp.c_str(), (root_ + "/" + kStateFile).c_str());
}

void OverlayStore::LoadState() {
  std::ifstream in(root_ + "/" + kStateFile);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1) {
    throw std::runtime_error(root_ + "/" + kStateFile + ": unreadable overlay state");
  }
  auto list = [&](const char* key, std::set<std::string>& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return;
    for (const nlohmann::json& v : *it) {
      if (v.is_string()) out.insert(v.get<std::string>());
    }
  };
  list("whiteouts", whiteouts_);
  list("opaque", opaque_);
  auto b = j.find("baselines");
  if (b == j.end() || !b->is_object()) return;
  for (auto it = b->begin(); it != b->end(); ++it) {
    const nlohmann::json& v = it.value();
    HostBaseline base;
    base.size = v.value("size", int64_t{0});
    base.mtime_ns = v.value("mtime_ns", int64_t{0});
    base.ino = v.value("ino", uint64_t{0});
    base.mode = v.value("mode", uint32_t{0});
    baselines_[it.key()] = base;
  }
}

}  // namespace bvisor
