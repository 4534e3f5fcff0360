// Unit tests for the policy parser, its error messages, path expansion, the built-in default,
// preset lookup and the longest-prefix lookup.
#include "policy.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "path.h"

#ifndef BVISOR_SOURCE_POLICY_DIR
#error "BVISOR_SOURCE_POLICY_DIR must name the source tree's policies/ directory"
#endif

namespace bvisor {
namespace {

const PolicyContext kCtx{"/home/u", "/work/proj"};

// One line per rule, so that a mismatch shows up readably in doctest's output.
std::string RulesText(const std::vector<PathRule>& rules) {
  std::string out;
  for (const PathRule& rule : rules) {
    out += rule.path;
    out += ' ';
    out += PathModeName(rule.mode);
    out += '\n';
  }
  return out;
}

// Sets (or, given nullopt, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A fresh directory, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bvisor-policy-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    return file;
  }

 private:
  std::string path_;
};

TEST_CASE("policy: errors name the source, a JSON pointer and the problem") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {R"({"version": 1, "paths": [{"path": "/a", "mode": "rw"}, {"path": "/b", "mode": "ro"},
          {"path": "/c", "mode": "cow"}, {"path": "/d", "mode": "write"}]})",
       "policy.json: /paths/3/mode: expected one of deny, ro, rw, cow, tmp"},
      {R"({"version": 1, "paths": [{"path": "/a", "mode": 3}]})",
       "policy.json: /paths/0/mode: expected one of deny, ro, rw, cow, tmp"},
      {R"({"version": 1, "paths": [{"path": "/a", "mod": "rw"}]})", "policy.json: /paths/0: unknown key \"mod\""},
      {R"({"version": 1, "pathz": []})", "policy.json: /: unknown key \"pathz\""},
      {R"({"version": 2})", "policy.json: /version: expected 1"},
      {R"({"version": "1"})", "policy.json: /version: expected 1"},
      {R"({"version": 1.5})", "policy.json: /version: expected 1"},
      {R"({})", "policy.json: /: missing required key \"version\""},
      {R"({"description": "no version"})", "policy.json: /: missing required key \"version\""},
      {R"([])", "policy.json: /: expected an object"},
      {R"({"version": 1, "paths": [{"path": "/a", "mode": "rw"}, {"path": "relative/x", "mode": "rw"}]})",
       "policy.json: /paths/1/path: expected an absolute path after expansion, got \"relative/x\""},
      {R"({"version": 1, "paths": [{"path": "~user/x", "mode": "rw"}]})",
       "policy.json: /paths/0/path: expected an absolute path after expansion, got \"~user/x\""},
      {R"({"version": 1, "paths": [{"path": "", "mode": "rw"}]})",
       "policy.json: /paths/0/path: expected an absolute path after expansion, got \"\""},
      {R"({"version": 1, "paths": [{"path": "/a", "mode": "rw"}, {"path": "/b", "mode": "rw"},
          {"path": "/x/${FOO}/y", "mode": "rw"}]})",
       "policy.json: /paths/2/path: unknown variable ${FOO}"},
      {R"({"version": 1, "paths": [{"path": "${CWD", "mode": "rw"}]})",
       "policy.json: /paths/0/path: unterminated ${ in \"${CWD\""},
      {R"({"version": 1, "paths": {"path": "/a", "mode": "rw"}})", "policy.json: /paths: expected an array"},
      {R"({"version": 1, "paths": ["/a"]})", "policy.json: /paths/0: expected an object"},
      {R"({"version": 1, "paths": [{"path": ["/a"], "mode": "rw"}]})", "policy.json: /paths/0/path: expected a string"},
      {R"({"version": 1, "paths": [{"path": "/a"}]})", "policy.json: /paths/0: missing required key \"mode\""},
      {R"({"version": 1, "paths": [{"mode": "rw"}]})", "policy.json: /paths/0: missing required key \"path\""},
      {R"({"version": 1, "description": 7})", "policy.json: /description: expected a string"},
      {R"({"version": 1, "name": false})", "policy.json: /name: expected a string"},
      {R"({"version": 1, "extends": "strict"})", "policy.json: /extends: expected \"default\""},
      {R"({"version": 1, "extends": true})", "policy.json: /extends: expected \"default\""},
      {R"({"version": 1, "overlay": "/keep"})", "policy.json: /overlay: expected an object"},
      {R"({"version": 1, "overlay": {"dir": "/keep"}})", "policy.json: /overlay: unknown key \"dir\""},
      {R"({"version": 1, "overlay": {"keep": 1}})", "policy.json: /overlay/keep: expected a string"},
      {R"({"version": 1, "overlay": {"keep": "out"}})",
       "policy.json: /overlay/keep: expected an absolute path after expansion, got \"out\""},
      {R"({"version": 1, "overlay": {"keep": "${TMP}/o"}})", "policy.json: /overlay/keep: unknown variable ${TMP}"},
      // JSON syntax errors carry a line and column computed from the text.
      {R"({"version": 1,})", "policy.json: invalid JSON at line 1, column 15: unexpected '}'; expected string literal"},
      {"{\n  \"version\": tru\n}", "policy.json: invalid JSON at line 2, column 17: invalid literal"},
      {"{\n\"version\":", "policy.json: invalid JSON at line 2, column 11: unexpected end of input; expected '[', '{', or a literal"},
      {"", "policy.json: invalid JSON at line 1, column 1: unexpected end of input; expected '[', '{', or a literal"},
      {"{} x", "policy.json: invalid JSON at line 1, column 4: invalid literal; expected end of input"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    PolicyResult result = ParsePolicy(c.text, "policy.json", kCtx);
    CHECK_FALSE(result.policy.has_value());
    CHECK(result.error == c.error);
  }
}

