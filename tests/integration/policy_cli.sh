#!/usr/bin/env bash
# bvisor policy check/show: exact errors with locations, exit 2 on a bad policy.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
echo '{"version": 1, "paths": [{"path": "/", "mode": "cow"}, {"path": "/x", "mode": "rwx"}]}' > bad.json
out=$("$BVISOR" policy check bad.json 2>&1); rc=$?
expect_eq "bad policy exit" 2 $rc
expect_eq "bad policy message" "bvisor: bad.json: /paths/1/mode: expected one of deny, ro, rw, cow, tmp" "$out"
echo '{"version": 1, "pathz": []}' > unknown.json
expect_eq "unknown key" 'bvisor: unknown.json: /: unknown key "pathz"' "$("$BVISOR" policy check unknown.json 2>&1)"
out=$("$BVISOR" run --policy bad.json -- true 2>&1); rc=$?
expect_eq "run with a bad policy" 2 $rc
expect_contains "run names the error" "/paths/1/mode" "$out"
echo '{"version": 1, "paths": [{"path": "/", "mode": "ro"}]}' > good.json
expect_eq "good policy" "good.json: valid (1 path rules)" "$("$BVISOR" policy check good.json)"
expect_eq "show default" "default" "$("$BVISOR" policy show | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
for preset in default agent ci strict audit; do
  "$BVISOR" policy check "$preset" >/dev/null; expect_eq "preset $preset" 0 $?
done
finish
