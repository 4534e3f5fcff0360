// The run report: allocation-free counters for the notification loop, and the JSON (schema in
// report.h) and one-line summary produced from them once the command has exited.
#include "report.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

// strerrorname_np and sigabbrev_np arrived in glibc 2.32. Tested in two steps because
// __GLIBC_PREREQ is not even defined elsewhere.
#if defined(__GLIBC__)
#if __GLIBC_PREREQ(2, 32)
#define BVISOR_HAVE_GLIBC_NAMES 1
#endif
#endif

namespace bvisor {
namespace {

using nlohmann::json;

#ifndef BVISOR_HAVE_GLIBC_NAMES
// Only for C libraries without strerrorname_np: the errnos a sandboxed run commonly reports.
const char* KnownErrnoName(int error) {
  switch (error) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ETXTBSY: return "ETXTBSY";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOTSOCK: return "ENOTSOCK";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EDQUOT: return "EDQUOT";
    default: return nullptr;
  }
}
#endif

// ErrnoName returns a string_view, so the "E<number>" fallbacks need a home that outlives the
// call. Each distinct unknown number is interned once; std::set nodes never move.
std::string_view InternUnknownErrno(int error) {
  static std::mutex mutex;
  static std::set<std::string, std::less<>> names;
  std::string name = "E" + std::to_string(error);
  std::lock_guard<std::mutex> lock(mutex);
  return *names.insert(std::move(name)).first;
}

// Timings are measured in fractions of a millisecond; a tenth is all a reader can use.
double RoundToTenth(double ms) { return std::round(ms * 10.0) / 10.0; }

std::string_view KindName(OverlayChange::Kind kind) {
  switch (kind) {
    case OverlayChange::Kind::kCreated: return "created";
    case OverlayChange::Kind::kModified: return "modified";
    case OverlayChange::Kind::kDeleted: return "deleted";
    case OverlayChange::Kind::kMetadata: return "metadata";
  }
  return "unknown";  // Unreachable for valid enumerators; keeps -Wreturn-type quiet.
}

std::string_view TypeName(OverlayChange::Type type) {
  switch (type) {
    case OverlayChange::Type::kFile: return "file";
    case OverlayChange::Type::kDir: return "dir";
    case OverlayChange::Type::kSymlink: return "symlink";
    case OverlayChange::Type::kOther: return "other";
  }
  return "unknown";  // Unreachable for valid enumerators; keeps -Wreturn-type quiet.
}

// "1 denial", "2 denials".
std::string Counted(uint64_t n, std::string_view singular, std::string_view plural) {
  std::string out = std::to_string(n);
  out += ' ';
  out += n == 1 ? singular : plural;
  return out;
}

constexpr size_t kSummaryDenials = 3;

}  // namespace

std::string_view ErrnoName(int error) {
#ifdef BVISOR_HAVE_GLIBC_NAMES
  const char* name = strerrorname_np(error);
#else
  const char* name = KnownErrnoName(error);
#endif
  // glibc names 0 "0"; keep every answer in the E-form the report documents.
  if (name != nullptr && name[0] == 'E') return name;
  return InternUnknownErrno(error);
}

std::string SignalName(int sig) {
#ifdef BVISOR_HAVE_GLIBC_NAMES
  // sigabbrev_np knows the classic signals only; real-time ones take the numeric fallback.
  if (const char* abbrev = sigabbrev_np(sig)) return std::string("SIG") + abbrev;
#endif
  return "SIG" + std::to_string(sig);
}

void Report::CountSyscall(int nr, std::string_view name, bool allowed) {
  if (nr < 0 || nr >= kMaxNr) return;
  // The name comes from the syscall table, which outlives the report; storing the view is free.
  Counts& counts = counts_[static_cast<size_t>(nr)];
  counts.name = name;
  if (allowed) {
    ++counts.allowed;
  } else {
    ++counts.denied;
  }
}

void Report::CountBlocked(std::string_view name) {
  // A handful of distinct names at most, so a linear scan beats a map.
  for (auto& [blocked_name, count] : blocked_) {
    if (blocked_name == name) {
      ++count;
      return;
    }
  }
  blocked_.emplace_back(std::string(name), 1);
}

void Report::AddDenial(std::string_view syscall, std::string_view path, std::string_view reason,
                       int error, pid_t pid) {
  ++denials_total_;
  if (denials_.size() >= kMaxDenials) return;
  denials_.push_back(Denial{std::string(syscall), std::string(path), std::string(reason), error, pid});
}

void Report::AddExec(std::string_view path, pid_t pid) {
  ++execs_total_;
  if (execs_.size() >= kMaxExecs) return;
  execs_.push_back(Exec{std::string(path), pid});
}

