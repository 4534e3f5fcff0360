// Policy documents: schema validation with JSON-pointer-located errors, path expansion,
// the built-in default rule table, preset lookup and the longest-prefix mode lookup.
#include "policy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <utility>

#include <nlohmann/json.hpp>

#include "path.h"
#include "unique_fd.h"

namespace bvisor {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultName = "default";
constexpr std::string_view kDefaultDescription =
    "Built-in default: the host is readable, writes go to a private copy-on-write overlay, "
    "secrets are hidden.";
constexpr uint64_t kDefaultProcessLimit = 1024;
constexpr double kMinTimeout = 0.001, kMaxTimeout = 1e9;
constexpr std::string_view kModeChoices = "expected one of deny, ro, rw, cow, tmp";

struct DefaultRule {
  std::string_view path;  // expanded like a policy file's path ("~" allowed)
  PathMode mode;
};

// The built-in default, in order. Later rules win over earlier ones with the same prefix,
// longer prefixes win over shorter ones. policies/default.json mirrors this table.
constexpr DefaultRule kDefaultRules[] = {
    // The host is readable; writes land in the overlay.
    {"/", PathMode::kCow},
    // Scratch space is private and starts empty.
    {"/tmp", PathMode::kTmp},
    {"/var/tmp", PathMode::kTmp},
    {"/dev/shm", PathMode::kTmp},
    // Devices are hidden except the harmless ones every program expects.
    {"/dev", PathMode::kDeny},
    {"/dev/null", PathMode::kRw},
    {"/dev/zero", PathMode::kRw},
    {"/dev/full", PathMode::kRw},
    {"/dev/random", PathMode::kRw},
    {"/dev/urandom", PathMode::kRw},
    {"/dev/tty", PathMode::kRw},
    {"/dev/ptmx", PathMode::kRw},
    {"/dev/pts", PathMode::kRw},
    {"/dev/fd", PathMode::kRw},
    {"/dev/stdin", PathMode::kRw},
    {"/dev/stdout", PathMode::kRw},
    {"/dev/stderr", PathMode::kRw},
    // The sandbox's own processes live here (other pids are hidden by the supervisor). Read-only:
    // /proc/sys and friends change the host kernel; /proc/self/fd reopens are checked apart.
    {"/proc", PathMode::kRo},
    {"/proc/sysrq-trigger", PathMode::kDeny},
    {"/proc/kmsg", PathMode::kDeny},
    {"/proc/kcore", PathMode::kDeny},
    {"/proc/kallsyms", PathMode::kDeny},
    {"/sys", PathMode::kRo},
    // Credentials in the user's home.
    {"~/.ssh", PathMode::kDeny},
    {"~/.aws", PathMode::kDeny},
    {"~/.gnupg", PathMode::kDeny},
    {"~/.config/gcloud", PathMode::kDeny},
    {"~/.docker", PathMode::kDeny},
    {"~/.kube", PathMode::kDeny},
    {"~/.netrc", PathMode::kDeny},
    {"~/.git-credentials", PathMode::kDeny},
    {"~/.pgpass", PathMode::kDeny},
    {"~/.npmrc", PathMode::kDeny},
    {"~/.pypirc", PathMode::kDeny},
    // System secrets. There are no globs, so all of /etc/ssh goes (host keys live there).
    {"/etc/shadow", PathMode::kDeny},
    {"/etc/gshadow", PathMode::kDeny},
    {"/etc/sudoers", PathMode::kDeny},
    {"/etc/ssh", PathMode::kDeny},
    {"/root/.ssh", PathMode::kDeny},  // dropped as a duplicate when home is /root
    // Control sockets that amount to root on the host.
    {"/var/run/docker.sock", PathMode::kDeny},
    {"/run/docker.sock", PathMode::kDeny},
    {"/run/containerd", PathMode::kDeny},
    {"/run/dbus/system_bus_socket", PathMode::kDeny},
    {"/var/run/dbus/system_bus_socket", PathMode::kDeny},
    {"/run/systemd/private", PathMode::kDeny},
};

// The path with symlinks in its directory part resolved ("/var/run/x" -> "/run/x"). The last
// component is kept as written: it may be a magic link (/dev/stdin) that names no place.
std::string CanonicalForm(const std::string& path) {
  if (path == "/") return path;
  size_t slash = path.rfind('/');
  std::string existing = slash == 0 ? "/" : path.substr(0, slash);
  std::string rest = path.substr(slash);
  for (;;) {
    char* real = realpath(existing.c_str(), nullptr);
    if (real != nullptr) {
      std::string out = real;
      std::free(real);
      return out == "/" ? rest : out + rest;
    }
    if (existing == "/" || existing.empty()) return path;
    slash = existing.rfind('/');
    rest = existing.substr(slash) + rest;
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  }
}

// The supervisor matches rules against resolved paths, which never contain symlinks: a rule
// written through a symlink (HOME=/home/me -> /data/me, /var/run -> /run) gets a twin at its
// canonical path, right after it so that the order of equal prefixes is kept.
void AddCanonicalTwins(std::vector<PathRule>* rules) {
  std::vector<PathRule> out;
  out.reserve(rules->size());
  for (const PathRule& rule : *rules) {
    std::string canonical = CanonicalForm(rule.path);
    bool trailing = rule.path.size() > 1 && rule.path.back() == '/';
    bool known = canonical == rule.path;
    for (const PathRule& r : *rules) known = known || (r.path == canonical && r.mode == rule.mode);
    for (const PathRule& r : out) known = known || (r.path == canonical && r.mode == rule.mode);
    out.push_back(rule);
    if (!trailing && !known) out.push_back({canonical, rule.mode});
  }
  *rules = std::move(out);
}

// A string as JSON would write it, so that odd bytes in messages stay visible.
std::string Quote(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Expands "~", "${HOME}" and "${CWD}", then requires an absolute path and normalises it.
// On failure returns false with the message (without location) in *error.
bool ExpandPath(std::string_view raw, const PolicyContext& ctx, std::string* out, std::string* error) {
  if (raw.find('\0') != std::string_view::npos) {
    *error = "a path cannot contain a NUL byte";  // it could never match: a deny would do nothing
    return false;
  }
  std::string_view rest = raw;
  std::string expanded;
  if (rest == "~" || rest.starts_with("~/")) {
    if (ctx.home.empty()) {
      *error = "cannot expand ~: the home directory is unknown";
      return false;
    }
    expanded = ctx.home;
    rest.remove_prefix(1);
  }
  while (!rest.empty()) {
    size_t start = rest.find("${");
    if (start == std::string_view::npos) {
      expanded += rest;
      break;
    }
    expanded += rest.substr(0, start);
    size_t end = rest.find('}', start + 2);
    if (end == std::string_view::npos) {
      *error = "unterminated ${ in " + Quote(raw);
      return false;
    }
    std::string_view var = rest.substr(start + 2, end - start - 2);
    const std::string* value = nullptr;
    if (var == "HOME") {
      value = &ctx.home;
    } else if (var == "CWD") {
      value = &ctx.cwd;
    } else {
      *error = "unknown variable ${" + std::string(var) + "}";
      return false;
    }
    if (value->empty()) {
      *error = "cannot expand ${" + std::string(var) + "}: its value is unknown";
      return false;
    }
    expanded += *value;
    rest.remove_prefix(end + 1);
  }
  if (expanded.empty() || expanded[0] != '/') {
    *error = "expected an absolute path after expansion, got " + Quote(expanded);
    return false;
  }
  *out = NormaliseLexically(expanded);
  return true;
}

// "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error while
// parsing object key - unexpected '}'; expected string literal" -> "unexpected '}'; expected
// string literal". The location is recomputed by the caller; "last read" echoes raw input.
std::string ShortParseReason(std::string_view what) {
  if (size_t column = what.find("column "); column != std::string_view::npos) {
    if (size_t colon = what.find(": ", column); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
  }
  if (what.starts_with("syntax error while parsing ")) {
    if (size_t dash = what.find(" - "); dash != std::string_view::npos) what.remove_prefix(dash + 3);
  }
  std::string reason(what);
  constexpr std::string_view kLastRead = "; last read: '";
  if (size_t pos = reason.find(kLastRead); pos != std::string::npos) {
    size_t expected = reason.find("'; expected", pos + kLastRead.size());
    if (expected == std::string::npos) {
      reason.erase(pos);
    } else {
      reason.erase(pos, expected + 1 - pos);
    }
  }
  return reason;
}

// "line L, column C" of the byte nlohmann stopped at (it reports bytes read, 1-based).
std::string TextLocation(std::string_view text, size_t bytes_read) {
  size_t offset = bytes_read == 0 ? 0 : bytes_read - 1;
  if (offset > text.size()) offset = text.size();
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

// Validates a parsed document into a Policy, stopping at the first error.
class Parser {
 public:
  Parser(std::string_view source_name, const PolicyContext& ctx, bool require_description)
      : source_name_(source_name), ctx_(ctx), require_description_(require_description) {}

  bool Parse(const json& doc, Policy* policy) {
    if (!doc.is_object()) return Fail("/", "expected an object");
    std::vector<std::string_view> required = {"version"};
    if (require_description_) required.push_back("description");
    if (!CheckKeys(doc, "/", {"version", "name", "description", "extends", "paths", "overlay", "network", "env", "limits",
                    "report"},
                   required)) {
      return false;
    }

    const json& version = doc.at("version");
    if (!version.is_number_integer() || version.get<int64_t>() != Policy::kVersion) {
      return Fail("/version", "expected 1");
    }
    policy->version = Policy::kVersion;
    policy->name = source_name_;

    if (auto it = doc.find("name"); it != doc.end()) {
      if (!it->is_string()) return Fail("/name", "expected a string");
      policy->name = it->get<std::string>();
    }
    if (auto it = doc.find("description"); it != doc.end()) {
      if (!it->is_string()) return Fail("/description", "expected a string");
      policy->description = it->get<std::string>();
      if (require_description_ && policy->description.empty()) {
        return Fail("/description", "expected a non-empty string");
      }
    }
    // The base rules come first whatever the key order, so the file's rules can override them.
    if (auto it = doc.find("extends"); it != doc.end()) {
      if (!it->is_string() || it->get<std::string>() != kDefaultName) {
        return Fail("/extends", "expected \"default\"");
      }
      Policy base = DefaultPolicy(ctx_);
      policy->paths = std::move(base.paths);
      policy->env = std::move(base.env);
      policy->limits = base.limits;
    } else {
      policy->env.deny = DefaultSecretEnvPatterns();
    }
    if (auto it = doc.find("paths"); it != doc.end()) {
      if (!ParsePaths(*it, &policy->paths)) return false;
    }
    if (auto it = doc.find("overlay"); it != doc.end()) {
      if (!ParseOverlay(*it, &policy->keep_overlay)) return false;
    }
    if (auto it = doc.find("network"); it != doc.end()) {
      if (!ParseNetwork(*it, &policy->network)) return false;
    }
    if (auto it = doc.find("env"); it != doc.end()) {
      if (!ParseEnv(*it, &policy->env)) return false;
    }
    if (auto it = doc.find("limits"); it != doc.end()) {
      if (!ParseLimits(*it, &policy->limits)) return false;
    }
    if (auto it = doc.find("report"); it != doc.end()) {
      if (!it->is_object()) return Fail("/report", "expected an object");
      if (!CheckKeys(*it, "/report", {"files"}, {})) return false;
      if (auto f = it->find("files"); f != it->end()) {
        if (!f->is_boolean()) return Fail("/report/files", "expected true or false");
        policy->report_files = f->get<bool>();
      }
    }
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string_view pointer, std::string_view message) {
    error_ = std::string(source_name_) + ": " + std::string(pointer) + ": " + std::string(message);
    return false;
  }

  bool CheckKeys(const json& object, std::string_view pointer, std::initializer_list<std::string_view> allowed,
                 const std::vector<std::string_view>& required) {
    for (const auto& [key, value] : object.items()) {
      bool known = false;
      for (std::string_view a : allowed) known = known || key == a;
      if (!known) return Fail(pointer, "unknown key " + Quote(key));
    }
    for (std::string_view r : required) {
      if (!object.contains(r)) return Fail(pointer, "missing required key " + Quote(r));
    }
    return true;
  }

  bool ParsePaths(const json& paths, std::vector<PathRule>* rules) {
    if (!paths.is_array()) return Fail("/paths", "expected an array");
    for (size_t i = 0; i < paths.size(); ++i) {
      const json& entry = paths[i];
      std::string pointer = "/paths/" + std::to_string(i);
      if (!entry.is_object()) return Fail(pointer, "expected an object");
      if (!CheckKeys(entry, pointer, {"path", "mode"}, {"path", "mode"})) return false;

      PathRule rule;
      if (!ParseExpandedPath(entry.at("path"), pointer + "/path", &rule.path)) return false;
      const json& mode = entry.at("mode");
      std::optional<PathMode> parsed;
      if (mode.is_string()) parsed = ParsePathMode(mode.get_ref<const std::string&>());
      if (!parsed) return Fail(pointer + "/mode", kModeChoices);
      rule.mode = *parsed;
      rules->push_back(std::move(rule));
    }
    return true;
  }

  bool ParseOverlay(const json& overlay, std::optional<std::string>* keep) {
    if (!overlay.is_object()) return Fail("/overlay", "expected an object");
    if (!CheckKeys(overlay, "/overlay", {"keep"}, {})) return false;
    if (auto it = overlay.find("keep"); it != overlay.end()) {
      std::string dir;
      if (!ParseExpandedPath(*it, "/overlay/keep", &dir)) return false;
      // A trailing slash asks for a fresh subdirectory per run (see man bvisor-policy).
      const std::string& raw = it->get_ref<const std::string&>();
      if (!raw.empty() && raw.back() == '/' && dir != "/") dir += '/';
      *keep = std::move(dir);
    }
    return true;
  }

  bool ParseStrings(const json& value, const std::string& pointer, std::vector<std::string>* out) {
    if (!value.is_array()) return Fail(pointer, "expected an array of strings");
    out->clear();
    for (size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string()) return Fail(pointer + "/" + std::to_string(i), "expected a string");
      out->push_back(value[i].get<std::string>());
    }
    return true;
  }

  bool ParseNetwork(const json& network, NetworkPolicy* out) {
    if (!network.is_object()) return Fail("/network", "expected an object");
    if (!CheckKeys(network, "/network", {"mode", "allow"}, {})) return false;
    if (auto it = network.find("mode"); it != network.end()) {
      bool found = false;
      for (NetworkMode m : {NetworkMode::kNone, NetworkMode::kLoopback, NetworkMode::kAllow, NetworkMode::kHost}) {
        if (it->is_string() && it->get<std::string>() == NetworkModeName(m)) {
          out->mode = m;
          found = true;
        }
      }
      if (!found) return Fail("/network/mode", "expected one of none, loopback, allow, host");
    }
    if (auto it = network.find("allow"); it != network.end()) {
      if (!ParseStrings(*it, "/network/allow", &out->allow)) return false;
    }
    return true;
  }

  bool ParseEnv(const json& env, EnvPolicy* out) {
    if (!env.is_object()) return Fail("/env", "expected an object");
    if (!CheckKeys(env, "/env", {"clear", "keep", "deny", "set"}, {})) return false;
    if (auto it = env.find("clear"); it != env.end()) {
      if (!it->is_boolean()) return Fail("/env/clear", "expected true or false");
      out->clear = it->get<bool>();
    }
    if (auto it = env.find("keep"); it != env.end()) {
      if (!ParseStrings(*it, "/env/keep", &out->keep)) return false;
    }
    if (auto it = env.find("deny"); it != env.end()) {
      if (!ParseStrings(*it, "/env/deny", &out->deny)) return false;
    }
    if (auto it = env.find("set"); it != env.end()) {
      if (!it->is_object()) return Fail("/env/set", "expected an object of strings");
      for (const auto& [key, value] : it->items()) {
        if (!value.is_string()) return Fail("/env/set/" + key, "expected a string");
        out->set.emplace_back(key, value.get<std::string>());
      }
    }
    return true;
  }

  bool ParseLimits(const json& limits, Limits* out) {
    if (!limits.is_object()) return Fail("/limits", "expected an object");
    if (!CheckKeys(limits, "/limits",
                   {"cpu_seconds", "memory_bytes", "file_size_bytes", "open_files", "processes",
                    "timeout_seconds"},
                   {})) {
      return false;
    }
    struct Field {
      const char* key;
      std::optional<uint64_t>* slot;
    } fields[] = {{"cpu_seconds", &out->cpu_seconds},     {"memory_bytes", &out->memory_bytes},
                  {"file_size_bytes", &out->file_size_bytes}, {"open_files", &out->open_files},
                  {"processes", &out->processes}};
    for (const Field& f : fields) {
      auto it = limits.find(f.key);
      if (it == limits.end()) continue;
      if (!it->is_number_unsigned() || it->get<uint64_t>() == 0) {
        return Fail(std::string("/limits/") + f.key, "expected a positive integer");
      }
      *f.slot = it->get<uint64_t>();
    }
    if (auto it = limits.find("timeout_seconds"); it != limits.end()) {
      if (!it->is_number() || !(it->get<double>() >= kMinTimeout && it->get<double>() <= kMaxTimeout)) {
        return Fail("/limits/timeout_seconds", "expected a number of seconds between 0.001 and 1e9");
      }
      out->timeout_seconds = it->get<double>();
    }
    return true;
  }

  bool ParseExpandedPath(const json& value, std::string_view pointer, std::string* out) {
    if (!value.is_string()) return Fail(pointer, "expected a string");
    std::string message;
    if (!ExpandPath(value.get_ref<const std::string&>(), ctx_, out, &message)) return Fail(pointer, message);
    return true;
  }

  std::string_view source_name_;
  const PolicyContext& ctx_;
  bool require_description_;
  std::string error_;
};

PolicyResult ParseDocument(std::string_view text, std::string_view source_name, const PolicyContext& ctx,
                           bool require_description) {
  PolicyResult result;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    result.error = std::string(source_name) + ": invalid JSON at " + TextLocation(text, e.byte) + ": " +
                   ShortParseReason(e.what());
    return result;
  } catch (const json::exception& e) {
    // Numbers beyond a double (1e999) and the like: still the user's input, still exit 2.
    result.error = std::string(source_name) + ": invalid JSON: " + ShortParseReason(e.what());
    return result;
  }
  Policy policy;
  Parser parser(source_name, ctx, require_description);
  if (!parser.Parse(doc, &policy)) {
    result.error = parser.error();
    return result;
  }
  AddCanonicalTwins(&policy.paths);
  result.policy = std::move(policy);
  return result;
}

enum class ReadStatus { kOk, kMissing, kFailed };

// Reads a whole file; on failure *error is "<path>: cannot read: <strerror>".
ReadStatus ReadFile(const std::string& path, std::string* contents, std::string* error) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  int saved = errno;
  if (fd.Valid()) {
    char buffer[8192];
    for (;;) {
      ssize_t n = ::read(fd.Get(), buffer, sizeof buffer);
      if (n > 0) {
        contents->append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return ReadStatus::kOk;
      if (errno == EINTR) continue;
      saved = errno;
      break;
    }
  }
  *error = path + ": cannot read: " + std::strerror(saved);
  return saved == ENOENT ? ReadStatus::kMissing : ReadStatus::kFailed;
}

std::vector<std::string> PresetDirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("BVISOR_POLICY_DIR"); env != nullptr && env[0] != '\0') dirs.emplace_back(env);
#ifdef BVISOR_SOURCE_POLICY_DIR
  dirs.emplace_back(BVISOR_SOURCE_POLICY_DIR);
#endif
#ifdef BVISOR_DATADIR
  dirs.emplace_back(BVISOR_DATADIR "/policies");
#endif
  return dirs;
}

