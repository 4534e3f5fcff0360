#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in their own build directory) and runs each for a
# bounded time on a copy of its seed corpus. Exit 0: no crash; 1: a crash (the reproducer is
# kept and printed); 77: skipped, because clang or its fuzzer runtime is missing (CI installs
# them in scripts/setup; this script installs nothing).
#
# Environment: FUZZ_SECONDS (per target, default 30; the targets run side by side),
# FUZZ_BUILD (default $BUILD_ROOT/fuzz-build, or build/fuzz-build in the checkout),
# FUZZ_ONLY (policy or path), FUZZ_KEEP=1 (keep the work directory).
# Reproduce a crash: <fuzz build>/fuzz/<target> <reproducer file>
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE=$(cd "$HERE/.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-30}
BUILD=${FUZZ_BUILD:-${BUILD_ROOT:-$SOURCE/build}/fuzz-build}

skip() {
  echo "fuzz: skipped: $*"
  exit 77
}

{ command -v clang && command -v clang++; } > /dev/null || skip "clang not found (apt-get install clang)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bvisor-fuzz-run.XXXXXX") || { echo "fuzz: mktemp failed" >&2; exit 1; }
cleanup() {
  if [ "${FUZZ_KEEP:-0}" = 1 ]; then echo "fuzz: work directory kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The runtime ships separately from the compiler (Debian: libclang-rt-<version>-dev).
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' > "$WORK/probe.cc"
clang++ -fsanitize=fuzzer,address,undefined -o "$WORK/probe" "$WORK/probe.cc" > "$WORK/probe.log" 2>&1 \
  || skip "clang cannot link a fuzzer ($(head -n1 "$WORK/probe.log")); install libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"

if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$BUILD" "$SOURCE" --wrap-mode=nofallback -Dfuzz=true -Dtests=false \
    > "$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log" >&2; echo "fuzz: meson setup failed" >&2; exit 1; }
fi
ninja -C "$BUILD" fuzz/policy_fuzzer fuzz/path_fuzzer > "$WORK/build.log" 2>&1 \
  || { tail -n 40 "$WORK/build.log" >&2; echo "fuzz: build failed" >&2; exit 1; }

# Reproducers outlive the work directory.
ARTIFACTS=$BUILD/fuzz-artifacts
mkdir -p "$ARTIFACTS"

pids=()
names=()
for name in policy path; do
  [[ "$name" =~ ${FUZZ_ONLY:-.} ]] || continue
  mkdir -p "$WORK/$name/corpus" "$WORK/$name/tmp"
  cp "$HERE/corpus/$name"/* "$WORK/$name/corpus/"
  # path_fuzzer builds its tree under $TMPDIR: keep it in the work directory.
  (cd "$WORK/$name" && TMPDIR="$WORK/$name/tmp" "$BUILD/fuzz/${name}_fuzzer" \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
    -dict="$HERE/$name.dict" -artifact_prefix="$ARTIFACTS/$name-" corpus > "$WORK/$name.log" 2>&1) &
  pids+=($!)
  names+=("$name")
done

status=0
for i in "${!pids[@]}"; do
  name=${names[$i]}
  wait "${pids[$i]}"
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$name.log" | grep -o '[0-9]*$')
  if [ $rc -eq 0 ]; then
    echo "fuzz: ${name}_fuzzer: no crash in ${runs:-?} runs (${SECONDS_EACH} s)"
    continue
  fi
  status=1
  echo "fuzz: ${name}_fuzzer: FAILED (exit $rc)"
  grep -E 'invariant violated|runtime error|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY' "$WORK/$name.log" | head -n 5
  artifact=$(grep -o "Test unit written to .*" "$WORK/$name.log" | head -n1 | sed 's/Test unit written to //')
  if [ -n "$artifact" ]; then
    echo "fuzz: reproducer: $artifact"
    echo "fuzz: its bytes (base64): $(base64 -w0 "$artifact")"
    echo "fuzz: reproduce with: $BUILD/fuzz/${name}_fuzzer $artifact"
  else
    tail -n 20 "$WORK/$name.log"
  fi
done
exit $status
