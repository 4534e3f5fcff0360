#!/bin/bash
# 10 MB on stdout (the runner sends it to /dev/null); the result line goes to stderr.
head -c 10485760 /dev/zero | tr '\0' 'x' || { echo "ESCAPE-RESULT 2 head/tr failed" >&2; exit 2; }
echo "ESCAPE-RESULT 0 10 MB written to stdout, the sandbox finished" >&2
exit 0
