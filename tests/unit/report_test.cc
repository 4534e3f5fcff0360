// Unit tests for the run report: syscall counters, the denial and exec caps, the JSON schema
// fields, the one-line summary word for word, and the errno and signal names.
#include "report.h"

#include <signal.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace bvisor {
namespace {

using nlohmann::json;

TEST_CASE("report: syscall counts appear in the JSON and unseen syscalls do not") {
  Report report;
  report.CountSyscall(257, "openat", true);
  report.CountSyscall(257, "openat", true);
  report.CountSyscall(257, "openat", false);
  report.CountSyscall(42, "connect", false);
  report.CountSyscall(-1, "bogus", true);
  report.CountSyscall(Report::kMaxNr, "bogus", true);

  const json syscalls = report.ToJson().at("syscalls");
  CHECK(syscalls.dump() == R"({"connect":{"allowed":0,"denied":1},"openat":{"allowed":2,"denied":1}})");
}

TEST_CASE("report: blocked attempts are counted by name") {
  Report report;
  report.CountBlocked("ptrace");
  report.CountBlocked("bpf");
  report.CountBlocked("ptrace");
  CHECK(report.ToJson().at("blocked").dump() == R"({"bpf":1,"ptrace":2})");
}

TEST_CASE("report: only the first kMaxDenials denials are listed, all are counted") {
  Report report;
  for (size_t i = 0; i < Report::kMaxDenials + 5; ++i) {
    report.AddDenial("openat", "/d/" + std::to_string(i), "policy: deny", ENOENT, 100);
  }
  const json out = report.ToJson();
  CHECK(out.at("denials").size() == Report::kMaxDenials);
  CHECK(out.at("denials_total") == Report::kMaxDenials + 5);
  CHECK(report.DenialsTotal() == Report::kMaxDenials + 5);
  CHECK(out.at("denials").front().dump() ==
        R"({"errno":"ENOENT","path":"/d/0","pid":100,"reason":"policy: deny","syscall":"openat"})");
  CHECK(out.at("denials").back().at("path") == "/d/" + std::to_string(Report::kMaxDenials - 1));
}

TEST_CASE("report: only the first kMaxExecs execs are listed, all are counted") {
  Report report;
  for (size_t i = 0; i < Report::kMaxExecs + 5; ++i) report.AddExec("/usr/bin/make", 124);
  const json out = report.ToJson();
  CHECK(out.at("execs").size() == Report::kMaxExecs);
  CHECK(out.at("execs_total") == Report::kMaxExecs + 5);
  CHECK(out.at("execs").front().dump() == R"({"path":"/usr/bin/make","pid":124})");
}

TEST_CASE("report: exit JSON for a normal exit, a signal and a timeout") {
  struct Case {
    int code;
    int signal;
    bool timed_out;
    std::string want;
  };
  const std::vector<Case> cases = {
      {0, 0, false, R"({"code":0,"signal":null,"timed_out":false})"},
      {3, 0, false, R"({"code":3,"signal":null,"timed_out":false})"},
      {137, SIGKILL, false, R"({"code":137,"signal":"SIGKILL","timed_out":false})"},
      {139, SIGSEGV, false, R"({"code":139,"signal":"SIGSEGV","timed_out":false})"},
      {137, SIGKILL, true, R"({"code":137,"signal":"SIGKILL","timed_out":true})"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.want);
    Report report;
    report.exit_code = c.code;
    report.exit_signal = c.signal;
    report.timed_out = c.timed_out;
    CHECK(report.ToJson().at("exit").dump() == c.want);
  }
}

TEST_CASE("report: top-level fields of an empty report") {
  Report report;
  report.command = {"bash", "-c", "true"};
  report.policy_name = "default";
  report.wall_ms = 12.46;
  report.cpu_user_ms = 3.14159;
  report.cpu_system_ms = 4.0;
  report.max_rss_kb = 3456;
  CHECK(report.ToJson().dump() ==
        R"({"blocked":{},"command":["bash","-c","true"],"cpu_system_ms":4.0,"cpu_user_ms":3.1,)"
        R"("denials":[],"denials_total":0,"env_removed":[],"execs":[],"execs_total":0,)"
        R"("exit":{"code":0,"signal":null,"timed_out":false},"leftover_processes":0,"limit":null,)"
        R"("max_rss_kb":3456,"network":[],"overlay":{"changes":[],"kept":null},"peak_processes":0,)"
        R"("policy":"default","syscalls":{},"version":1,)"
        R"("wall_ms":12.5})");
}

TEST_CASE("report: overlay changes are serialised with kind and type names") {
  using Kind = OverlayChange::Kind;
  using Type = OverlayChange::Type;
  Report report;
  report.overlay_kept = "/tmp/keep";
  report.overlay_changes = {
      {"/w/new.txt", Kind::kCreated, Type::kFile, 10, false},
      {"/w/same.txt", Kind::kModified, Type::kFile, 4, false},
      {"/w/edit.txt", Kind::kModified, Type::kFile, 7, true},
      {"/w/old", Kind::kDeleted, Type::kDir, 0, false},
      {"/w/link", Kind::kMetadata, Type::kSymlink, 5, true},
      {"/w/fifo", Kind::kCreated, Type::kOther, 0, false},
  };
  const json overlay = report.ToJson().at("overlay");
  CHECK(overlay.at("kept") == "/tmp/keep");
  const std::vector<std::string> want = {
      R"({"kind":"created","path":"/w/new.txt","size":10,"type":"file"})",
      R"({"content_differs":false,"kind":"modified","path":"/w/same.txt","size":4,"type":"file"})",
      R"({"content_differs":true,"kind":"modified","path":"/w/edit.txt","size":7,"type":"file"})",
      R"({"kind":"deleted","path":"/w/old","size":0,"type":"dir"})",
      R"({"kind":"metadata","path":"/w/link","size":5,"type":"symlink"})",
      R"({"kind":"created","path":"/w/fifo","size":0,"type":"other"})",
  };
  REQUIRE(overlay.at("changes").size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(overlay.at("changes")[i].dump() == want[i]);
  }
}

TEST_CASE("report: summary line") {
  struct Denied {
    std::string syscall, path;
    int error;
  };
  struct Case {
    std::string name;
    int code = 0;
    int signal = 0;
    bool timed_out = false;
    double wall_ms = 0;
    size_t changes = 0;
    std::optional<std::string> kept;
    std::vector<Denied> denials;
    int leftover = 0;
    std::string want;
  };
  const std::vector<Denied> five = {
      {"openat", "/a", EACCES}, {"mkdir", "/b", EROFS}, {"connect", "", EACCES},
      {"unlinkat", "/d", EPERM}, {"openat", "/e", ENOENT},
  };
  const std::vector<Case> cases = {
      {"clean", 0, 0, false, 12.3, 0, std::nullopt, {}, 0,
       "bvisor: exit 0 in 12 ms; no changes; no denials"},
      {"changes and two denials", 2, 0, false, 1502.6, 3, "/tmp/x",
       {{"openat", "/home/u/.ssh/id_rsa", ENOENT}, {"connect", "/run/docker.sock", EACCES}}, 0,
       "bvisor: exit 2 in 1503 ms; 3 changes in the overlay (kept in /tmp/x); 2 denials: "
       "openat /home/u/.ssh/id_rsa (ENOENT), connect /run/docker.sock (EACCES)"},
      {"singulars", 1, 0, false, 7, 1, std::nullopt, {{"mkdir", "/usr/x", EROFS}}, 1,
       "bvisor: exit 1 in 7 ms; 1 change in the overlay; 1 denial: mkdir /usr/x (EROFS); "
       "killed 1 leftover process"},
      {"signal", 137, SIGKILL, false, 5.2, 0, std::nullopt, {}, 0,
       "bvisor: killed by SIGKILL in 5 ms; no changes; no denials"},
      {"timeout wins over its signal", 137, SIGKILL, true, 1000.4, 0, std::nullopt, {}, 2,
       "bvisor: timed out after 1000 ms; no changes; no denials; killed 2 leftover processes"},
      {"kept without changes", 0, 0, false, 1, 0, "/tmp/k", {}, 0,
       "bvisor: exit 0 in 1 ms; no changes (kept in /tmp/k); no denials"},
      {"three denials, none more", 0, 0, false, 3, 0, std::nullopt,
       {five[0], five[1], five[2]}, 0,
       "bvisor: exit 0 in 3 ms; no changes; 3 denials: openat /a (EACCES), mkdir /b (EROFS), "
       "connect (EACCES)"},
      {"five denials", 0, 0, false, 3, 0, std::nullopt, five, 0,
       "bvisor: exit 0 in 3 ms; no changes; 5 denials: openat /a (EACCES), mkdir /b (EROFS), "
       "connect (EACCES), and 2 more"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Report report;
    report.exit_code = c.code;
    report.exit_signal = c.signal;
    report.timed_out = c.timed_out;
    report.wall_ms = c.wall_ms;
    for (size_t i = 0; i < c.changes; ++i) {
      report.overlay_changes.push_back(
          {"/c/" + std::to_string(i), OverlayChange::Kind::kCreated, OverlayChange::Type::kFile, 0, false});
    }
    report.overlay_kept = c.kept;
    for (const Denied& d : c.denials) report.AddDenial(d.syscall, d.path, "policy: deny", d.error, 1);
    report.leftover_processes = c.leftover;
    CHECK(report.Summary() == c.want);
  }
}

TEST_CASE("report: errno names") {
  struct Case {
    int error;
    std::string_view want;
  };
  const std::vector<Case> cases = {
      {ENOENT, "ENOENT"},   {EACCES, "EACCES"},           {EROFS, "EROFS"},
      {EPERM, "EPERM"},     {ENOSYS, "ENOSYS"},           {EXDEV, "EXDEV"},
      {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},           {EEXIST, "EEXIST"},
      {ENOTEMPTY, "ENOTEMPTY"}, {ELOOP, "ELOOP"},         {ENAMETOOLONG, "ENAMETOOLONG"},
      {EFAULT, "EFAULT"},   {EINVAL, "EINVAL"},           {EBADF, "EBADF"},
      {ENOSPC, "ENOSPC"},   {EDQUOT, "EDQUOT"},           {EAGAIN, "EAGAIN"},
      {ESRCH, "ESRCH"},     {ENOEXEC, "ENOEXEC"},         {E2BIG, "E2BIG"},
      {EBUSY, "EBUSY"},     {ETXTBSY, "ETXTBSY"},         {EMFILE, "EMFILE"},
      {ENXIO, "ENXIO"},     {EOPNOTSUPP, "EOPNOTSUPP"},   {ECONNREFUSED, "ECONNREFUSED"},
      {EAFNOSUPPORT, "EAFNOSUPPORT"}, {ENOTSOCK, "ENOTSOCK"}, {EINTR, "EINTR"},
      {0, "E0"},            {4000, "E4000"},              {-3, "E-3"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.error);
    CHECK(ErrnoName(c.error) == c.want);
  }
  // The fallback is interned: asking twice gives the same storage.
  CHECK(ErrnoName(4000).data() == ErrnoName(4000).data());
}

TEST_CASE("report: signal names") {
  struct Case {
    int sig;
    std::string want;
  };
  const std::vector<Case> cases = {
      {SIGKILL, "SIGKILL"}, {SIGTERM, "SIGTERM"}, {SIGSEGV, "SIGSEGV"}, {SIGINT, "SIGINT"},
      {SIGABRT, "SIGABRT"}, {SIGXCPU, "SIGXCPU"}, {SIGSYS, "SIGSYS"},   {200, "SIG200"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.sig);
    CHECK(SignalName(c.sig) == c.want);
  }
}

}  // namespace
}  // namespace bvisor
