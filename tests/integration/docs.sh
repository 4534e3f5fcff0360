#!/usr/bin/env bash
# The man pages document every option that --help shows and every policy field.
source "$(dirname "$0")/lib.sh"
man="$SOURCE_ROOT/man/bvisor.1"
[ -f "$man" ] || { fail "man page missing"; finish; }
for sub in "" run policy diff apply discard completion; do
  # shellcheck disable=SC2086
  opts=$("$BVISOR" $sub --help | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | grep -oE -- '--?[a-zA-Z][a-zA-Z-]*' | sort -u)
  for o in $opts; do
    checks=$((checks + 1))
    grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man" || fail "option $o of 'bvisor $sub' is not in the man page"
  done
done
for section in "EXIT STATUS" "SECURITY" "POLICY" "REPORT"; do
  checks=$((checks + 1))
  grep -q "^\.SH \"*$section" "$man" || fail "man page lacks section $section"
done
# bvisor-policy(5) documents every field of the effective policy.
policy_man="$SOURCE_ROOT/man/bvisor-policy.5"
fields=$("$BVISOR" policy show | python3 -c '
import json, sys
def walk(d):
    for k, v in d.items():
        print(k)
        if isinstance(v, dict) and k not in ("set",):
            walk(v)
        if isinstance(v, list) and v and isinstance(v[0], dict):
            walk(v[0])
walk(json.load(sys.stdin))' | sort -u)
for f in $fields extends cpu_seconds memory_bytes file_size_bytes open_files timeout_seconds; do
  checks=$((checks + 1))
  grep -qF -- "$f" "$policy_man" || fail "policy field $f is not in bvisor-policy(5)"
done
finish
