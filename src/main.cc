// The command line: bvisor run | policy check/show | diff | apply | discard.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "overlay_changes.h"
#include "policy.h"
#include "supervisor.h"

namespace {

constexpr int kExitUsage = 2;

bvisor::PolicyContext Context() {
  bvisor::PolicyContext ctx;
  const char* home = std::getenv("HOME");
  if (home != nullptr) ctx.home = home;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) != nullptr) ctx.cwd = cwd;
  return ctx;
}

// A policy from --policy, or the built-in default; exits 2 on a bad policy.
bool ResolvePolicy(const std::string& spec, bvisor::Policy& out) {
  if (spec.empty()) {
    out = bvisor::DefaultPolicy(Context());
    return true;
  }
  bvisor::PolicyResult r = bvisor::LoadPolicy(spec, Context());
  if (!r.policy) {
    std::cerr << "bvisor: " << r.error << "\n";
    return false;
  }
  out = std::move(*r.policy);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bvisor runs a command so that it cannot damage or spy on the host: reads see the real\n"
      "filesystem, writes land in a private copy-on-write overlay, secrets stay hidden, and a\n"
      "report says what the command did. No root, no namespaces, no image.\n\n"
      "  bvisor run -- bash -c 'make test'      run with the built-in default policy\n"
      "  bvisor run --keep out -- ./install.sh  keep the overlay, then: bvisor diff out\n",
      "bvisor"};
  app.set_version_flag("--version", std::string("bvisor ") + BVISOR_VERSION);
  app.require_subcommand(1);
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "Log more to stderr (repeat for debug output)");
  app.add_flag("-q,--quiet", quiet, "Print nothing of bvisor's own on stderr, only errors");

  // run
  CLI::App* run = app.add_subcommand("run", "Run COMMAND in a sandbox");
  std::string policy_spec, report_path, keep_dir;
  double timeout = 0;
  std::vector<std::string> command;
  run->add_option("-p,--policy", policy_spec, "Policy file, or a preset name (default, agent, ci, strict, audit)");
  run->add_option("-r,--report", report_path, "Write the JSON report to FILE ('-' for stderr)");
  run->add_option("-k,--keep", keep_dir, "Keep the overlay in DIR (new or empty) for bvisor diff/apply");
  run->add_option("-t,--timeout", timeout, "Kill the sandbox after SECONDS (exit status 124)")->check(CLI::PositiveNumber);
  run->add_option("command", command, "The command and its arguments (after --)")->required();
  run->positionals_at_end();

  // policy check/show
  CLI::App* policy = app.add_subcommand("policy", "Check or show a policy");
  policy->require_subcommand(1);
  std::string check_file, show_file;
  CLI::App* check = policy->add_subcommand("check", "Validate a policy file (exit 0 when valid, 2 otherwise)");
  check->add_option("file", check_file, "Policy file or preset name")->required();
  CLI::App* show = policy->add_subcommand("show", "Print the effective policy as JSON, defaults filled in");
  show->add_option("file", show_file, "Policy file or preset name (default: the built-in default)");

  // overlay review
  std::string overlay_dir;
  bool force = false, dry_run = false;
  CLI::App* diff = app.add_subcommand("diff", "Show what a kept overlay would change on the host");
  diff->add_option("dir", overlay_dir, "The kept overlay directory")->required();
  CLI::App* apply = app.add_subcommand("apply", "Write a kept overlay's changes to the host");
  apply->add_option("dir", overlay_dir, "The kept overlay directory")->required();
  apply->add_flag("-f,--force", force, "Apply even where the host changed since the copy was made");
  apply->add_flag("-n,--dry-run", dry_run, "Say what would change, change nothing");
  CLI::App* discard = app.add_subcommand("discard", "Delete a kept overlay");
  discard->add_option("dir", overlay_dir, "The kept overlay directory")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  auto logger = spdlog::stderr_color_mt("bvisor");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("bvisor: %v");
  spdlog::set_level(quiet ? spdlog::level::err
                          : verbosity >= 2 ? spdlog::level::debug
                          : verbosity == 1 ? spdlog::level::info
                                           : spdlog::level::warn);

  if (*run) {
    bvisor::RunOptions options;
    if (!ResolvePolicy(policy_spec, options.policy)) return kExitUsage;
    options.argv = command;
    options.timeout_seconds = timeout;
    if (!report_path.empty()) options.report_path = report_path;
    if (!keep_dir.empty()) options.keep_dir = keep_dir;
    options.quiet = quiet;
    return bvisor::RunSandbox(options);
  }
  if (*policy) {
    bvisor::Policy p;
    if (*check) {
      if (!ResolvePolicy(check_file, p)) return kExitUsage;
      std::cout << check_file << ": valid (" << p.paths.size() << " path rules)\n";
      return 0;
    }
    if (!ResolvePolicy(show_file, p)) return kExitUsage;
    std::cout << bvisor::PolicyToJson(p).dump(2) << "\n";
    return 0;
  }
  if (*diff) return bvisor::DiffCommand(overlay_dir, std::cout, std::cerr);
  if (*apply) return bvisor::ApplyCommand(overlay_dir, {force, dry_run}, std::cout, std::cerr);
  if (*discard) return bvisor::DiscardCommand(overlay_dir, std::cout, std::cerr);
  return kExitUsage;
}
