// What an overlay would change on the host, and the `bvisor diff`, `apply` and `discard`
// commands that review and carry out those changes.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "overlay.h"
#include "report.h"

namespace bvisor {

// Every change the overlay holds against the current host, sorted by path:
// created (no host counterpart), modified (regular file whose content or size differs, or
// symlink whose target differs; content_differs=false when only copied up), metadata (mode or
// owner differs, content identical), deleted (a deletion marker over an existing host entry, or a
// host entry the sandbox could not see because it sits in a directory created fresh there; the
// contents of a deleted directory are not listed separately). Entries of a fresh directory are
// created even where the host has the same name. Directories that only exist as parents of
// changes are not listed.
std::vector<OverlayChange> CollectOverlayChanges(const OverlayStore& store);

struct ApplyOptions {
  bool force = false;    // apply even if a host file changed since it was copied up
  bool dry_run = false;  // say what would happen, change nothing
};

// `bvisor diff DIR`: a git-diff-like stat section then unified diffs of text files.
// Returns 0, or 2 when `dir` is not a kept overlay or a file cannot be read.
int DiffCommand(const std::string& dir, std::ostream& out, std::ostream& err);
// `bvisor apply DIR`: checks every baseline first (nothing is written when one conflicts and
// !force), then writes the changes to the host. Returns 0, 1 on conflict, 2 on bad input.
int ApplyCommand(const std::string& dir, const ApplyOptions& options, std::ostream& out, std::ostream& err);
// `bvisor discard DIR`: removes a kept overlay. Returns 0 or 2.
int DiscardCommand(const std::string& dir, std::ostream& out, std::ostream& err);

}  // namespace bvisor
