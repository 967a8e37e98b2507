#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# make offline-kit: one archive for a laptop that never goes online.
#   packaging/make-offline-kit.sh DEBDIR VERSION TAR
# TAR holds the folder umbra-case-offline-kit-VERSION/ with
#   install.sh        checks SHA256SUMS, then installs what is missing
#                     (packaging/kit-install.sh)
#   SHA256SUMS        of every other file of the kit
#   debs/             the umbra-case .deb and every .deb it needs that a
#                     fresh Debian 12 computer lacks
#   BASE-PACKAGES.txt what that computer is assumed to have (kit-base.sh)
#   README.txt
# How the closure is computed: packaging/kit-base.sh writes the dpkg status
# of Debian's essential base (priority required, with their dependencies:
# what debootstrap --variant=minbase installs); apt, pointed at that status instead of this machine's,
# downloads (--download-only) what installing the umbra-case .deb would
# need on top of it, without Recommends. Needs apt's package lists and the
# Debian archive (the machine that builds the kit is online).
set -eu
debdir=$1
version=$2
tar=$3
top=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg --print-architecture)
case $debdir in /*) ;; *) debdir=$top/$debdir ;; esac
case $tar in /*) ;; *) tar=$top/$tar ;; esac
deb=$debdir/umbra-case_${version}_$arch.deb
[ -f "$deb" ] || { echo "offline-kit: $deb missing (make deb)" >&2; exit 1; }

name=umbra-case-offline-kit-$version
work=$(dirname "$tar")/offline-kit
kit=$work/$name
rm -rf "$work"
mkdir -p "$kit/debs" "$work/archives/partial" "$work/state"

"$top/packaging/kit-base.sh" "$work/base-status"
: >"$work/state/extended_states"
apt-get -q -y -o Debug::NoLocking=1 -o APT::Install-Recommends=false \
    -o Dir::State::status="$work/base-status" \
    -o Dir::State::extended_states="$work/state/extended_states" \
    -o Dir::Cache::archives="$work/archives" \
    --download-only install "$deb" >"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log" >&2; exit 1; }
cp "$work"/archives/*.deb "$kit/debs/" 2>/dev/null || true
cp "$deb" "$kit/debs/"

awk '/^Package:/ { p = $2 } /^Version:/ { print p " " $2 }' \
    "$work/base-status" | LC_ALL=C sort >"$kit/BASE-PACKAGES.txt"
cp "$work/base-status" "$kit/base-status"
install -m 0755 "$top/packaging/kit-install.sh" "$kit/install.sh"
cat >"$kit/README.txt" <<README
Umbra's caseworker tool (umbra-case $version) for a Debian 12 computer
that is never connected to a network ($arch).

1. Copy this folder to the computer (from a USB stick).
2. Open a terminal in this folder and type:  sudo sh install.sh
3. Then type:  umbra-case --version

install.sh checks every file against SHA256SUMS first and stops if one
was damaged or changed. It installs only the packages in debs/ that the
computer does not already have. BASE-PACKAGES.txt lists what a fresh
Debian 12 installation is assumed to have (Debian's base system).
See the caseworker's guide, "Installing umbra-case".
README
(cd "$kit" && find . -type f ! -name SHA256SUMS | sed 's#^\./##' |
    LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
rm -f "$tar"
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name \
    -cf "$tar" "$name"
n=$(find "$kit/debs" -name '*.deb' | wc -l)
echo "offline-kit: $tar ($n packages, $(du -k "$tar" | cut -f1) KiB)"
# SHA256SUMS travels inside the kit: it catches damage, not a kit changed
# whole. The archive's own sum goes to the caseworker by another way.
echo "offline-kit: sha256 $(sha256sum "$tar" | cut -d' ' -f1)"
