// Environment filtering.
#include <doctest/doctest.h>

#include "environment.h"

namespace bvisor {

TEST_CASE("environment: secrets are removed by default, names reported, values never") {
  EnvPolicy policy;
  policy.deny = DefaultSecretEnvPatterns();
  std::vector<std::string> in = {"PATH=/bin", "GITHUB_TOKEN=ghp_x", "AWS_SECRET_ACCESS_KEY=abc", "HOME=/root",
                                 "MY_API_KEY=k", "DB_PASSWORD=p", "TERM=xterm"};
  FilteredEnvironment out = FilterEnvironment(policy, in);
  CHECK(out.env == std::vector<std::string>{"PATH=/bin", "HOME=/root", "TERM=xterm"});
  CHECK(out.removed == std::vector<std::string>{"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "MY_API_KEY", "DB_PASSWORD"});
}

TEST_CASE("environment: keep overrides deny and clear; set comes last") {
  EnvPolicy policy;
  policy.clear = true;
  policy.keep = {"PATH", "LC_*"};
  policy.set = {{"PATH", "/usr/bin"}, {"NEW", "1"}};
  FilteredEnvironment out = FilterEnvironment(policy, {"PATH=/bin", "LC_ALL=C", "HOME=/root", "TOKEN=t"});
  CHECK(out.env == std::vector<std::string>{"LC_ALL=C", "PATH=/usr/bin", "NEW=1"});
  CHECK(out.removed == std::vector<std::string>{"HOME", "TOKEN"});
}

}  // namespace bvisor
