#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Re-derives every known-answer vector with the C library (umbra-vec gen,
# fixed randomness through the rng seam) and compares the result with
# tests/vectors/*.json byte for byte, so that any change of a byte format
# fails here. After a deliberate format change: make vectors-regen.
# Usage: tests/vectors/check-vectors.sh build/umbra-vec
set -u
vec=$1
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
if ! "$vec" gen "$tmp"; then
    echo "umbra-vec gen failed"
    echo "0 passed, 1 failed"
    exit 1
fi
for f in "$dir"/*.json; do
    name=$(basename "$f")
    if cmp -s "$f" "$tmp/$name"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name differs from what the library produces now:"
        diff "$f" "$tmp/$name" | head -10
    fi
done
for f in "$tmp"/*.json; do
    name=$(basename "$f")
    if [ ! -f "$dir/$name" ]; then
        fail=$((fail + 1))
        echo "FAIL $name is produced but not in tests/vectors (make vectors-regen)"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
