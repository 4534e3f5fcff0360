// Environment filtering.
#include "environment.h"

#include <fnmatch.h>

#include <algorithm>

namespace bvisor {
namespace {

bool MatchesAny(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& g) { return fnmatch(g.c_str(), name.c_str(), 0) == 0; });
}

}  // namespace

FilteredEnvironment FilterEnvironment(const EnvPolicy& policy, const std::vector<std::string>& input) {
  FilteredEnvironment out;
  for (const std::string& entry : input) {
    std::string name = entry.substr(0, entry.find('='));
    bool kept = MatchesAny(policy.keep, name);
    bool drop = !kept && (policy.clear || MatchesAny(policy.deny, name));
    if (drop) {
      out.removed.push_back(name);
    } else {
      out.env.push_back(entry);
    }
  }
  for (const auto& [name, value] : policy.set) {
    std::string prefix = name + "=";
    std::erase_if(out.env, [&](const std::string& e) { return e.compare(0, prefix.size(), prefix) == 0; });
    out.env.push_back(prefix + value);
  }
  return out;
}

}  // namespace bvisor