TEST_CASE("policy: unknown home or cwd is an error, not an empty expansion") {
  const PolicyContext no_home{"", "/work/proj"};
  const PolicyContext no_cwd{"/home/u", ""};
  CHECK(ParsePolicy(R"({"version": 1, "paths": [{"path": "~/x", "mode": "rw"}]})", "p.json", no_home).error ==
        "p.json: /paths/0/path: cannot expand ~: the home directory is unknown");
  CHECK(ParsePolicy(R"({"version": 1, "paths": [{"path": "${HOME}/x", "mode": "rw"}]})", "p.json", no_home).error ==
        "p.json: /paths/0/path: cannot expand ${HOME}: its value is unknown");
  CHECK(ParsePolicy(R"({"version": 1, "paths": [{"path": "${CWD}", "mode": "rw"}]})", "p.json", no_cwd).error ==
        "p.json: /paths/0/path: cannot expand ${CWD}: its value is unknown");
}

TEST_CASE("policy: paths are expanded and normalised") {
  struct Case {
    const char* raw;
    const char* expanded;
  };
  const Case cases[] = {
      {"~", "/home/u"},
      {"~/", "/home/u"},
      {"~/.ssh", "/home/u/.ssh"},
      {"~/../v", "/home/v"},
      {"${HOME}", "/home/u"},
      {"${HOME}/.cache", "/home/u/.cache"},
      {"${CWD}", "/work/proj"},
      {"${CWD}/build", "/work/proj/build"},
      {"/mnt${CWD}/${HOME}", "/mnt/work/proj/home/u"},
      {"/a/./b/../c/", "/a/c"},
      {"//a//b//", "/a/b"},
      {"/..", "/"},
      {"/", "/"},
      {"/a/$x/~", "/a/$x/~"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.raw);
    nlohmann::json doc = {{"version", 1}, {"paths", {{{"path", c.raw}, {"mode", "ro"}}}}};
    PolicyResult result = ParsePolicy(doc.dump(), "p.json", kCtx);
    REQUIRE_MESSAGE(result.policy.has_value(), result.error);
    REQUIRE(result.policy->paths.size() == 1);
    CHECK(result.policy->paths[0].path == c.expanded);
    CHECK(result.policy->paths[0].mode == PathMode::kRo);
  }

  PolicyResult keep = ParsePolicy(R"({"version": 1, "overlay": {"keep": "${CWD}/./.bvisor"}})", "p.json", kCtx);
  REQUIRE_MESSAGE(keep.policy.has_value(), keep.error);
  CHECK(keep.policy->keep_overlay == "/work/proj/.bvisor");
  // A trailing slash survives normalisation: it asks for a fresh directory per run.
  PolicyResult per_run = ParsePolicy(R"({"version": 1, "overlay": {"keep": "${CWD}/./runs/"}})", "p.json", kCtx);
  REQUIRE_MESSAGE(per_run.policy.has_value(), per_run.error);
  CHECK(per_run.policy->keep_overlay == "/work/proj/runs/");
}