json Report::ToJson() const {
  json out = json::object();
  out["version"] = kVersion;
  out["command"] = command;
  out["policy"] = policy_name;

  out["exit"] = {
      {"code", exit_code},
      {"signal", exit_signal != 0 ? json(SignalName(exit_signal)) : json(nullptr)},
      {"timed_out", timed_out},
  };
  out["wall_ms"] = RoundToTenth(wall_ms);
  out["cpu_user_ms"] = RoundToTenth(cpu_user_ms);
  out["cpu_system_ms"] = RoundToTenth(cpu_system_ms);
  out["max_rss_kb"] = max_rss_kb;

  json syscalls = json::object();
  for (const Counts& counts : counts_) {
    if (counts.allowed == 0 && counts.denied == 0) continue;
    // Two numbers sharing one name (an architecture alias) add up rather than overwrite.
    json& entry = syscalls[std::string(counts.name)];
    if (entry.is_null()) entry = {{"allowed", uint64_t{0}}, {"denied", uint64_t{0}}};
    entry["allowed"] = entry["allowed"].get<uint64_t>() + counts.allowed;
    entry["denied"] = entry["denied"].get<uint64_t>() + counts.denied;
  }
  out["syscalls"] = std::move(syscalls);

  json blocked = json::object();
  for (const auto& [name, count] : blocked_) blocked[name] = count;
  out["blocked"] = std::move(blocked);

  json denials = json::array();
  for (const Denial& denial : denials_) {
    denials.push_back({
        {"syscall", denial.syscall},
        {"path", denial.path},
        {"reason", denial.reason},
        {"errno", ErrnoName(denial.error)},
        {"pid", denial.pid},
    });
  }
  out["denials"] = std::move(denials);
  out["denials_total"] = denials_total_;

  json execs = json::array();
  for (const Exec& exec : execs_) execs.push_back({{"path", exec.path}, {"pid", exec.pid}});
  out["execs"] = std::move(execs);
  out["execs_total"] = execs_total_;

  json changes = json::array();
  for (const OverlayChange& change : overlay_changes) {
    json entry = {
        {"path", change.path},
        {"kind", KindName(change.kind)},
        {"type", TypeName(change.type)},
        {"size", change.size},
    };
    // Only a modification can leave the content equal (a rewrite with the same bytes).
    if (change.kind == OverlayChange::Kind::kModified) entry["content_differs"] = change.content_differs;
    changes.push_back(std::move(entry));
  }
  out["overlay"] = {
      {"kept", overlay_kept ? json(*overlay_kept) : json(nullptr)},
      {"changes", std::move(changes)},
  };
  out["leftover_processes"] = leftover_processes;
  out["peak_processes"] = peak_processes;
  out["limit"] = limit ? json(*limit) : json(nullptr);
  out["env_removed"] = env_removed;
  json network = json::array();
  for (const Connection& c : network_) {
    network.push_back({{"address", c.address}, {"port", c.port}, {"operation", c.operation},
                       {"allowed", c.allowed}, {"count", c.count}});
  }
  out["network"] = std::move(network);
  if (list_files) out["files"] = {{"read", files_read_}, {"written", files_written_}};
  return out;
}

void Report::AddFile(std::string_view path, bool written) {
  std::set<std::string>& set = written ? files_written_ : files_read_;
  if (set.size() < kMaxFiles) set.emplace(path);
}

void Report::AddNetwork(std::string_view address, int port, std::string_view operation, bool allowed) {
  for (Connection& c : network_) {
    if (c.address == address && c.port == port && c.operation == operation && c.allowed == allowed) {
      ++c.count;
      return;
    }
  }
  if (network_.size() < kMaxDenials * 10) {
    network_.push_back({std::string(address), std::string(operation), port, allowed, 1});
  }
}

std::string Report::Summary() const {
  const std::string ms = std::to_string(std::llround(wall_ms)) + " ms";
  std::string out = "bvisor: ";
  // A timeout is delivered as a signal, so it is checked first: it is the better explanation.
  if (timed_out) {
    out += "timed out after " + ms;
  } else if (exit_signal != 0) {
    out += "killed by " + SignalName(exit_signal) + " in " + ms;
  } else {
    out += "exit " + std::to_string(exit_code) + " in " + ms;
  }

  out += "; ";
  if (overlay_changes.empty()) {
    out += "no changes";
  } else {
    out += Counted(overlay_changes.size(), "change", "changes") + " in the overlay";
  }
  if (overlay_kept) out += " (kept in " + *overlay_kept + ")";

  out += "; ";
  if (denials_total_ == 0) {
    out += "no denials";
  } else {
    out += Counted(denials_total_, "denial", "denials") + ": ";
    size_t shown = 0;
    for (const Denial& denial : denials_) {
      if (shown == kSummaryDenials) break;
      if (shown > 0) out += ", ";
      out += denial.syscall;
      if (!denial.path.empty()) out += " " + denial.path;
      out += " (";
      out += ErrnoName(denial.error);
      out += ")";
      ++shown;
    }
    if (denials_total_ > shown) out += ", and " + std::to_string(denials_total_ - shown) + " more";
  }

  if (leftover_processes > 0) {
    out += "; killed " +
           Counted(static_cast<uint64_t>(leftover_processes), "leftover process", "leftover processes");
  }
  return out;
}

}  // namespace bvisor
