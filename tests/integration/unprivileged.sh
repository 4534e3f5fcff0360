#!/usr/bin/env bash
# bvisor works for an unprivileged user (nobody), with the same guarantees.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
  user_run() { "$@"; }
else
  id nobody >/dev/null 2>&1 || { echo "no user nobody: skipped"; exit 77; }
  user_run() { setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- env PATH=/usr/bin:/bin "$@"; }
fi
# The build tree may sit below a directory nobody cannot enter (e.g. /root): work elsewhere,
# outside /tmp and /var/tmp, which the default policy makes private.
if [ "$(id -u)" -eq 0 ]; then
  rm -rf "$SCRATCH"
  SCRATCH=$(mktemp -d /var/lib/bvisor-it-unprivileged.XXXXXX)
  chmod 755 "$SCRATCH"
  trap 'rm -rf "$SCRATCH"' EXIT
fi
cp "$BVISOR" "$SCRATCH/bvisor"
chmod 755 "$SCRATCH/bvisor"
mkdir -p "$SCRATCH/data"
echo original > "$SCRATCH/data/file"
chmod -R a+rwX "$SCRATCH/data"
before=$(tree_sum "$SCRATCH/data")
out=$(cd "$SCRATCH" && user_run env TMPDIR=/tmp "$SCRATCH/bvisor" -q run -- bash -c "id -u; echo changed > $SCRATCH/data/file; cat $SCRATCH/data/file; mkdir $SCRATCH/data/d && cd $SCRATCH/data/d && pwd")
rc=$?
expect_eq "unprivileged exit" 0 $rc
expect_eq "unprivileged output" "$(user_run id -u)
changed
$SCRATCH/data/d" "$out"
expect_eq "host untouched" "$before" "$(tree_sum "$SCRATCH/data")"
finish
