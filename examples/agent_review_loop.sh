#!/usr/bin/env bash
# How a tool-calling agent uses bvisor: run each shell command in a sandbox with the agent
# preset, read one JSON report per call, then review the kept overlay and apply or discard it.
#
#   examples/agent_review_loop.sh 'make test'
#
# The command's output goes to files (the agent reads them); stdout carries only the report.
set -euo pipefail
BVISOR=${BVISOR:-bvisor}
command=${1:?usage: $0 'shell command'}
out=$(mktemp -d "${PWD}/.bvisor-call.XXXXXX")
trap 'rm -rf "$out"' EXIT

report=$("$BVISOR" run --policy agent --json --stdout "$out/stdout" --stderr "$out/stderr" -- bash -c "$command") || true
exit_code=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["exit"]["code"])' <<<"$report")
kept=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["overlay"]["kept"] or "")' <<<"$report")
denials=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(x["syscall"]+" "+x["path"]+": "+x["reason"] for x in d["denials"]))' <<<"$report")

echo "== exit status: $exit_code"
echo "== stdout:"; cat "$out/stdout"
echo "== stderr:"; cat "$out/stderr"
[ -n "$denials" ] && { echo "== denied:"; echo "$denials"; }
[ -n "$kept" ] || exit 0

echo "== changes the command made (nothing has touched the host yet):"
"$BVISOR" diff "$kept"
read -r -p "apply these changes to the host? [y/N] " answer
if [ "$answer" = y ]; then
  "$BVISOR" apply "$kept" && "$BVISOR" discard "$kept"
else
  "$BVISOR" discard "$kept"
fi