TEST_CASE("policy: a valid document fills every field") {
  PolicyResult result = ParsePolicy(R"({"version": 1, "description": "d", "name": "n",
      "paths": [{"path": "/", "mode": "deny"}, {"path": "/usr", "mode": "ro"}, {"path": "/w", "mode": "rw"},
                {"path": "/h", "mode": "cow"}, {"path": "/tmp", "mode": "tmp"}]})",
                                    "p.json", kCtx);
  REQUIRE_MESSAGE(result.policy.has_value(), result.error);
  const Policy& policy = *result.policy;
  CHECK(result.error.empty());
  CHECK(policy.version == 1);
  CHECK(policy.name == "n");
  CHECK(policy.description == "d");
  CHECK(RulesText(policy.paths) == "/ deny\n/usr ro\n/w rw\n/h cow\n/tmp tmp\n");
  CHECK_FALSE(policy.keep_overlay.has_value());

  PolicyResult unnamed = ParsePolicy(R"({"version": 1})", "p.json", kCtx);
  REQUIRE(unnamed.policy.has_value());
  CHECK(unnamed.policy->name == "p.json");
  CHECK(unnamed.policy->description.empty());
  CHECK(unnamed.policy->paths.empty());
}

TEST_CASE("policy: mode names round-trip") {
  for (PathMode mode : {PathMode::kDeny, PathMode::kRo, PathMode::kRw, PathMode::kCow, PathMode::kTmp}) {
    CHECK(ParsePathMode(PathModeName(mode)) == mode);
  }
  CHECK(PathModeName(PathMode::kCow) == "cow");
  CHECK_FALSE(ParsePathMode("RW").has_value());
  CHECK_FALSE(ParsePathMode("").has_value());
  CHECK_FALSE(ParsePathMode("rwx").has_value());
}

TEST_CASE("policy: the longest matching prefix wins, the later rule on a tie") {
  Policy policy;
  policy.paths = {
      {"/", PathMode::kCow},      // 0
      {"/a", PathMode::kRo},      // 1
      {"/a/b", PathMode::kRw},    // 2
      {"/a", PathMode::kDeny},    // 3: same prefix as 1, later, so it wins
      {"/a/b/c", PathMode::kTmp}, // 4
  };
  struct Case {
    const char* path;
    PathMode mode;
    int rule;
  };
  const Case cases[] = {
      {"/", PathMode::kCow, 0},        {"/etc/passwd", PathMode::kCow, 0}, {"/a", PathMode::kDeny, 3},
      {"/a/x", PathMode::kDeny, 3},    {"/ab", PathMode::kCow, 0},         {"/a/b", PathMode::kRw, 2},
      {"/a/bc", PathMode::kDeny, 3},   {"/a/b/x/y", PathMode::kRw, 2},     {"/a/b/c", PathMode::kTmp, 4},
      {"/a/b/c/d", PathMode::kTmp, 4},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    CHECK(policy.ModeFor(c.path) == c.mode);
    CHECK(policy.RuleFor(c.path) == &policy.paths[static_cast<size_t>(c.rule)]);
  }

  // Rule order does not matter for different lengths.
  Policy reversed;
  reversed.paths = {{"/a/b", PathMode::kRw}, {"/a", PathMode::kRo}};
  CHECK(reversed.ModeFor("/a/b/c") == PathMode::kRw);
  CHECK(reversed.ModeFor("/a/c") == PathMode::kRo);
  CHECK(reversed.ModeFor("/ab") == PathMode::kDeny);
}