PolicyResult LoadPreset(std::string_view name, const PolicyContext& ctx) {
  if (name == kDefaultName) return {DefaultPolicy(ctx), {}};
  PolicyResult result;
  std::vector<std::string> dirs = PresetDirs();
  std::string looked;
  for (const std::string& dir : dirs) {
    if (!looked.empty()) looked += ", ";
    looked += dir;
  }
  if (!name.empty()) {
    for (const std::string& dir : dirs) {
      std::string file = JoinPath(dir, std::string(name) + ".json");
      std::string text;
      switch (ReadFile(file, &text, &result.error)) {
        case ReadStatus::kMissing:
          continue;
        case ReadStatus::kFailed:
          return result;
        case ReadStatus::kOk:
          result = ParseDocument(text, file, ctx, /*require_description=*/true);
          if (result.policy) result.policy->name = std::string(name);
          return result;
      }
    }
  }
  result.error = "unknown policy preset " + Quote(name) + " (looked in " + looked + ")";
  return result;
}

}  // namespace

std::string_view PathModeName(PathMode mode) {
  switch (mode) {
    case PathMode::kDeny:
      return "deny";
    case PathMode::kRo:
      return "ro";
    case PathMode::kRw:
      return "rw";
    case PathMode::kCow:
      return "cow";
    case PathMode::kTmp:
      return "tmp";
  }
  return "deny";  // unreachable: the switch is exhaustive
}

