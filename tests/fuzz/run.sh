#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Runs libFuzzer harnesses one after another and prints one line per
# harness and a closing "N passed, N failed" line. A harness fails if it
# crashes, leaks or times out on an input; its log is kept in DIR/NAME.log.
#
#   tests/fuzz/run.sh DIR replay NAME...
#       deterministic (the fuzz-brief suite of `make check`): each harness
#       runs once over every file of its seed corpus tests/fuzz/corpus/NAME
#       and of tests/fuzz/crashes/NAME (inputs that once crashed it, kept
#       as regression cases); no mutation, so the result never depends on
#       luck.
#   tests/fuzz/run.sh DIR SECONDS NAME...
#       random exploration (`make fuzz`): each harness for SECONDS on a
#       fresh copy of its seed corpus (DIR/corpus/NAME); a crash input goes
#       to DIR/artifacts/. FUZZ_RUNS, if set, also stops each harness after
#       that many executions.
set -u
dir=$1
secs=$2
shift 2
pass=0
fail=0
# passed TEXT / failed PATTERN head|tail: the harness's line; a failure
# also shows the first or last five lines of its log matching PATTERN
passed() {
    echo "fuzz $name: ok, $1"
    pass=$((pass + 1))
}
failed() {
    echo "FAIL fuzz $name: see $log"
    grep -E "$1" "$log" | "$2" -5
    fail=$((fail + 1))
}
mkdir -p "$dir/artifacts"
for name in "$@"; do
    log="$dir/$name.log"
    if [ "$secs" = replay ]; then
        inputs=$(find "tests/fuzz/corpus/$name" "tests/fuzz/crashes/$name" \
            -type f 2>/dev/null | sort)
        if [ -z "$inputs" ]; then
            # With no file, libFuzzer would start exploring: give it one.
            : >"$dir/$name.empty"
            inputs="$dir/$name.empty"
        fi
        # shellcheck disable=SC2086
        if "$dir/$name" -runs=1 -timeout=30 -rss_limit_mb=2048 $inputs \
            >"$log" 2>&1; then
            passed "replayed $(grep -c '^Running: ' "$log") inputs"
        else
            failed 'Running:|ERROR|SUMMARY' tail
        fi
        continue
    fi
    corpus="$dir/corpus/$name"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    if [ -d "tests/fuzz/corpus/$name" ]; then
        cp -R "tests/fuzz/corpus/$name/." "$corpus/"
    fi
    t0=$(date +%s)
    if "$dir/$name" -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
        -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$dir/artifacts/$name-" -print_final_stats=1 \
        "$corpus" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        passed "${runs:-?} runs in $(($(date +%s) - t0)) s, 0 crashes, corpus $(ls "$corpus" | wc -l) inputs"
    else
        failed 'ERROR|SUMMARY|Test unit written' head
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
