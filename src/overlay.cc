// Overlay storage layout, deletion markers and the persisted state of a kept overlay.
#include "overlay.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
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

// Whether `s` is well-formed UTF-8 (the Unicode standard's table 3-7), which JSON strings must be.
bool IsUtf8(std::string_view s) {
  auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    unsigned lo = 0x80, hi = 0xbf;  // the range of the second byte
    if (c < 0x80) {
      len = 1;
    } else if (in(c, 0xc2, 0xdf)) {
      len = 2;
    } else if (in(c, 0xe0, 0xef)) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;  // no surrogates
    } else if (in(c, 0xf0, 0xf4)) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (!(k == 1 ? in(b, lo, hi) : in(b, 0x80, 0xbf))) return false;
    }
    i += len;
  }
  return true;
}

// File names need not be UTF-8 but JSON strings must: a name that is not is kept, losslessly,
// as the array of its bytes.
nlohmann::json PathJson(const std::string& path) {
  if (IsUtf8(path)) return path;
  nlohmann::json bytes = nlohmann::json::array();
  for (char c : path) bytes.push_back(static_cast<unsigned char>(c));
  return bytes;
}

bool PathFrom(const nlohmann::json& v, std::string* out) {
  if (v.is_string()) {
    *out = v.get<std::string>();
    return true;
  }
  if (!v.is_array()) return false;
  out->clear();
  for (const nlohmann::json& b : v) {
    if (!b.is_number_unsigned() || b.get<unsigned>() > 0xff) return false;
    out->push_back(static_cast<char>(b.get<unsigned>()));
  }
  return true;
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

// Without $TMPDIR the store goes to /dev/shm when it is a writable tmpfs: copy-ups there cost a
// tenth of what inode allocation costs on a disk filesystem (bench/README.md), and the store is
// discarded at exit anyway. Kept overlays (--keep) live where the user says.
std::string DefaultParent() {
  struct statfs fs {};
  if (statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC && access("/dev/shm", W_OK | X_OK) == 0) {
    return "/dev/shm";
  }
  return "/tmp";
}

}  // namespace

int RemoveTree(const std::string& path) { return RemoveTreeAt(AT_FDCWD, path.c_str()); }

OverlayStore::OverlayStore(const std::string& dir, bool keep) : keep_(keep) {
  std::string base = dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string parent = tmp != nullptr && tmp[0] == '/' ? tmp : DefaultParent();
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
  if (keep_) {
    // Only a kept overlay is read again (bvisor diff/apply/discard).
    std::ofstream(root_ + "/" + kMarkerFile) << "bvisor overlay, state format 1\n";
    SaveState();
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
  extra["path"] = PathJson(std::string(path));
  return extra.dump() + "\n";
}

}  // namespace

bool OverlayStore::Journal(const std::string& line) const {
  if (!journal_) return true;
  // One write(2) per line on an O_APPEND fd: a crash can only cut off the last line.
  if (write(journal_.Get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    spdlog::warn("cannot append to {}/{}: {}", root_, kJournalFile, std::strerror(errno));
    return false;
  }
  return true;
}

bool OverlayStore::AddWhiteout(std::string_view vpath) {
  if (!whiteouts_.emplace(vpath).second) return true;
  if (Journal(JournalLine("whiteout", vpath))) return true;
  // A deletion a kept overlay cannot record must not happen at all (the disk is full).
  whiteouts_.erase(std::string(vpath));
  return false;
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
  auto paths = [](const std::set<std::string>& set) {
    nlohmann::json out = nlohmann::json::array();
    for (const std::string& p : set) out.push_back(PathJson(p));
    return out;
  };
  j["whiteouts"] = paths(whiteouts_);
  j["opaque"] = paths(opaque_);
  j["replaces_host"] = paths(replaces_host_);
  j["exact_dir_modes"] = exact_dir_modes_;
  // Keyed by path; the few whose names are not UTF-8 go in a list with the name as bytes.
  nlohmann::json b = nlohmann::json::object();
  nlohmann::json by_bytes = nlohmann::json::array();
  for (const auto& [path, base] : baselines_) {
    nlohmann::json fields = {{"size", base.size}, {"mtime_ns", base.mtime_ns}, {"ino", base.ino}, {"mode", base.mode}};
    if (IsUtf8(path)) {
      b[path] = std::move(fields);
    } else {
      fields["path"] = PathJson(path);
      by_bytes.push_back(std::move(fields));
    }
  }
  j["baselines"] = b;
  if (!by_bytes.empty()) j["baselines_by_bytes"] = by_bytes;
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
    std::string path;
    for (const nlohmann::json& v : *it) {
      if (PathFrom(v, &path)) out.insert(path);
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
  auto by_bytes = j.find("baselines_by_bytes");
  if (by_bytes != j.end() && by_bytes->is_array()) {
    std::string path;
    for (const nlohmann::json& v : *by_bytes) {
      if (v.is_object() && v.contains("path") && PathFrom(v["path"], &path)) baselines_[path] = BaselineFrom(v);
    }
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
    std::string path;
    if (!e.contains("path") || !PathFrom(e["path"], &path)) continue;
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
