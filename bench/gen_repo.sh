#!/usr/bin/env bash
# Generates the git repository for the "git" workloads of bench/run:
#   gen_repo.sh DIR [NFILES]      create DIR (NFILES files, default 3000), commit, tag `bench-base`
#   gen_repo.sh --reset DIR       put DIR back in the state every timed run starts from
# That state: HEAD and index at `bench-base`, and a working tree in which NFILES/10 tracked
# files are modified and 50 new files are untracked. `git add -A && git commit` then always
# stages and commits the same changes.
set -euo pipefail

g() { git -C "$dir" -c advice.detachedHead=false "$@"; }

reset_repo() {
  # --mixed keeps the working tree (the modifications) and unstages everything.
  g reset -q --mixed bench-base
}

if [[ ${1:-} == --reset ]]; then
  dir=${2:?usage: gen_repo.sh --reset DIR}
  reset_repo
  exit 0
fi

dir=${1:?usage: gen_repo.sh DIR [NFILES]}
n=${2:-3000}
if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 10)); then
  echo "gen_repo.sh: NFILES must be an integer >= 10" >&2
  exit 2
fi

rm -rf "$dir"
mkdir -p "$dir"
g init -q -b main
g config user.name bench
g config user.email bench@example.invalid
g config gc.auto 0          # no background repacking in the middle of a timed run
g config core.fsmonitor false
g config commit.gpgsign false

# NFILES files spread over 30 directories, each a few hundred bytes.
dirs=30
for ((d = 0; d < dirs; d++)); do mkdir -p "$dir/pkg$d"; done
bodies=()
for ((v = 0; v < 7; v++)); do
  bodies[v]=$(for ((l = 1; l <= v + 3; l++)); do echo "line $l of a generated file for the bench"; done)
done
for ((i = 0; i < n; i++)); do
  d=$((i % dirs))
  printf 'file %d in pkg%d\n%s\n' "$i" "$d" "${bodies[i % 7]}" >"$dir/pkg$d/f$i.txt"
done
g add -A
g commit -q -m base
g tag bench-base
g gc -q --prune=now   # a packed base, like a cloned repository

# The changes each timed run commits.
for ((i = 0; i < n; i += 10)); do
  d=$((i % dirs))
  echo "modified for the bench" >>"$dir/pkg$d/f$i.txt"
done
mkdir -p "$dir/new"
for ((i = 0; i < 50; i++)); do echo "untracked $i" >"$dir/new/u$i.txt"; done
reset_repo
