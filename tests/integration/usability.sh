#!/usr/bin/env bash
# The ways people use bvisor: as Make's SHELL with a report per recipe line, as a CI step
# wrapper that fails on denials, from an agent with --json, installed with meson install.
source "$(dirname "$0")/lib.sh"

# Make: one sandbox per recipe line, one report each; the ci preset writes the tree in place.
mkdir -p "$SCRATCH/proj"
cd "$SCRATCH/proj" || exit 1
printf 'int main(void) { return 0; }\n' > main.c
cat > Makefile <<MAKE
SHELL := $BVISOR
.SHELLFLAGS := -q run --policy ci --report-dir $SCRATCH/reports -- bash -c
all: app
app: main.o
	cc -o app main.o
main.o: main.c
	cc -c main.c -o main.o
MAKE
make -s >/dev/null 2>&1; expect_eq "make through bvisor" 0 $?
checks=$((checks + 1))
[ -x app ] || fail "the ci preset did not write the build output"
expect_eq "one report per recipe line" 2 "$(ls "$SCRATCH/reports" | wc -l)"
expect_contains "recipe report names the compiler" "cc" "$(cat "$SCRATCH/reports"/*.json)"
cd "$SCRATCH" || exit 1

# CI wrapper: --fail-on-denial turns a quiet denial into a failed step.
mkdir -p "$SCRATCH/home/.ssh"
echo key > "$SCRATCH/home/.ssh/id_rsa"
cat > "$SCRATCH/job.sh" <<JOB
set -e
echo building
cat "$SCRATCH/home/.ssh/id_rsa" 2>/dev/null || true
echo done
JOB
HOME="$SCRATCH/home" bv run --policy ci -- bash "$SCRATCH/job.sh" >/dev/null
expect_eq "job passes without the flag" 0 $?
HOME="$SCRATCH/home" bv run --policy ci --fail-on-denial -- bash "$SCRATCH/job.sh" >/dev/null
expect_eq "job fails on a denial" 3 $?

# Agents: --json prints one JSON object on stdout; the command's output goes to files.
out=$("$BVISOR" run --json --stdout "$SCRATCH/o.txt" --stderr "$SCRATCH/e.txt" -- bash -c 'echo out; echo err >&2; exit 4' 2>/dev/null)
expect_eq "json exit" 4 "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["exit"]["code"])')"
expect_eq "captured stdout" "out" "$(cat "$SCRATCH/o.txt")"
expect_eq "captured stderr" "err" "$(cat "$SCRATCH/e.txt")"

# The agent preset keeps each run's overlay apart, ready for diff / apply.
mkdir -p "$SCRATCH/work"
cd "$SCRATCH/work" || exit 1
echo one > file
bv run --policy agent -- bash -c 'echo two > file'
bv run --policy agent -- bash -c 'echo three > other'
expect_eq "two kept overlays" 2 "$(ls .bvisor/overlays | wc -l)"
expect_eq "host untouched" "one" "$(cat file)"
first=$(ls -d .bvisor/overlays/* | head -1)
expect_contains "diff shows the change" "+two" "$("$BVISOR" diff "$first")"
"$BVISOR" -q apply "$first" >/dev/null; expect_eq "apply" 0 $?
expect_eq "applied" "two" "$(cat file)"
cd "$SCRATCH" || exit 1

# The agent example: one JSON report per call, review, apply.
mkdir -p "$SCRATCH/agent"
cd "$SCRATCH/agent" || exit 1
echo old > notes.txt
out=$(printf 'y\n' | BVISOR="$BVISOR" "$SOURCE_ROOT/examples/agent_review_loop.sh" 'echo new > notes.txt; echo said-hi' 2>&1)
expect_contains "example shows the output" "said-hi" "$out"
expect_contains "example shows the diff" "+new" "$out"
expect_eq "example applied the change" "new" "$(cat notes.txt)"
cd "$SCRATCH" || exit 1

# Completion comes from the CLI definition.
expect_contains "completion" "complete -F _bvisor bvisor" "$("$BVISOR" completion bash)"

# Trace mode streams denials and execs as they happen.
trace=$(HOME="$SCRATCH/home" "$BVISOR" run --trace -- cat "$SCRATCH/home/.ssh/id_rsa" 2>&1 >/dev/null)
expect_contains "trace shows the exec" "exec /usr/bin/cat" "$trace"
expect_contains "trace shows the denial" "denied openat" "$trace"

# meson install into a DESTDIR gives a working binary, man pages, presets and completion.
if [ -n "${BUILD_ROOT:-}" ]; then
  meson install -C "$BUILD_ROOT" --destdir "$SCRATCH/dest" >/dev/null 2>&1; expect_eq "meson install" 0 $?
  bin=$(find "$SCRATCH/dest" -type f -name bvisor -path '*bin*' | head -1)
  expect_eq "installed binary runs" "hi" "$("$bin" -q run -- echo hi)"
  for f in man1/bvisor.1 man5/bvisor-policy.5 bvisor/policies/agent.json bash-completion/completions/bvisor; do
    checks=$((checks + 1))
    [ -n "$(find "$SCRATCH/dest" -path "*$f")" ] || fail "not installed: $f"
  done
fi

finish
