#!/bin/sh
# Runs libFuzzer harnesses one after another, each for SECONDS on a fresh
# copy of its seed corpus (tests/fuzz/corpus/NAME), and prints one line per
# harness and a closing "N passed, N failed" line. A harness fails if it
# finds a crash, a leak or a timeout; its log is kept in DIR/NAME.log and
# the input in DIR/artifacts/.
# Usage: tests/fuzz/run.sh DIR SECONDS NAME...
set -u
dir=$1
secs=$2
shift 2
pass=0
fail=0
mkdir -p "$dir/artifacts"
for name in "$@"; do
    corpus="$dir/corpus/$name"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    if [ -d "tests/fuzz/corpus/$name" ]; then
        cp -R "tests/fuzz/corpus/$name/." "$corpus/"
    fi
    log="$dir/$name.log"
    if "$dir/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$dir/artifacts/$name-" -print_final_stats=1 \
        "$corpus" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "fuzz $name: ok, ${runs:-?} runs in ${secs} s, corpus $(ls "$corpus" | wc -l) inputs"
        pass=$((pass + 1))
    else
        echo "FAIL fuzz $name: see $log"
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
