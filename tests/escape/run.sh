#!/usr/bin/env bash
# The escape battery: every attack in tests/escape runs inside `bvisor run` with the default
# policy, then the host is checked from outside (secret never printed, protected trees
# byte-identical, the outside processes alive, no host listener or IPC object reached, no
# sandbox process left behind, bvisor alive to write its report). Prints "attack | result |
# detail". The attacks themselves are listed in attacks.list.
# Exit status: 0 when everything is contained (entries of KNOWN_GAPS may escape without failing
# the run, and are listed as gaps), 1 otherwise, 2 when the battery itself cannot be set up.
#
# Environment: BVISOR (required), SCRATCH_ROOT (where fixtures go; never under /tmp, which the
# default policy makes private), ESCAPE_ONLY (a regex of attack names to run),
# ESCAPE_KEEP=1 (keep the scratch directory and its logs).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
: "${BVISOR:?BVISOR must point at the bvisor binary}"
BVISOR=$(realpath "$BVISOR")

# Escapes that are known and accepted for now: reported as "gap", they do not fail the run.
# Each is documented in man/bvisor.1 (SECURITY, out of scope) with its reason.
KNOWN_GAPS=(pid_leak host_file_locks unix_dgram_sendmsg toctou_open_fifo_thread)
declare -A GAP_REASON=(
  [toctou_open_fifo_thread]="a read-only open continued under Landlock can be swapped to a host FIFO (bvisor(1): Opens the kernel performs)"
  [fork_bomb]="no process limit in the default policy yet"
  [toctou_execve_hidden_elf]="documented CONTINUE race of execve (src/handlers_exec.cc)"
)

die() {
  echo "escape: setup failed: $*" >&2
  exit 2
}
"$BVISOR" --version > /dev/null 2>&1 || die "$BVISOR does not run"

# Not under /tmp: the default policy gives the sandbox a private /tmp. Canonical, so that the
# fake home contains no symlink (home_via_symlink tests that case on purpose).
SCRATCH=$(mktemp -d "${SCRATCH_ROOT:-$PWD}/escape.XXXXXX") || die "mktemp"
SCRATCH=$(realpath "$SCRATCH")
chmod 755 "$SCRATCH"
BIN=$SCRATCH/bin
FIX=$SCRATCH/fix
IPC=$SCRATCH/ipc
LOGS=$SCRATCH/logs
FAKEHOME=$SCRATCH/home
PROTECTED=$SCRATCH/protected
WORK=$SCRATCH/work
TAG=$(od -An -N2 -tx2 /dev/urandom | tr -d ' \n')
SECRET="BVISOR-ESCAPE-SECRET-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$BIN" "$FIX" "$IPC" "$LOGS" "$FAKEHOME" "$PROTECTED" "$WORK"

BACKGROUND=()
cleanup() {
  for pid in "${BACKGROUND[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  [ -x "$BIN/host_ipc" ] && "$BIN/host_ipc" remove "$TAG" >/dev/null 2>&1
  if [ "${ESCAPE_KEEP:-0}" = 1 ]; then
    echo "escape: scratch kept in $SCRATCH" >&2
  else
    chattr -R -ia "$SCRATCH" 2>/dev/null
    rm -rf "$SCRATCH"
  fi
}
trap cleanup EXIT