std::string_view NetworkModeName(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kNone: return "none";
    case NetworkMode::kLoopback: return "loopback";
    case NetworkMode::kAllow: return "allow";
    case NetworkMode::kHost: return "host";
  }
  return "none";
}

const std::vector<std::string>& DefaultSecretEnvPatterns() {
  static const std::vector<std::string> patterns = {
      "*TOKEN*", "*SECRET*", "*PASSWORD*", "*PASSWD*", "*_KEY", "*_KEY_*", "*APIKEY*", "*API_KEY*",
      "*CREDENTIAL*", "*PRIVATE*", "AWS_*", "AZURE_*", "GOOGLE_APPLICATION_CREDENTIALS", "GCLOUD_*",
      "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_*TOKEN*", "NPM_TOKEN", "PYPI_*", "DOCKER_AUTH*", "SSH_AUTH_SOCK",
      "GPG_AGENT_INFO", "KUBECONFIG", "VAULT_*", "DATABASE_URL", "*_DSN"};
  return patterns;
}

std::optional<PathMode> ParsePathMode(std::string_view name) {
  for (PathMode mode : {PathMode::kDeny, PathMode::kRo, PathMode::kRw, PathMode::kCow, PathMode::kTmp}) {
    if (PathModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

const PathRule* Policy::RuleFor(std::string_view abs_path) const {
  const PathRule* best = nullptr;
  for (const PathRule& rule : paths) {
    // Equal-length matching prefixes are the same string, so ">=" lets the later rule win.
    if (PathIsUnder(abs_path, rule.path) && (best == nullptr || rule.path.size() >= best->path.size())) {
      best = &rule;
    }
  }
  return best;
}

PathMode Policy::ModeFor(std::string_view abs_path) const {
  const PathRule* rule = RuleFor(abs_path);
  return rule == nullptr ? PathMode::kDeny : rule->mode;
}

PolicyResult ParsePolicy(std::string_view text, std::string_view source_name, const PolicyContext& ctx) {
  return ParseDocument(text, source_name, ctx, /*require_description=*/false);
}

PolicyResult LoadPolicy(std::string_view spec, const PolicyContext& ctx) {
  if (spec.find('/') == std::string_view::npos && !spec.ends_with(".json")) return LoadPreset(spec, ctx);
  PolicyResult result;
  std::string file(spec);
  std::string text;
  if (ReadFile(file, &text, &result.error) != ReadStatus::kOk) return result;
  result = ParseDocument(text, file, ctx, /*require_description=*/false);
  if (result.policy) result.policy->name = file;
  return result;
}

Policy DefaultPolicy(const PolicyContext& ctx) {
  Policy policy;
  policy.name = std::string(kDefaultName);
  policy.description = std::string(kDefaultDescription);
  policy.env.deny = DefaultSecretEnvPatterns();
  // Enough for any parallel build; a fork bomb stops here instead of taking the host down.
  policy.limits.processes = kDefaultProcessLimit;
  for (const DefaultRule& entry : kDefaultRules) {
    PathRule rule{{}, entry.mode};
    std::string unused;
    // Without a known home there is no "~" to hide; the absolute rules still apply.
    if (!ExpandPath(entry.path, ctx, &rule.path, &unused)) continue;
    bool duplicate = false;
    for (const PathRule& existing : policy.paths) {
      duplicate = duplicate || (existing.path == rule.path && existing.mode == rule.mode);
    }
    if (!duplicate) policy.paths.push_back(std::move(rule));
  }
  AddCanonicalTwins(&policy.paths);
  return policy;
}

nlohmann::json PolicyToJson(const Policy& policy) {
  json paths = json::array();
  for (const PathRule& rule : policy.paths) {
    paths.push_back({{"path", rule.path}, {"mode", std::string(PathModeName(rule.mode))}});
  }
  json out = {
      {"version", policy.version},
      {"name", policy.name},
      {"description", policy.description},
      {"paths", std::move(paths)},
  };
  if (policy.keep_overlay) out["overlay"] = {{"keep", *policy.keep_overlay}};
  out["network"] = {{"mode", std::string(NetworkModeName(policy.network.mode))}, {"allow", policy.network.allow}};
  json set = json::object();
  for (const auto& [k, v] : policy.env.set) set[k] = v;
  out["env"] = {{"clear", policy.env.clear}, {"keep", policy.env.keep}, {"deny", policy.env.deny}, {"set", set}};
  json limits = json::object();
  const Limits& l = policy.limits;
  auto put = [&](const char* key, const std::optional<uint64_t>& v) {
    if (v) limits[key] = *v;
  };
  put("cpu_seconds", l.cpu_seconds);
  put("memory_bytes", l.memory_bytes);
  put("file_size_bytes", l.file_size_bytes);
  put("open_files", l.open_files);
  put("processes", l.processes);
  if (l.timeout_seconds) limits["timeout_seconds"] = *l.timeout_seconds;
  out["limits"] = limits;
  out["report"] = {{"files", policy.report_files}};
  return out;
}

}  // namespace bvisor