TEST_CASE("policy: nothing covered means deny") {
  Policy empty;
  CHECK(empty.ModeFor("/etc") == PathMode::kDeny);
  CHECK(empty.RuleFor("/etc") == nullptr);

  Policy partial;
  partial.paths = {{"/usr", PathMode::kRo}};
  CHECK(partial.ModeFor("/usr/bin/env") == PathMode::kRo);
  CHECK(partial.ModeFor("/usrx") == PathMode::kDeny);
  CHECK(partial.ModeFor("/") == PathMode::kDeny);
  CHECK(partial.RuleFor("/etc/passwd") == nullptr);
}

TEST_CASE("policy: the built-in default") {
  Policy policy = DefaultPolicy(kCtx);
  CHECK(policy.name == "default");
  CHECK(policy.description ==
        "Built-in default: the host is readable, writes go to a private copy-on-write overlay, secrets are hidden.");
  CHECK_FALSE(policy.keep_overlay.has_value());
  REQUIRE_FALSE(policy.paths.empty());
  CHECK(policy.paths[0].path == "/");
  CHECK(policy.paths[0].mode == PathMode::kCow);

  struct Case {
    const char* path;
    PathMode mode;
  };
  const Case cases[] = {
      {"/etc/passwd", PathMode::kCow},
      {"/usr/bin/env", PathMode::kCow},
      {"/home/u/project/main.c", PathMode::kCow},
      {"/home/u/.ssh/id_rsa", PathMode::kDeny},
      {"/home/u/.ssh", PathMode::kDeny},
      {"/home/u/.sshx", PathMode::kCow},
      {"/home/u/.config/gcloud/credentials.db", PathMode::kDeny},
      {"/home/u/.config/other", PathMode::kCow},
      {"/root/.ssh/authorized_keys", PathMode::kDeny},
      {"/etc/shadow", PathMode::kDeny},
      {"/etc/ssh/ssh_host_ed25519_key", PathMode::kDeny},
      {"/tmp/x", PathMode::kTmp},
      {"/var/tmp", PathMode::kTmp},
      {"/dev/shm/seg", PathMode::kTmp},
      {"/dev/null", PathMode::kRw},
      {"/dev/pts/3", PathMode::kRw},
      {"/dev/sda", PathMode::kDeny},
      {"/dev", PathMode::kDeny},
      {"/proc/self/status", PathMode::kRo},
      {"/proc/sysrq-trigger", PathMode::kDeny},
      {"/sys/kernel", PathMode::kRo},
      {"/run/docker.sock", PathMode::kDeny},
      {"/var/run/dbus/system_bus_socket", PathMode::kDeny},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    CHECK(PathModeName(policy.ModeFor(c.path)) == PathModeName(c.mode));
  }

  // Every rule is absolute and normalised, and none appears twice.
  for (size_t i = 0; i < policy.paths.size(); ++i) {
    CAPTURE(policy.paths[i].path);
    CHECK(policy.paths[i].path == NormaliseLexically(policy.paths[i].path));
    for (size_t j = 0; j < i; ++j) CHECK(policy.paths[j].path != policy.paths[i].path);
  }
}

TEST_CASE("policy: the default hides /root/.ssh once when home is /root") {
  Policy as_root = DefaultPolicy({"/root", "/"});
  Policy as_user = DefaultPolicy(kCtx);
  int count = 0;
  for (const PathRule& rule : as_root.paths) count += rule.path == "/root/.ssh" ? 1 : 0;
  CHECK(count == 1);
  CHECK(as_root.paths.size() + 1 == as_user.paths.size());
  CHECK(as_root.ModeFor("/root/.ssh/id_ed25519") == PathMode::kDeny);
}

TEST_CASE("policy: the default without a home still applies its absolute rules") {
  Policy policy = DefaultPolicy({"", "/work/proj"});
  CHECK(policy.ModeFor("/etc/shadow") == PathMode::kDeny);
  CHECK(policy.ModeFor("/etc/passwd") == PathMode::kCow);
  for (const PathRule& rule : policy.paths) {
    CAPTURE(rule.path);
    CHECK(rule.path.starts_with("/"));
  }
}

