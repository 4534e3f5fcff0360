# Shared helpers for the integration tests: each test is a bash script run by meson with
# BVISOR pointing at the built binary and HELPERS at the directory of the helper programs.
set -uo pipefail

: "${BVISOR:?BVISOR must point at the bvisor binary}"
TEST_NAME=$(basename "$0" .sh)
# Test trees must be visible in the sandbox: not under /tmp, /var/tmp or /dev/shm, which the
# default policy makes private (a checkout under /tmp would otherwise hide its own build).
scratch_root=${SCRATCH_ROOT:-$PWD}
case "$scratch_root/" in
  /tmp/* | /var/tmp/* | /dev/shm/*) scratch_root="${HOME:-/root}/.cache/bvisor-tests" ;;
esac
mkdir -p "$scratch_root"
SCRATCH=$(mktemp -d "$scratch_root/it-${TEST_NAME}.XXXXXX")
chmod 755 "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
# Helper programs are copied next to the test data for the same reason.
if [ -n "${HELPERS:-}" ] && [ -d "$HELPERS" ]; then
  mkdir -p "$SCRATCH/helpers"
  find "$HELPERS" -maxdepth 1 -type f -perm -u+x -exec cp {} "$SCRATCH/helpers/" \;
  HELPERS="$SCRATCH/helpers"
fi
failures=0
checks=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  checks=$((checks + 1))
  if [ "$2" != "$3" ]; then fail "$1: expected [$2], got [$3]"; fi
}

# expect_contains WHAT NEEDLE HAYSTACK
expect_contains() {
  checks=$((checks + 1))
  case "$3" in
    *"$2"*) ;;
    *) fail "$1: [$2] not found in [$3]" ;;
  esac
}

expect_not_contains() {
  checks=$((checks + 1))
  case "$3" in
    *"$2"*) fail "$1: [$2] unexpectedly found in [$3]" ;;
    *) ;;
  esac
}

# A checksum of a whole tree (names, types, modes, contents) to prove the host is untouched.
tree_sum() {
  (cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

# bv ARGS...: runs bvisor quietly; stdout and exit status are the command's.
bv() { "$BVISOR" -q "$@"; }

# json FILE EXPR: evaluates a Python expression on the parsed JSON document `d`.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$TEST_NAME: $failures of $checks checks failed" >&2
    exit 1
  fi
  echo "$TEST_NAME: all $checks checks passed"
  exit 0
}
