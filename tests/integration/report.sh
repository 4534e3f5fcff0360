#!/usr/bin/env bash
# The JSON report: counts match what the command did; denials and execs are listed.
source "$(dirname "$0")/lib.sh"

echo hello > "$SCRATCH/file"
bv run --report "$SCRATCH/r0.json" -- "$HELPERS/count_opens" "$SCRATCH/file" 0
bv run --report "$SCRATCH/r50.json" -- "$HELPERS/count_opens" "$SCRATCH/file" 50
expect_eq "report version" 1 "$(json "$SCRATCH/r50.json" 'd["version"]')"
base_open=$(json "$SCRATCH/r0.json" 'd["syscalls"].get("openat",{}).get("allowed",0)')
n_open=$(json "$SCRATCH/r50.json" 'd["syscalls"]["openat"]["allowed"]')
expect_eq "openat count" 50 $((n_open - base_open))
base_stat=$(json "$SCRATCH/r0.json" 'd["syscalls"].get("newfstatat",{}).get("allowed",0)')
n_stat=$(json "$SCRATCH/r50.json" 'd["syscalls"]["newfstatat"]["allowed"]')
expect_eq "newfstatat count" 50 $((n_stat - base_stat))
expect_eq "exec recorded" "$HELPERS/count_opens" "$(json "$SCRATCH/r50.json" 'd["execs"][0]["path"]')"
expect_eq "exit code" 0 "$(json "$SCRATCH/r50.json" 'd["exit"]["code"]')"
expect_eq "command" "count_opens" "$(json "$SCRATCH/r50.json" 'd["command"][0].split("/")[-1]')"

mkdir -p "$SCRATCH/home/.ssh"
echo key > "$SCRATCH/home/.ssh/id_rsa"
HOME="$SCRATCH/home" bv run --report "$SCRATCH/deny.json" -- bash -c "cat $SCRATCH/home/.ssh/id_rsa; exit 3" 2>/dev/null
expect_eq "exit code 3" 3 "$(json "$SCRATCH/deny.json" 'd["exit"]["code"]')"
expect_eq "denial path" "$SCRATCH/home/.ssh" "$(json "$SCRATCH/deny.json" 'd["denials"][0]["path"]')"
expect_eq "denial errno" "ENOENT" "$(json "$SCRATCH/deny.json" 'd["denials"][0]["errno"]')"
expect_contains "denied count" "denied" "$(json "$SCRATCH/deny.json" 'd["syscalls"]["openat"]')"

bv run --report "$SCRATCH/sig.json" -- bash -c 'kill -9 $$'
expect_eq "signal in report" "SIGKILL" "$(json "$SCRATCH/sig.json" 'd["exit"]["signal"]')"

# The one-line summary on stderr; -q silences it; --report - prints JSON on stderr.
summary=$("$BVISOR" run -- true 2>&1 >/dev/null)
expect_contains "summary line" "bvisor: exit 0 in" "$summary"
quiet=$("$BVISOR" -q run -- true 2>&1 >/dev/null)
expect_eq "quiet" "" "$quiet"
stdout=$("$BVISOR" run --report - -- echo out 2>/dev/null)
expect_eq "stdout stays the command's" "out" "$stdout"
"$BVISOR" run --report - -- true 2>"$SCRATCH/stderr.json" >/dev/null
expect_eq "report on stderr" 1 "$(json "$SCRATCH/stderr.json" 'd["version"]')"

# Overlay changes are listed.
mkdir -p "$SCRATCH/work"
echo a > "$SCRATCH/work/a"
echo b > "$SCRATCH/work/b"
bv run --report "$SCRATCH/ov.json" -- bash -c "cd $SCRATCH/work && echo changed > a && rm b && echo c > c"
expect_eq "overlay changes" "$SCRATCH/work/a:modified $SCRATCH/work/b:deleted $SCRATCH/work/c:created" \
  "$(json "$SCRATCH/ov.json" '" ".join(c["path"]+":"+c["kind"] for c in d["overlay"]["changes"])')"

# Report files belong to the user: created with the user's umask, not the command's (0).
(umask 077 && "$BVISOR" run -q --report "$SCRATCH/private.json" --report-dir "$SCRATCH/private" -- true)
expect_eq "report file mode follows the umask" "600 600" \
  "$(stat -c %a "$SCRATCH/private.json") $(stat -c %a "$SCRATCH"/private/*.json)"
# Global flags also work after the subcommand.
expect_eq "run -q" "" "$("$BVISOR" run -q -- true 2>&1)"

finish
