#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# install.sh of the umbra-case offline kit (make offline-kit): installs
# umbra-case on a Debian 12 computer without any network.
#   sudo sh install.sh              check the files, then install
#   sh install.sh --dry-run         check and say what would be installed
#   ... --admindir DIR              another dpkg database (the tests)
# It checks every file against SHA256SUMS and stops at the first
# difference; then it gives dpkg, in one call, the kit's packages that are
# not installed already at the same or a newer version (dpkg unpacks them
# and configures them in the order their dependencies need). It never
# downloads anything and never downgrades a package. --dry-run resolves
# that set with apt against the installed packages only (apt-get -s with
# no package lists), and fails when a dependency is missing.
set -eu
cd "$(dirname "$0")"
dry=0
admin=
while [ $# -gt 0 ]; do
    case $1 in
    --dry-run) dry=1 ;;
    --admindir) admin=$2; shift ;;
    *) echo "usage: sh install.sh [--dry-run] [--admindir DIR]" >&2; exit 2 ;;
    esac
    shift
done
stop() {
    echo "STOP: $*" >&2
    echo "Nothing was installed." >&2
    exit 1
}

echo "Checking the files of the kit..."
[ -f SHA256SUMS ] || stop "SHA256SUMS is missing: this is not a whole kit."
sha256sum --quiet --strict -c SHA256SUMS ||
    stop "a file of this kit is damaged or was changed. Do not use it: get a new copy of the kit."
for f in debs/*.deb; do
    grep -q "  $f\$" SHA256SUMS || stop "$f is not part of the kit."
done
echo "All files are as they were made."

arch=$(dpkg --print-architecture)
set -- ${admin:+--admindir="$admin"}
todo=
for f in debs/*.deb; do
    p=$(dpkg-deb -f "$f" Package)
    v=$(dpkg-deb -f "$f" Version)
    a=$(dpkg-deb -f "$f" Architecture)
    [ "$a" = all ] || [ "$a" = "$arch" ] ||
        stop "this kit is for $a computers; this one is $arch."
    have=$(dpkg-query "$@" -W -f='${Status} ${Version}\n' "$p" 2>/dev/null |
        sed -n 's/^install ok installed //p' | head -n 1)
    if [ -n "$have" ] && dpkg --compare-versions "$have" ge "$v"; then
        echo "  already there: $p $have"
    else
        echo "  to install:    $p $v"
        todo="$todo $f"
    fi
done

if [ -z "$todo" ]; then
    echo "Everything is installed already."
    exit 0
fi
if [ "$dry" -eq 1 ]; then
    # apt resolves the same set against the installed packages alone: its
    # package lists and sources are replaced by empty ones, so it can
    # neither download nor pick anything outside the kit.
    e=$(mktemp -d)
    trap 'rm -rf "$e"' EXIT
    mkdir -p "$e/lists/partial" "$e/cache/archives/partial"
    # shellcheck disable=SC2086
    if ! apt-get -q -s -o Debug::NoLocking=1 \
        -o Dir::State::status="${admin:-/var/lib/dpkg}/status" \
        -o Dir::State::Lists="$e/lists" -o Dir::Cache="$e/cache" \
        -o Dir::State::extended_states="$e/extended_states" \
        -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$e" \
        -o APT::Install-Recommends=false \
        install $(for f in $todo; do printf './%s ' "$f"; done) \
        >"$e/apt.out" 2>&1; then
        sed -n '/unmet dependencies/,$p' "$e/apt.out" >&2
        stop "these packages cannot be installed on this computer (above)."
    fi
    echo "Dry run: every package the kit installs has what it needs; nothing was changed."
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    stop "installing needs the administrator: type  sudo sh install.sh"
fi
# shellcheck disable=SC2086
dpkg "$@" -i $todo || stop "dpkg could not install the packages (above)."
echo "Done. Type  umbra-case --version  to check."
