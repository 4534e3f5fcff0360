// Which environment variables reach the sandboxed command (the policy's `env` section).
#pragma once

#include <string>
#include <vector>

#include "policy.h"

namespace bvisor {

struct FilteredEnvironment {
  std::vector<std::string> env;      // NAME=value entries for execve
  std::vector<std::string> removed;  // names only: values never leave this function
};

// Applies, in order: `clear` (drop all but `keep`), `deny` (drop matches unless they match
// `keep`), then `set`. Globs use fnmatch(3) syntax.
FilteredEnvironment FilterEnvironment(const EnvPolicy& policy, const std::vector<std::string>& input);

}  // namespace bvisor
