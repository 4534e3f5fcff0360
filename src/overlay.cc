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
#include <spdlog/spdlog.h>

#include "path.h"
#include "unique_fd.h"

namespace bvisor {
namespace {

constexpr const char* kStateFile = "state.json";
constexpr const char* kJournalFile = "state.journal";
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

HostBaseline BaselineFrom(const nlohmann::json& v) {
  HostBaseline base;
  base.size = v.value("size", int64_t{0});
  base.mtime_ns = v.value("mtime_ns", int64_t{0});
  base.ino = v.value("ino", uint64_t{0});
  base.mode = v.value("mode", uint32_t{0});
  return base;
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
  if (keep_) {
    const std::string journal = root_ + "/" + kJournalFile;
    journal_.Reset(open(journal.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600));
    if (!journal_) Fail("open " + journal, errno);
  }
}

OverlayStore::OverlayStore(OverlayStore&& other) noexcept
    : root_(std::move(other.root_)),
      upper_(std::move(other.upper_)),
      keep_(other.keep_),
      owns_(std::exchange(other.owns_, false)),
      upper_dirs_(std::move(other.upper_dirs_)),
      whiteouts_(std::move(other.whiteouts_)),
      opaque_(std::move(other.opaque_)),
      replaces_host_(std::move(other.replaces_host_)),
      baselines_(std::move(other.baselines_)),
      generations_(std::move(other.generations_)),
      next_generation_(other.next_generation_),
      snapshots_(other.snapshots_),
      bytes_used_(other.bytes_used_),
      exact_dir_modes_(other.exact_dir_modes_),
      journal_(std::move(other.journal_)) {}

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

namespace {

// One journal line: {"op": ..., "path": ...} plus extra fields.
std::string JournalLine(std::string_view op, std::string_view path, nlohmann::json extra = nlohmann::json::object()) {
  extra["op"] = op;
  extra["path"] = path;
  return extra.dump() + "\n";
}

}  // namespace

void OverlayStore::Journal(const std::string& line) const {
  if (!journal_) return;
  // One write(2) per line on an O_APPEND fd: a crash can only cut off the last line.
  if (write(journal_.Get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    spdlog::warn("cannot append to {}/{}: {}", root_, kJournalFile, std::strerror(errno));
  }
}

void OverlayStore::AddWhiteout(std::string_view vpath) {
  if (whiteouts_.emplace(vpath).second) Journal(JournalLine("whiteout", vpath));
}
void OverlayStore::RemoveWhiteout(std::string_view vpath) {
  if (whiteouts_.erase(std::string(vpath)) != 0) Journal(JournalLine("unwhiteout", vpath));
}
bool OverlayStore::IsOpaque(std::string_view dir_vpath) const {
  return !opaque_.empty() && opaque_.find(std::string(dir_vpath)) != opaque_.end();
}
void OverlayStore::SetOpaque(std::string_view dir_vpath) {
  if (opaque_.emplace(dir_vpath).second) Journal(JournalLine("opaque", dir_vpath));
}
bool OverlayStore::ReplacesHostDir(std::string_view dir_vpath) const {
  return !replaces_host_.empty() && replaces_host_.find(std::string(dir_vpath)) != replaces_host_.end();
}
void OverlayStore::SetReplacesHostDir(std::string_view dir_vpath) {
  if (replaces_host_.emplace(dir_vpath).second) Journal(JournalLine("replaces_host", dir_vpath));
}

void OverlayStore::SetExactDirModes(bool exact) {
  if (exact_dir_modes_ == exact) return;
  exact_dir_modes_ = exact;
  Journal(JournalLine("exact_dir_modes", "/", {{"value", exact}}));
}

void OverlayStore::ForgetBelow(std::string_view vpath) {
  bool dropped = false;
  auto drop = [&](std::set<std::string>& s) {
    for (auto it = s.lower_bound(std::string(vpath)); it != s.end() && it->compare(0, vpath.size(), vpath) == 0;) {
      if (PathIsUnder(*it, vpath)) {
        it = s.erase(it);
        dropped = true;
      } else {
        ++it;
      }
    }
  };
  drop(whiteouts_);
  drop(opaque_);
  drop(replaces_host_);
  if (dropped) Journal(JournalLine("forget", vpath));
}

uint64_t OverlayStore::Generation(std::string_view dir_vpath) const {
  auto it = generations_.find(std::string(dir_vpath));
  return it == generations_.end() ? 0 : it->second;
}

void OverlayStore::Touch(std::string_view dir_vpath) { generations_[std::string(dir_vpath)] = next_generation_++; }

void OverlayStore::RecordBaseline(std::string_view vpath, const struct stat& host) {
  HostBaseline base{host.st_size, host.st_mtim.tv_sec * 1000000000LL + host.st_mtim.tv_nsec, host.st_ino,
                    host.st_mode};
  if (!baselines_.emplace(std::string(vpath), base).second) return;
  Journal(JournalLine("baseline", vpath,
                      {{"size", base.size}, {"mtime_ns", base.mtime_ns}, {"ino", base.ino}, {"mode", base.mode}}));
}

void OverlayStore::SaveState() const {
  nlohmann::json j;
  j["version"] = 1;
  j["whiteouts"] = whiteouts_;
  j["opaque"] = opaque_;
  j["replaces_host"] = replaces_host_;
  j["exact_dir_modes"] = exact_dir_modes_;
  nlohmann::json b = nlohmann::json::object();
  for (const auto& [path, base] : baselines_) {
    b[path] = {{"size", base.size}, {"mtime_ns", base.mtime_ns}, {"ino", base.ino}, {"mode", base.mode}};
  }
  j["baselines"] = b;
  std::string tmp = root_ + "/" + kStateFile + ".tmp";
  {
    // Not through an ofstream: the supervisor's umask is 0, and the state is nobody else's.
    UniqueFd out(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    const std::string text = j.dump(1) + "\n";
    if (!out || write(out.Get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      spdlog::warn("cannot write {}: {}", tmp, std::strerror(errno));
      return;
    }
  }
  if (rename(tmp.c_str(), (root_ + "/" + kStateFile).c_str()) != 0) return;  // the journal stays valid
  // Only now is every journaled change in state.json. Replaying a journal over a state that
  // already holds it is harmless (each entry sets a value), so a crash in between loses nothing.
  if (journal_ && ftruncate(journal_.Get(), 0) != 0) {
    spdlog::warn("cannot empty {}/{}: {}", root_, kJournalFile, std::strerror(errno));
  }
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
  list("replaces_host", replaces_host_);
  exact_dir_modes_ = j.value("exact_dir_modes", false);  // absent in older states: widened
  auto b = j.find("baselines");
  if (b != j.end() && b->is_object()) {
    for (auto it = b->begin(); it != b->end(); ++it) baselines_[it.key()] = BaselineFrom(it.value());
  }
  ReplayJournal();
}

void OverlayStore::ReplayJournal() {
  std::ifstream in(root_ + "/" + kJournalFile);
  std::string line;
  while (std::getline(in, line)) {
    // A line cut off by a crash does not parse: it is the last one, and its change is lost.
    nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_discarded() || !e.is_object()) continue;
    const std::string op = e.value("op", "");
    const std::string path = e.value("path", "");
    if (op == "whiteout") {
      whiteouts_.insert(path);
    } else if (op == "unwhiteout") {
      whiteouts_.erase(path);
    } else if (op == "opaque") {
      opaque_.insert(path);
    } else if (op == "replaces_host") {
      replaces_host_.insert(path);
    } else if (op == "forget") {
      ForgetBelow(path);
    } else if (op == "baseline") {
      baselines_.emplace(path, BaselineFrom(e));
    } else if (op == "exact_dir_modes") {
      exact_dir_modes_ = e.value("value", false);
    }
  }
}

}  // namespace bvisor
