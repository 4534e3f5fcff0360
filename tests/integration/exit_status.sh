#!/usr/bin/env bash
# Exit codes, signals and --timeout propagate; nothing is left running afterwards.
source "$(dirname "$0")/lib.sh"

bv run -- bash -c 'exit 7'; expect_eq "exit code" 7 $?
bv run -- true; expect_eq "true" 0 $?
bv run -- false; expect_eq "false" 1 $?
bv run -- bash -c 'kill -TERM $$'; expect_eq "killed by SIGTERM" 143 $?
bv run -- bash -c 'kill -KILL $$'; expect_eq "killed by SIGKILL" 137 $?
bv run -- /nonexistent/command 2>/dev/null; expect_eq "missing command" 127 $?
"$BVISOR" run 2>/dev/null; expect_eq "usage error" 2 $?
"$BVISOR" frobnicate 2>/dev/null; expect_eq "unknown subcommand" 2 $?

marker="bvisor-timeout-marker-$$"
start=$(date +%s%N)
bv run --timeout 1 -- bash -c "exec -a $marker sleep 100"; rc=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "timeout exit" 124 $rc
[ "$elapsed_ms" -lt 5000 ] || fail "timeout took ${elapsed_ms} ms"
sleep 0.2
expect_eq "no process left after timeout" "" "$(pgrep -f "$marker" || true)"

# A background child that outlives the command is killed when the command exits.
bv run -- bash -c "(exec -a ${marker}-bg sleep 100) & exit 0"; expect_eq "background exit" 0 $?
sleep 0.2
expect_eq "no background process left" "" "$(pgrep -f "${marker}-bg" || true)"

# A process started in its own session (setsid) cannot escape the cleanup either.
bv run -- bash -c "setsid bash -c 'exec -a ${marker}-sid sleep 100' & sleep 0.2; exit 0"
sleep 0.2
expect_eq "no setsid process left" "" "$(pgrep -f "${marker}-sid" || true)"

# SIGKILL of bvisor itself: the reaper still kills the sandbox.
"$BVISOR" -q run -- bash -c "exec -a ${marker}-orphan sleep 100" &
bvpid=$!
sleep 0.5
kill -9 "$bvpid"
wait "$bvpid" 2>/dev/null
sleep 0.5
expect_eq "no process left after bvisor was killed" "" "$(pgrep -f "${marker}-orphan" || true)"

# A fork/exec loop works.
out=$(bv run -- bash -c 'n=0; for i in $(seq 200); do /bin/true && n=$((n+1)); done; echo $n')
expect_eq "200 execs" 200 "$out"

finish
