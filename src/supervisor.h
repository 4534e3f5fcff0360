// `bvisor run`: one thread, one poll loop over the listener, a signalfd, the reaper's socket
// and a timerfd; everything else plugs into it through the syscall table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy.h"

namespace bvisor {

struct RunOptions {
  std::vector<std::string> argv;
  Policy policy;
  double timeout_seconds = 0;            // 0: none
  std::optional<std::string> report_path;  // "-" for stderr
  std::optional<std::string> keep_dir;     // keep the overlay there
  std::optional<std::string> report_dir;   // one report file per run, named by time and pid
  std::optional<std::string> stdout_file;  // the command's stdout goes here instead
  std::optional<std::string> stderr_file;
  bool json = false;            // print only the report, on stdout
  bool fail_on_denial = false;  // exit 3 when the command succeeded but something was denied
  bool quiet = false;
};

// Exit status with --fail-on-denial when the command succeeded but bvisor refused something.
constexpr int kExitDenied = 3;

// Runs the command; returns bvisor's exit status (the command's, 128+N, 124, or 125).
int RunSandbox(const RunOptions& options);

}  // namespace bvisor
