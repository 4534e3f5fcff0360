#!/usr/bin/env bash
# The default policy: the host is readable, writes never reach it, secrets are invisible;
# relative paths and cd work; a read-only rule refuses writes with EROFS.
source "$(dirname "$0")/lib.sh"

home="$SCRATCH/home"
mkdir -p "$home/.ssh" "$home/project/src"
echo "secret key" > "$home/.ssh/id_rsa"
echo "int main(){}" > "$home/project/src/main.c"
echo "hello" > "$home/project/README"
before=$(tree_sum "$home")

run() { HOME="$home" bv run "$@"; }

# Denied: invisible to ls, cat, stat, test -e, find.
expect_eq "ls hides .ssh" ". .. project" "$(run -- ls -a "$home" | tr '\n' ' ' | sed 's/ $//')"
out=$(run -- bash -c "cat $home/.ssh/id_rsa 2>&1; stat $home/.ssh 2>&1; test -e $home/.ssh/id_rsa && echo visible; find $home -name id_rsa")
expect_contains "cat fails" "No such file or directory" "$out"
expect_not_contains "test -e" "visible" "$out"
expect_not_contains "secret never read" "secret key" "$out"
expect_not_contains "find does not list it" "id_rsa" "$(echo "$out" | grep -v 'No such')"

# Symlinks, .. and /proc tricks do not reach it either.
out=$(run -- bash -c "cd $home/project && ln -s ../.ssh/id_rsa link && cat link 2>&1; cat $home/project/../.ssh/id_rsa 2>&1; cat /proc/self/root$home/.ssh/id_rsa 2>&1; cat /proc/self/cwd/../.ssh/id_rsa 2>&1")
expect_not_contains "symlink into a denied dir" "secret key" "$out"

# Relative paths and cd into host directories.
out=$(run -- bash -c "cd $home/project && cat README && cd src && cat ./main.c && cat ../README && pwd && /bin/pwd")
expect_eq "relative reads" "hello
int main(){}
hello
$home/project/src
$home/project/src" "$out"

# Writes land in the overlay: visible inside, absent outside.
out=$(run -- bash -c "cd $home/project && echo changed > README && cat README && echo new > NEW && cat NEW && rm src/main.c && ls src | wc -l && mkdir build && cd build && pwd && echo obj > a.o && ls")
expect_eq "writes seen inside" "changed
new
0
$home/project/build
a.o" "$out"
expect_eq "host untouched by writes" "$before" "$(tree_sum "$home")"

# A read-only rule: EROFS, host byte-identical.
cat > "$SCRATCH/ro.json" <<JSON
{"version": 1, "extends": "default", "paths": [{"path": "$home/project", "mode": "ro"}]}
JSON
out=$(run --policy "$SCRATCH/ro.json" -- bash -c "echo x > $home/project/README 2>&1; touch $home/project/new 2>&1; rm $home/project/README 2>&1; mkdir $home/project/d 2>&1; echo done")
expect_contains "read-only write" "Read-only file system" "$out"
expect_contains "finished" "done" "$out"
expect_eq "host untouched by ro" "$before" "$(tree_sum "$home")"

# rw rule: writes reach the host (and only there).
cat > "$SCRATCH/rw.json" <<JSON
{"version": 1, "extends": "default", "paths": [{"path": "$home/project", "mode": "rw"}]}
JSON
run --policy "$SCRATCH/rw.json" -- bash -c "echo rw > $home/project/RW"
expect_eq "rw write reached the host" "rw" "$(cat "$home/project/RW" 2>/dev/null)"
rm -f "$home/project/RW"

# Plain opens of host files continue in the kernel under Landlock where the kernel offers
# it (src/landlock.h); the answers are the same either way, also through overlay-only entries.
abi=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))' 2>/dev/null)
mode=$(HOME="$home" "$BVISOR" run -vv -- true 2>&1 | grep -o "plain opens of host files: [a-zA-Z ]*")
if [ "${abi:-0}" -ge 1 ] 2>/dev/null; then
  expect_contains "Landlock fast path in use" "continued under Landlock" "$mode"
else
  expect_contains "no Landlock: injected fds" "injected" "$mode"
fi
reads="cd $home/project && cat README && mkdir -p up && ln -s $home/project/src up/link && cat up/link/main.c && cat ../project/src/main.c && echo changed > README && cat README"
expect_eq "reads with the fast path" "hello
int main(){}
int main(){}
changed" "$(run -- bash -c "$reads")"
expect_eq "reads without it" "hello
int main(){}
int main(){}
changed" "$(BVISOR_NO_LANDLOCK=1 run -- bash -c "$reads")"
expect_contains "off when asked" "injected" "$(BVISOR_NO_LANDLOCK=1 "$BVISOR" run -vv -- true 2>&1)"
expect_eq "host untouched by the reads" "$before" "$(tree_sum "$home")"
# An rw area that holds a hidden path is granted entry by entry: a program that appears in it
# during the run cannot be executed under Landlock, and the denial says why.
mkdir -p "$SCRATCH/split/.hidden"
cat > "$SCRATCH/split.json" <<JSON
{"version": 1, "extends": "default", "paths": [{"path": "$SCRATCH/split", "mode": "rw"},
  {"path": "$SCRATCH/split/.hidden", "mode": "deny"}]}
JSON
newbin="cp /bin/true $SCRATCH/split/newbin && $SCRATCH/split/newbin && echo NEWBIN-RAN"
if [ "${abi:-0}" -ge 1 ] 2>/dev/null; then
  out=$(HOME="$home" "$BVISOR" run -v --policy "$SCRATCH/split.json" -- bash -c "$newbin" 2>&1)
  expect_not_contains "new program in a split rw area refused" "NEWBIN-RAN" "$out"
  expect_contains "the denial names Landlock" "BVISOR_NO_LANDLOCK=1" "$out"
fi
expect_contains "runs without Landlock" "NEWBIN-RAN" "$(BVISOR_NO_LANDLOCK=1 run --policy "$SCRATCH/split.json" -- bash -c "$newbin" 2>&1)"
rm -rf "$SCRATCH/split"

# Private /tmp: the host's /tmp is not visible and is not written.
host_file=$(mktemp /tmp/bvisor-host-visible.XXXXXX)
out=$(run -- bash -c "ls /tmp | wc -l; echo inside > /tmp/bvisor-private-test; cat /tmp/bvisor-private-test; test -e $host_file && echo leak")
rm -f "$host_file"
expect_eq "private tmp" "0
inside" "$out"
[ -e /tmp/bvisor-private-test ] && fail "private tmp leaked to the host"

finish
