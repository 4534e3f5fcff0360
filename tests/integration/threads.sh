#!/usr/bin/env bash
# A 16-thread program opening files concurrently gets correct answers.
source "$(dirname "$0")/lib.sh"
printf hello > "$SCRATCH/data"
out=$(bv run -- "$HELPERS/threads_open" "$SCRATCH/data"); rc=$?
expect_eq "threads exit" 0 $rc
expect_eq "threads output" "0 failures" "$out"
finish
