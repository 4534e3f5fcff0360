// libFuzzer target for the policy parser: any byte string either parses into a policy whose path
// rules are absolute and normalised and whose JSON form parses back to the same policy, or is
// refused with a located message; never a crash, an exception or undefined behaviour.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "path.h"
#include "policy.h"

namespace bvisor {
namespace {

constexpr std::string_view kSource = "fuzz.json";

[[noreturn]] void Violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "policy_fuzzer: invariant violated: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) Violated(what, detail);
}

bool IsNormalisedAbsolute(std::string_view path) {
  return !path.empty() && path[0] == '/' && NormaliseLexically(path) == path;
}

bool SameRules(const Policy& a, const Policy& b) {
  if (a.paths.size() != b.paths.size()) return false;
  for (size_t i = 0; i < a.paths.size(); ++i) {
    if (a.paths[i].path != b.paths[i].path || a.paths[i].mode != b.paths[i].mode) return false;
  }
  return true;
}

bool SameLimits(const Limits& a, const Limits& b) {
  return a.cpu_seconds == b.cpu_seconds && a.memory_bytes == b.memory_bytes &&
         a.file_size_bytes == b.file_size_bytes && a.open_files == b.open_files && a.processes == b.processes &&
         a.timeout_seconds == b.timeout_seconds;
}

void CheckPolicy(const Policy& policy, const PolicyContext& ctx) {
  Check(policy.version == Policy::kVersion, "version is 1");
  for (const PathRule& rule : policy.paths) {
    Check(IsNormalisedAbsolute(rule.path), "path rule is absolute and normalised", rule.path);
    Check(ParsePathMode(PathModeName(rule.mode)) == rule.mode, "mode name round-trips", rule.path);
  }
  if (policy.keep_overlay) {
    // A trailing '/' asks for a fresh subdirectory per run: the only allowed non-normal form.
    std::string_view keep = *policy.keep_overlay;
    if (keep.size() > 1 && keep.back() == '/') keep.remove_suffix(1);
    Check(IsNormalisedAbsolute(keep), "overlay keep is absolute and normalised", *policy.keep_overlay);
  }
  if (policy.limits.timeout_seconds) {
    Check(*policy.limits.timeout_seconds > 0, "timeout is positive");
  }

  // What `bvisor policy show` prints must be a policy that means the same.
  std::string shown;
  try {
    shown = PolicyToJson(policy).dump(2);
  } catch (const std::exception& e) {
    Violated("PolicyToJson(policy).dump() throws", e.what());
  }
  PolicyResult again = ParsePolicy(shown, kSource, ctx);
  if (!again.policy) Violated("PolicyToJson output parses again", again.error + "\n" + shown);
  const Policy& p = *again.policy;
  Check(SameRules(policy, p), "round trip keeps the path rules", shown);
  Check(p.keep_overlay == policy.keep_overlay, "round trip keeps overlay.keep", shown);
  Check(p.name == policy.name && p.description == policy.description, "round trip keeps name and description",
        shown);
  Check(p.network.mode == policy.network.mode && p.network.allow == policy.network.allow,
        "round trip keeps the network policy", shown);
  Check(p.env.clear == policy.env.clear && p.env.keep == policy.env.keep && p.env.deny == policy.env.deny &&
            p.env.set == policy.env.set,
        "round trip keeps the env policy", shown);
  Check(SameLimits(p.limits, policy.limits), "round trip keeps the limits", shown);
  Check(p.report_files == policy.report_files, "round trip keeps report.files", shown);
}

}  // namespace
}  // namespace bvisor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bvisor;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const PolicyContext ctx{"/home/fuzz", "/work/fuzz"};
  PolicyResult result;
  try {
    result = ParsePolicy(text, kSource, ctx);
  } catch (const std::exception& e) {
    Violated("ParsePolicy throws", e.what());
  }
  if (result.policy) {
    Check(result.error.empty(), "a parsed policy comes without an error", result.error);
    CheckPolicy(*result.policy, ctx);
  } else {
    Check(result.error.size() > kSource.size() + 2 && result.error.starts_with(std::string(kSource) + ": "),
          "an error names the source", result.error);
  }
  return 0;
}