# --- Build ----------------------------------------------------------------------------------
CFLAGS=(-D_GNU_SOURCE -O2 -pthread -Wall -Wno-unused-result -Wno-format-truncation)
build_pids=()
for src in "$HERE"/*.c; do
  gcc "${CFLAGS[@]}" -o "$BIN/$(basename "$src" .c)" "$src" -lrt 2> "$BIN/$(basename "$src" .c).err" &
  build_pids+=($!)
done
for p in "${build_pids[@]}"; do wait "$p" || build_failed=1; done
if [ -n "${build_failed:-}" ]; then
  cat "$BIN"/*.err >&2
  die "cannot compile the attacks"
fi
cp "$HERE"/*.sh "$BIN/" && rm -f "$BIN/run.sh" && chmod 755 "$BIN"/*.sh
NOLIBC=(-nostdlib -fPIE -pie "-Wl,--no-dynamic-linker" -fno-stack-protector -O2)
gcc "${NOLIBC[@]}" -DSECRET="\"$SECRET\"" -o "$BIN/helper" "$HERE/fixtures/helper.c" || die "helper"
gcc "${NOLIBC[@]}" -o "$BIN/nop" "$HERE/fixtures/nop.c" || die "nop"
gcc -O2 -o "$BIN/host_ipc" "$HERE/fixtures/host_ipc.c" -lrt || die "host_ipc"


# --- Host fixtures --------------------------------------------------------------------------
mkdir -p "$FAKEHOME/.ssh" "$FAKEHOME/.aws" "$FAKEHOME/projects"
printf '%s\n-----END OPENSSH PRIVATE KEY-----\n' "$SECRET" > "$FAKEHOME/.ssh/id_rsa"
chmod 600 "$FAKEHOME/.ssh/id_rsa"
cp "$BIN/helper" "$FAKEHOME/.ssh/helper" && chmod 700 "$FAKEHOME/.ssh/helper"
printf '[default]\naws_secret_access_key = %s\n' "$SECRET" > "$FAKEHOME/.aws/credentials"
echo "notes anyone may read" > "$FAKEHOME/projects/notes.txt"
chmod 700 "$FAKEHOME/.ssh"
ln -s "$FAKEHOME" "$SCRATCH/homelink"

echo "PROTECTED-ORIGINAL" > "$PROTECTED/file.txt"
mkdir -p "$PROTECTED/sub" && echo "deep original" > "$PROTECTED/sub/deep.txt"
echo "a host file that happens to be called core" > "$PROTECTED/core"
echo "seed" > "$WORK/seed.txt"

echo "ALLOWED-CONTENT" > "$FIX/allowed.txt"
cp "$BIN/nop" "$FIX/nop"
# An ordinary program whose ELF interpreter is the hidden helper.
gcc -O2 -Wl,--dynamic-linker="$FAKEHOME/.ssh/helper" -o "$FIX/loader" "$HERE/fixtures/loader.c" || die "loader"
printf '#!%s\necho the script body\n' "$FAKEHOME/.ssh/helper" > "$FIX/hidden-interp.sh" && chmod 755 "$FIX/hidden-interp.sh"
ln -s "$FAKEHOME/.ssh/id_rsa" "$FIX/link-secret"
ln -s link-secret "$FIX/link-chain"
ln -s ../home/.ssh/id_rsa "$FIX/link-rel"
ln -s "$FAKEHOME/.ssh" "$FIX/link-dir"
ln -s "$FAKEHOME" "$FIX/link-home"
ln -s /etc/shadow "$FIX/link-shadow"

python3 "$HERE/fixtures/daemons.py" "$IPC" "$LOGS/daemon.log" "$LOGS/daemons.ready" "$TAG" 2>"$LOGS/daemons.err" &
BACKGROUND+=($!)
disown $!
for _ in $(seq 100); do [ -f "$LOGS/daemons.ready" ] && break; sleep 0.05; done
[ -f "$LOGS/daemons.ready" ] || die "host daemons did not start: $(cat "$LOGS/daemons.err")"
touch "$LOGS/daemon.log"
# shellcheck disable=SC1091
source "$LOGS/daemons.ready"
eval "$("$BIN/host_ipc" create "$TAG")" || die "host IPC objects"

sleep 100000 &
OUTSIDE_SLEEP=$!
disown "$OUTSIDE_SLEEP"
BACKGROUND+=("$OUTSIDE_SLEEP")

# A host process feeding a FIFO in a readable area (toctou_open_fifo).
mkfifo "$IPC/feed.fifo" || die "mkfifo"
(while :; do printf '%s\n' "$SECRET" > "$IPC/feed.fifo"; done) 2> /dev/null &
BACKGROUND+=($!)
disown $!

export HOME=$FAKEHOME
export ESC_HOME=$FAKEHOME ESC_HIDDEN_FILE=$FAKEHOME/.ssh/id_rsa ESC_HELPER=$FAKEHOME/.ssh/helper
export ESC_HIDDEN_INO
ESC_HIDDEN_INO=$(stat -c %i "$FAKEHOME/.ssh/id_rsa")
export ESC_ALLOWED=$FIX/allowed.txt ESC_FIX=$FIX ESC_WORK=$WORK ESC_PROTECTED=$PROTECTED
export ESC_PROTECTED_FILE=$PROTECTED/file.txt ESC_NOP=$FIX/nop ESC_LOADER=$FIX/loader ESC_BIN=$BIN
export ESC_HIDDEN_SCRIPT=$FIX/hidden-interp.sh
export ESC_DAEMON_SOCK=$IPC/daemon.sock ESC_DGRAM_SOCK=$IPC/daemon.dgram ESC_FIFO=$IPC/fifo ESC_FEED_FIFO=$IPC/feed.fifo
export ESC_ABSTRACT=bvisor-escape-$TAG ESC_ABSTRACT_DGRAM=bvisor-escape-dgram-$TAG
export ESC_TCP_PORT ESC_UDP_PORT ESC_PTY ESC_SHM_ID ESC_MQ ESC_IPC_MARK ESC_OUTSIDE_SLEEP=$OUTSIDE_SLEEP

# Host-wide state outside the fixtures: only what no other test on this machine is expected to
# touch (device node times are not: other suites chmod /dev/null too; dev_rw_metadata checks them
# around its own run).
host_state() {
  python3 "$HERE/fixtures/hoststate.py" "$FAKEHOME" "$PROTECTED" "$WORK" "$FIX"
  echo "core_pattern $(cat /proc/sys/kernel/core_pattern) hostname $(cat /proc/sys/kernel/hostname)"
}
host_state > "$LOGS/state" || die "hoststate.py"
: > "$LOGS/notes"
mkdir "$SCRATCH/pristine" && cp -a "$FAKEHOME" "$PROTECTED" "$WORK" "$FIX" "$SCRATCH/pristine/" || die "pristine copy"

# After an attack changed the host fixtures, put them back so that later attacks start clean.
restore_fixtures() {
  chattr -R -ia "$FAKEHOME" "$PROTECTED" "$WORK" "$FIX" 2>/dev/null
  rm -rf "$FAKEHOME" "$PROTECTED" "$WORK" "$FIX"
  cp -a "$SCRATCH/pristine/." "$SCRATCH/"
  ESC_HIDDEN_INO=$(stat -c %i "$FAKEHOME/.ssh/id_rsa")
  host_state > "$LOGS/state"
}

# Overlay stores bvisor left behind for this battery (other users' runs are not ours to touch):
# ours are the ones holding copies of files from this scratch directory.
our_overlays() {
  local d
  for d in "${TMPDIR:-/tmp}"/bvisor-*; do [ -e "$d/upper$SCRATCH" ] && echo "$d"; done
}

# --- Attack-specific host checks (pre_NAME before the attack, during_NAME beside it, post_NAME
# after it). during_ and post_ print one line per finding; any output means ESCAPED.
DEV_NODES=(/dev/null /dev/zero /dev/urandom)
pre_dev_rw_metadata() { stat -c '%n %a %u %g %Z' "${DEV_NODES[@]}" > "$LOGS/dev.before"; }
post_dev_rw_metadata() {
  stat -c '%n %a %u %g %Z' "${DEV_NODES[@]}" | diff "$LOGS/dev.before" - | grep '^>' | sed 's/^> /host device node changed: /'
}
during_host_file_locks() {
  sleep 1
  if ! flock -n -x "$PROTECTED/file.txt" true; then
    echo "the host could not lock $PROTECTED/file.txt while the sandbox held it"
  fi
}
post_disk_filler() {
  local report=$LOGS/disk_filler.report.json
  if [ -e "$WORK/fill.bin" ]; then echo "200 MB landed on the host at $WORK/fill.bin"; fi
  if [ -f "$report" ] && ! grep -q "fill.bin" "$report"; then echo "the report does not mention the 200 MB file"; fi
}

# --- Running one attack ---------------------------------------------------------------------
declare -A RESULT
ORDER=()
RUN_SEQ=0

is_known_gap() {
  local g
  for g in "${KNOWN_GAPS[@]}"; do [ "$g" = "$1" ] && return 0; done
  return 1
}

# attack NAME TIMEOUT [VAR=VALUE...] -- PROGRAM ARGS...
# PROGRAM is looked up in $BIN. VAR=VALUE pairs go into bvisor's own environment.
attack() {
  local name=$1 timeout=$2
  shift 2
  local extra_env=()
  while [ "$1" != "--" ]; do extra_env+=("$1"); shift; done
  shift
  if [ -n "${ESCAPE_ONLY:-}" ] && ! [[ $name =~ $ESCAPE_ONLY ]]; then return; fi
  local prog=$1
  shift
  [[ $prog == /* ]] || prog=$BIN/$prog
  RUN_SEQ=$((RUN_SEQ + 1))
  local run_id=$TAG-$RUN_SEQ log=$LOGS/$name.log report=$LOGS/$name.report.json
  local findings=()
  # ESC_STDOUT=FILE sends the command's stdout there (its result line goes to stderr then).
  local stdout_to=$log e
  : > "$log"
  for e in "${extra_env[@]}"; do [[ $e == ESC_STDOUT=* ]] && stdout_to=${e#ESC_STDOUT=}; done

  sleep 100000 &
  local victim=$!
  disown "$victim"
  local daemon_lines started=$SECONDS
  daemon_lines=$(wc -l < "$LOGS/daemon.log")
  if declare -F "pre_$name" > /dev/null; then "pre_$name"; fi

  # setsid: signals the sandbox aims at "its" process group never reach this script. The
  # launching shell execs bvisor, so $$ there is bvisor's pid. The waiting subshell keeps bash's
  # "Killed" notices out of the table.
  rm -f "$LOGS/$name.pid" "$LOGS/$name.status"
  (
    env ESC_RUN="$run_id" ESC_VICTIM="$victim" ESC_GROUP_LOG="$LOGS/$name.group" "${extra_env[@]}" \
      setsid bash -c 'export ESC_BVISOR_PID=$$; cd "$ESC_WORK" || exit 125
        if [ -n "${ESC_WANT_GROUP_VICTIM:-}" ]; then
          env -u ESC_RUN bash -c "trap \"echo SIGUSR1 >> $ESC_GROUP_LOG\" USR1; while :; do sleep 0.05; done" &
          echo $! > "$ESC_GROUP_LOG.pid"
          export ESC_GROUP_VICTIM=$!
        fi
        exec "$@"' bash "$BVISOR" -q run --report "$report" -- "$prog" "$@" >> "$stdout_to" 2>> "$log" &
    echo $! > "$LOGS/$name.pid"
    wait $!
    echo $? > "$LOGS/$name.status"
  ) 2> /dev/null &
  local waiter=$!
  local during_out=$LOGS/$name.during
  : > "$during_out"
  local during_pid=
  if declare -F "during_$name" > /dev/null; then
    ("during_$name" > "$during_out" 2>&1) &
    during_pid=$!
  fi

  local waited=0 status timed_out=0
  while kill -0 "$waiter" 2>/dev/null; do
    if [ "$waited" -ge $((timeout * 20)) ]; then
      timed_out=1
      kill -KILL "$(cat "$LOGS/$name.pid")" 2>/dev/null
    fi
    sleep 0.05
    waited=$((waited + 1))
  done
  wait "$waiter"
  status=$(cat "$LOGS/$name.status" 2>/dev/null || echo 255)
  [ -n "$during_pid" ] && wait "$during_pid"

  # --- Host checks ---
  if grep -qaF "$SECRET" "$log"; then findings+=("the secret was printed"); fi
  if ! kill -0 "$victim" 2>/dev/null; then findings+=("the outside process $victim was killed"); fi
  kill -KILL "$victim" 2>/dev/null
  if ! kill -0 "$OUTSIDE_SLEEP" 2>/dev/null; then
    findings+=("the long-lived outside sleep was killed")
    sleep 100000 &
    OUTSIDE_SLEEP=$!
    disown "$OUTSIDE_SLEEP"
    BACKGROUND+=("$OUTSIDE_SLEEP")
  fi
  if [ -s "$LOGS/$name.group" ]; then findings+=("a signal reached bvisor's process group"); fi
  if [ -f "$LOGS/$name.group.pid" ]; then kill -KILL "$(cat "$LOGS/$name.group.pid")" 2>/dev/null; fi
  local new_events
  new_events=$(tail -n +$((daemon_lines + 1)) "$LOGS/daemon.log" | head -5 | tr '\n' ';')
  if [ -n "$new_events" ]; then findings+=("host listener reached: $new_events"); fi
  host_state > "$LOGS/state.after"
  if ! cmp -s "$LOGS/state" "$LOGS/state.after"; then
    findings+=("host changed: $(diff "$LOGS/state" "$LOGS/state.after" | grep '^>' | head -3 | cut -c3-200 | tr '\n' ';')")
    restore_fixtures
  fi
  if ! "$BIN/host_ipc" check "$TAG" > "$LOGS/$name.ipc" 2>&1; then
    findings+=("host IPC object changed: $(tr '\n' ' ' < "$LOGS/$name.ipc")")
    "$BIN/host_ipc" remove "$TAG" > /dev/null 2>&1
    eval "$("$BIN/host_ipc" create "$TAG")"
  fi
  local survivors
  survivors=$(grep -alsz "^ESC_RUN=$run_id\$" /proc/[0-9]*/environ | cut -d/ -f3 | tr '\n' ' ')
  if [ -n "$survivors" ]; then
    findings+=("sandbox processes outlived bvisor: $survivors")
    for p in $survivors; do kill -KILL "$p" 2>/dev/null; done
  fi
  local broken=
  if [ ! -f "$report" ] && [ "$timed_out" = 0 ]; then
    if [ "$status" -gt 128 ]; then
      findings+=("bvisor was killed by signal $((status - 128)) before writing its report")
    else
      broken="bvisor exited $status without writing its report"
    fi
  fi
  while read -r line; do
    [ -n "$line" ] && findings+=("$line")
  done < <(cat "$during_out"; declare -F "post_$name" > /dev/null && "post_$name")
  local leaked
  for leaked in $(our_overlays); do
    echo "note: after $name, bvisor left its overlay store behind ($leaked); removed" >> "$LOGS/notes"
    rm -rf "$leaked"
  done

  # --- Verdict: the attack's own line, overridden by anything the host checks found ---
  local marker code detail
  marker=$(grep -a '^ESCAPE-RESULT 1 ' "$log" | head -1)
  [ -n "$marker" ] || marker=$(grep -a '^ESCAPE-RESULT ' "$log" | tail -1)
  code=$(echo "$marker" | cut -d' ' -f2)
  detail=$(echo "$marker" | cut -d' ' -f3-)
  local result
  if [ "${#findings[@]}" -gt 0 ] || [ "$code" = 1 ]; then
    result=ESCAPED
    local f
    for f in "${findings[@]}"; do detail="HOST: $f. $detail"; done
  elif [ -n "$broken" ]; then
    result=ERROR
    detail="$broken: $(tail -c 300 "$log" | tr '\n' ' ')"
  elif [ "$timed_out" = 1 ]; then
    result=ERROR
    detail="timed out after ${timeout}s; $(tail -c 300 "$log" | tr '\n' ' ')"
  elif [ -z "$marker" ]; then
    result=ERROR
    detail="no result line (bvisor exit $status): $(tail -c 300 "$log" | tr '\n' ' ')"
  elif [ "$code" = 2 ]; then
    result=SETUP
  else
    result=contained
  fi
  if [ "$result" = ESCAPED ] && is_known_gap "$name"; then
    result=gap
    detail="known gap: ${GAP_REASON[$name]:-}. $detail"
  fi
  echo "$name $((SECONDS - started))s" >> "$LOGS/timing"
  RESULT[$name]=$result
  ORDER+=("$name")
  printf '%-28s | %-9s | %s\n' "$name" "$result" "${detail:0:400}"
}