TEST_CASE("policy: extends appends to the default's rules") {
  PolicyResult result = ParsePolicy(
      R"({"paths": [{"path": "${CWD}", "mode": "rw"}, {"path": "/", "mode": "ro"}], "version": 1, "extends": "default"})",
      "p.json", kCtx);
  REQUIRE_MESSAGE(result.policy.has_value(), result.error);
  const Policy& policy = *result.policy;
  std::vector<PathRule> expected = DefaultPolicy(kCtx).paths;
  expected.push_back({"/work/proj", PathMode::kRw});
  expected.push_back({"/", PathMode::kRo});
  CHECK(RulesText(policy.paths) == RulesText(expected));
  CHECK(policy.ModeFor("/work/proj/src/a.c") == PathMode::kRw);
  CHECK(policy.ModeFor("/etc/passwd") == PathMode::kRo);  // the later "/" wins the tie
  CHECK(policy.ModeFor("/home/u/.ssh/id_rsa") == PathMode::kDeny);
  CHECK(policy.description.empty());
}

TEST_CASE("policy: PolicyToJson round-trips through ParsePolicy") {
  Policy original = DefaultPolicy(kCtx);
  original.keep_overlay = "/var/lib/bvisor/keep";
  nlohmann::json doc = PolicyToJson(original);
  CHECK(doc["version"] == 1);
  CHECK(doc["name"] == "default");
  CHECK(doc["paths"][0] == nlohmann::json({{"path", "/"}, {"mode", "cow"}}));
  CHECK(doc["overlay"]["keep"] == "/var/lib/bvisor/keep");

  PolicyResult parsed = ParsePolicy(doc.dump(2), "shown.json", kCtx);
  REQUIRE_MESSAGE(parsed.policy.has_value(), parsed.error);
  CHECK(parsed.policy->name == original.name);
  CHECK(parsed.policy->description == original.description);
  CHECK(RulesText(parsed.policy->paths) == RulesText(original.paths));
  CHECK(parsed.policy->keep_overlay == original.keep_overlay);

  CHECK_FALSE(PolicyToJson(DefaultPolicy(kCtx)).contains("overlay"));
}

TEST_CASE("policy: every preset in policies/ loads and describes itself") {
  ScopedEnv no_override("BVISOR_POLICY_DIR", std::nullopt);
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(BVISOR_SOURCE_POLICY_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::string file = entry.path().string();
    CAPTURE(file);
    PolicyResult by_path = LoadPolicy(file, kCtx);
    REQUIRE_MESSAGE(by_path.policy.has_value(), by_path.error);
    CHECK(by_path.policy->name == file);
    CHECK_FALSE(by_path.policy->description.empty());
    CHECK_FALSE(by_path.policy->paths.empty());

    std::string stem = entry.path().stem().string();
    PolicyResult by_name = LoadPolicy(stem, kCtx);
    REQUIRE_MESSAGE(by_name.policy.has_value(), by_name.error);
    CHECK(by_name.policy->name == stem);
    CHECK_FALSE(by_name.policy->description.empty());
    ++loaded;
  }
  CHECK(loaded >= 5);
}

TEST_CASE("policy: policies/default.json mirrors the built-in default") {
  for (const PolicyContext& ctx : {kCtx, PolicyContext{"/root", "/"}}) {
    CAPTURE(ctx.home);
    PolicyResult file = LoadPolicy(BVISOR_SOURCE_POLICY_DIR "/default.json", ctx);
    REQUIRE_MESSAGE(file.policy.has_value(), file.error);
    Policy builtin = DefaultPolicy(ctx);
    // The file cannot drop /root/.ssh as a duplicate; a repeated rule changes nothing.
    std::vector<PathRule> deduplicated;
    for (const PathRule& rule : file.policy->paths) {
      bool seen = false;
      for (const PathRule& kept : deduplicated) seen = seen || (kept.path == rule.path && kept.mode == rule.mode);
      if (!seen) deduplicated.push_back(rule);
    }
    CHECK(RulesText(deduplicated) == RulesText(builtin.paths));
  }
}

