#!/usr/bin/env bash
# The man page documents every option that --help shows.
source "$(dirname "$0")/lib.sh"
man="$SOURCE_ROOT/man/bvisor.1"
[ -f "$man" ] || { fail "man page missing"; finish; }
for sub in "" run policy diff apply discard; do
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
finish
