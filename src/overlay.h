// The copy-on-write overlay's storage: a private directory holding `upper/` (copied-up and new
// files at their virtual paths), `private/N/` (the backing of each `tmp` rule), `snap/` (merged
// directory listings) and `state.json` (deletion markers, opaque directories, and the host
// baseline of every copied-up file, so `bvisor apply` can refuse when the host changed since).
// A kept store appends each bookkeeping change to `state.journal` as it happens and folds the
// journal into state.json at exit, so the state survives a crash at the cost of one small write
// per change. Only the supervisor writes here; the sandbox can never name these paths.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "errno_or.h"
#include "unique_fd.h"

namespace bvisor {

// What the host file looked like when it was copied up.
struct HostBaseline {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;
};

class OverlayStore {
 public:
  // Creates a fresh store in `dir` (made if missing; must be empty) or, with an empty `dir`, in
  // a new directory under $TMPDIR (or /tmp). Throws std::runtime_error.
  explicit OverlayStore(const std::string& dir, bool keep);
  ~OverlayStore();
  OverlayStore(const OverlayStore&) = delete;
  OverlayStore& operator=(const OverlayStore&) = delete;

  // Opens an existing kept store for diff/apply (throws when `dir` is not one).
  static OverlayStore OpenKept(const std::string& dir);
  OverlayStore(OverlayStore&& other) noexcept;

  const std::string& Root() const { return root_; }
  bool Kept() const { return keep_; }
  std::string UpperPath(std::string_view vpath) const;
  // Backing directory for the `index`th tmp rule (created on demand).
  std::string PrivatePath(size_t index);
  std::string SnapshotDir();

  bool HasUpperDir(std::string_view vpath) const;
  void NoteUpperDir(std::string_view vpath) { upper_dirs_.emplace(vpath); }
  void ForgetUpperDir(std::string_view vpath);

  bool IsWhiteout(std::string_view vpath) const;
  bool AnyWhiteouts() const { return !whiteouts_.empty(); }
  // True when vpath or one of its ancestors carries a deletion marker.
  bool IsWhiteoutOrBelow(std::string_view vpath) const;
  // False (and nothing recorded) when a kept overlay cannot journal it (disk full).
  bool AddWhiteout(std::string_view vpath);
  void RemoveWhiteout(std::string_view vpath);
  bool IsOpaque(std::string_view dir_vpath) const;
  void SetOpaque(std::string_view dir_vpath);
  // Opaque directories made where the host has a directory (rm -rf build; mkdir build): the
  // host entries below them are ones the sandbox removed, which its own entries replace.
  bool ReplacesHostDir(std::string_view dir_vpath) const;
  void SetReplacesHostDir(std::string_view dir_vpath);
  // Drops markers and opaque (and replacing) flags at or below vpath (the directory itself is gone).
  void ForgetBelow(std::string_view vpath);

  // Monotonic counter bumped by every change below `dir_vpath`'s listing.
  uint64_t Generation(std::string_view dir_vpath) const;
  void Touch(std::string_view dir_vpath);

  void RecordBaseline(std::string_view vpath, const struct stat& host);
  const std::map<std::string, HostBaseline>& Baselines() const { return baselines_; }
  const std::set<std::string>& Whiteouts() const { return whiteouts_; }
  const std::set<std::string>& Opaque() const { return opaque_; }
  // Whether upper copies of host directories keep the host's exact mode. A supervisor that
  // cannot override permissions adds u+rwx to them so that it can fill them.
  bool ExactDirModes() const { return exact_dir_modes_; }
  void SetExactDirModes(bool exact);
  int64_t BytesUsed() const { return bytes_used_; }
  void AddBytes(int64_t n) { bytes_used_ += n; }

  // Writes state.json (atomically, by rename) and empties the journal it now contains. Called
  // at exit for kept stores.
  void SaveState() const;

 private:
  OverlayStore() = default;
  void LoadState();
  void ReplayJournal();
  // Appends one change (a JSON object) to state.journal; no-op unless the store is being kept.
  bool Journal(const std::string& line) const;

  std::string root_;
  std::string upper_;
  bool keep_ = false;
  bool owns_ = false;
  std::unordered_set<std::string> upper_dirs_;
  std::set<std::string> whiteouts_;
  std::set<std::string> opaque_;
  std::set<std::string> replaces_host_;
  std::map<std::string, HostBaseline> baselines_;
  std::unordered_map<std::string, uint64_t> generations_;
  uint64_t next_generation_ = 1;
  size_t snapshots_ = 0;
  int64_t bytes_used_ = 0;
  bool exact_dir_modes_ = false;
  UniqueFd journal_;
};

// Removes a directory tree without following symlinks. Returns 0 or a positive errno.
int RemoveTree(const std::string& path);

}  // namespace bvisor
