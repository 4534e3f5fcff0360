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

enum class NetworkMode {
  kNone,      // no IP sockets at all
  kLoopback,  // 127.0.0.0/8 and ::1 only (binds to "any" are narrowed to loopback)
  kAllow,     // the `allow` list (plus loopback)
  kHost,      // unrestricted, still reported
};

std::string_view NetworkModeName(NetworkMode mode);

struct NetworkPolicy {
  NetworkMode mode = NetworkMode::kNone;
  // "host:port", "host:lo-hi", "CIDR", "CIDR:port", "[v6]:port"; names resolved at start.
  std::vector<std::string> allow;
};

// Which of the caller's environment variables reach the command.
struct EnvPolicy {
  bool clear = false;                // start empty (then `keep` and `set`)
  std::vector<std::string> keep;     // globs kept even if they look secret or `clear` is set
  std::vector<std::string> deny;     // globs removed (the default list names secrets)
  std::vector<std::pair<std::string, std::string>> set;  // applied last
};

// Resource limits; unset means unlimited (the caller's own limits apply).
struct Limits {
  std::optional<uint64_t> cpu_seconds;
  std::optional<uint64_t> memory_bytes;     // address space (RLIMIT_AS)
  std::optional<uint64_t> file_size_bytes;  // RLIMIT_FSIZE
  std::optional<uint64_t> open_files;       // RLIMIT_NOFILE
  std::optional<uint64_t> processes;        // live sandbox processes
  std::optional<double> timeout_seconds;    // wall clock, like --timeout
};

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
  NetworkPolicy network;
  EnvPolicy env;
  Limits limits;
  bool report_files = false;  // list every file read and written in the report (audit)

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

// Environment variable names that look like secrets, removed by default.
const std::vector<std::string>& DefaultSecretEnvPatterns();

// The built-in default: the whole filesystem readable, writes stay out of the host, secrets denied.
Policy DefaultPolicy(const PolicyContext& ctx);

// The effective policy as JSON, every default filled in (for `bvisor policy show`).
nlohmann::json PolicyToJson(const Policy& policy);

}  // namespace bvisor
