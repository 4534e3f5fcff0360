// The sandbox policy: the JSON schema, its parser with located errors, the built-in default,
// and the longest-prefix lookup that maps a path to a mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace bvisor {

// What the sandbox may do below a path prefix.
enum class PathMode {
  kDeny,  // hidden: every lookup fails with ENOENT
  kRo,    // host contents, writes fail with EROFS
  kRw,    // host contents, writes reach the host
  kCow,   // host contents, writes land in the overlay
  kTmp,   // a private, initially empty directory
};

std::string_view PathModeName(PathMode mode);
std::optional<PathMode> ParsePathMode(std::string_view name);

struct PathRule {
  std::string path;  // absolute, lexically normalised, variables expanded
  PathMode mode;
};

// Values substituted into path strings: "~" and "${HOME}" -> home, "${CWD}" -> cwd.
struct PolicyContext {
  std::string home;
  std::string cwd;
};

struct Policy {
  static constexpr int kVersion = 1;

  int version = kVersion;
  std::string name;         // preset name or file name, for messages and the report
  std::string description;
  std::vector<PathRule> paths;
  std::optional<std::string> keep_overlay;  // directory to keep the overlay in

  // The mode that governs `abs_path`: the rule with the longest matching prefix;
  // among rules with the same prefix the last one wins. Paths no rule covers are kDeny.
  PathMode ModeFor(std::string_view abs_path) const;
  // The rule that ModeFor used, or nullptr.
  const PathRule* RuleFor(std::string_view abs_path) const;
};

// A policy, or the message of the first error ("policy.json: /paths/3/mode: expected one of ...").
struct PolicyResult {
  std::optional<Policy> policy;
  std::string error;
};

// Parses a policy document. `source_name` prefixes error messages.
PolicyResult ParsePolicy(std::string_view text, std::string_view source_name, const PolicyContext& ctx);

// Reads and parses a file; `spec` may also name a preset ("agent") found in the preset directories.
PolicyResult LoadPolicy(std::string_view spec, const PolicyContext& ctx);

// The built-in default: the whole filesystem readable, writes stay out of the host, secrets denied.
Policy DefaultPolicy(const PolicyContext& ctx);

// The effective policy as JSON, every default filled in (for `bvisor policy show`).
nlohmann::json PolicyToJson(const Policy& policy);

}  // namespace bvisor