TEST_CASE("policy: presets behave as documented") {
  ScopedEnv no_override("BVISOR_POLICY_DIR", std::nullopt);
  struct Case {
    const char* preset;
    const char* path;
    PathMode mode;
  };
  const Case cases[] = {
      {"agent", "/etc/passwd", PathMode::kCow},    {"agent", "/home/u/.aws/credentials", PathMode::kDeny},
      {"agent", "/tmp/a", PathMode::kTmp},         {"ci", "/work/proj/build/out.o", PathMode::kRw},
      {"ci", "/etc/passwd", PathMode::kCow},       {"ci", "/home/u/.ssh/id_rsa", PathMode::kDeny},
      {"strict", "/usr/bin/env", PathMode::kRo},   {"strict", "/etc/passwd", PathMode::kRo},
      {"strict", "/etc/shadow", PathMode::kDeny},  {"strict", "/home/u/notes", PathMode::kDeny},
      {"strict", "/work/proj/a.c", PathMode::kCow}, {"strict", "/dev/null", PathMode::kRw},
      {"strict", "/dev/sda", PathMode::kDeny},     {"strict", "/tmp/x", PathMode::kTmp},
      {"audit", "/etc/passwd", PathMode::kRw},     {"audit", "/home/u/.ssh/id_rsa", PathMode::kRw},
      {"audit", "/dev/sda", PathMode::kRw},        {"audit", "/sys/kernel", PathMode::kRo},
  };
  for (const Case& c : cases) {
    CAPTURE(c.preset);
    CAPTURE(c.path);
    PolicyResult result = LoadPolicy(c.preset, kCtx);
    REQUIRE_MESSAGE(result.policy.has_value(), result.error);
    CHECK(PathModeName(result.policy->ModeFor(c.path)) == PathModeName(c.mode));
  }
}

TEST_CASE("policy: LoadPolicy finds presets in order and reports what it could not load") {
  TempDir dir;
  ScopedEnv override_dir("BVISOR_POLICY_DIR", dir.path());
  dir.Write("agent.json", R"({"version": 1, "description": "overridden"})");
  std::string broken = dir.Write("broken.json", R"({"version": 2, "description": "x"})");
  std::string undescribed = dir.Write("undescribed.json", R"({"version": 1})");
  std::string empty_description = dir.Write("empty.json", R"({"version": 1, "description": ""})");
  dir.Write("default.json", R"({"version": 1, "description": "not the built-in"})");

  PolicyResult agent = LoadPolicy("agent", kCtx);
  REQUIRE_MESSAGE(agent.policy.has_value(), agent.error);
  CHECK(agent.policy->description == "overridden");
  CHECK(agent.policy->name == "agent");

  // Presets still found further down the list.
  PolicyResult strict = LoadPolicy("strict", kCtx);
  REQUIRE_MESSAGE(strict.policy.has_value(), strict.error);
  CHECK(strict.policy->name == "strict");

  // "default" is always the built-in.
  PolicyResult def = LoadPolicy("default", kCtx);
  REQUIRE(def.policy.has_value());
  CHECK(def.policy->description == DefaultPolicy(kCtx).description);

  CHECK(LoadPolicy("broken", kCtx).error == broken + ": /version: expected 1");
  CHECK(LoadPolicy("undescribed", kCtx).error == undescribed + ": /: missing required key \"description\"");
  CHECK(LoadPolicy("empty", kCtx).error == empty_description + ": /description: expected a non-empty string");
  CHECK(LoadPolicy("nope", kCtx).error == "unknown policy preset \"nope\" (looked in " + dir.path() + ", " +
                                              BVISOR_SOURCE_POLICY_DIR + ", " BVISOR_DATADIR "/policies)");

  // A user file needs no description and is named by its path.
  PolicyResult user = LoadPolicy(undescribed, kCtx);
  REQUIRE_MESSAGE(user.policy.has_value(), user.error);
  CHECK(user.policy->name == undescribed);

  CHECK(LoadPolicy("/nonexistent-bvisor/p.json", kCtx).error ==
        "/nonexistent-bvisor/p.json: cannot read: No such file or directory");
  CHECK(LoadPolicy("missing-bvisor-policy.json", kCtx).error ==
        "missing-bvisor-policy.json: cannot read: No such file or directory");
  CHECK(LoadPolicy(dir.path() + "/", kCtx).error == dir.path() + "/: cannot read: Is a directory");
}

}  // namespace
}  // namespace bvisor
