#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Runs each named make target as one suite, continuing past failures.
# Usage: tests/run-suites.sh MAKE [ARGS...] -- SUITE...
# Prints one line per suite and a closing "N passed, N failed" line; exits
# 1 if any suite failed.
set -u
make_cmd=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    make_cmd="$make_cmd $1"
    shift
done
[ $# -gt 0 ] && shift
pass=0
fail=0
failed=""
for s in "$@"; do
    echo "=== suite $s"
    start=$(date +%s)
    # shellcheck disable=SC2086
    if $make_cmd --no-print-directory "$s"; then
        pass=$((pass + 1))
        echo "=== suite $s: ok ($(( $(date +%s) - start )) s)"
    else
        fail=$((fail + 1))
        failed="$failed $s"
        echo "=== suite $s: FAILED ($(( $(date +%s) - start )) s)"
    fi
done
[ -n "$failed" ] && echo "failed suites:$failed"
echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