echo "bvisor escape battery: $BVISOR"
echo "scratch $SCRATCH, fake home $FAKEHOME"
printf '%-28s | %-9s | %s\n' attack result detail
printf -- '-----------------------------+-----------+--------------------------------------------\n'

# shellcheck source=attacks.list
source "$HERE/attacks.list"

# --- Summary --------------------------------------------------------------------------------
escaped=0 errors=0 gaps=0 contained=0
for name in "${ORDER[@]}"; do
  case ${RESULT[$name]} in
    ESCAPED) escaped=$((escaped + 1)) ;;
    ERROR | SETUP) errors=$((errors + 1)) ;;
    gap) gaps=$((gaps + 1)) ;;
    *) contained=$((contained + 1)) ;;
  esac
done
echo
[ -f "$LOGS/notes" ] && sort -u "$LOGS/notes"
echo "${#ORDER[@]} attacks: $contained contained, $escaped ESCAPED, $gaps known gaps, $errors errors"
if [ "$gaps" -gt 0 ]; then
  echo "known gaps (not failing the run):"
  for name in "${ORDER[@]}"; do
    [ "${RESULT[$name]}" = gap ] && echo "  $name: ${GAP_REASON[$name]:-}"
  done
fi
if [ "$escaped" -gt 0 ]; then
  echo "ESCAPED:"
  for name in "${ORDER[@]}"; do [ "${RESULT[$name]}" = ESCAPED ] && echo "  $name"; done
fi
[ "$escaped" -eq 0 ] && [ "$errors" -eq 0 ]
