#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Writes OUT: a dpkg status file of "a fresh Debian 12 computer" as the
# offline kit assumes it (docs/caseworker-guide.md): Debian's essential
# base, i.e. every package of priority 'required' in the configured
# bookworm archive, with everything they depend on (no Recommends), as apt
# resolves it from nothing: what 'debootstrap --variant=minbase' installs.
# Every Debian 12 installation, desktop or not, has at least these (a
# desktop has far more: the 'important' and 'standard' packages and the
# desktop's own), and the kit's install.sh skips what is already there.
#   packaging/kit-base.sh OUT
# Needs apt's package lists ('apt-get update' once); reads them only.
set -eu
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
APT="-q -o Debug::NoLocking=1 -o APT::Install-Recommends=false"

names() {
    # shellcheck disable=SC2086
    apt-cache $APT dumpavail |
        awk '/^Package:/ { p = $2 } /^Priority: required$/ { print p }' |
        LC_ALL=C sort -u >"$tmp/names"
}
names
# A fresh machine may have no package lists yet.
if [ ! -s "$tmp/names" ] && [ "$(id -u)" -eq 0 ]; then
    apt-get -q update >/dev/null && names
fi
[ -s "$tmp/names" ] || {
    echo "kit-base: no package lists: run 'apt-get update' first" >&2
    exit 1
}
# shellcheck disable=SC2086,SC2046
apt-get $APT -s -o Dir::State::status=/dev/null install \
    $(cat "$tmp/names") >"$tmp/sim" ||
    { cat "$tmp/sim" >&2; exit 1; }
# "Inst NAME (VERSION ARCHIVES [ARCH])" -> NAME=VERSION
sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' "$tmp/sim" >"$tmp/pins"
# Their stanzas as installed packages (download fields dropped), once each.
# shellcheck disable=SC2046
apt-cache $APT show $(cat "$tmp/pins") |
    awk 'BEGIN { RS = ""; ORS = "" }
         {
             split($0, l, "\n"); name = ""; s = ""; skip = 0
             for (i = 1; l[i] != ""; i++) {
                 if (l[i] ~ /^ /) { if (!skip) s = s l[i] "\n"; continue }
                 skip = (l[i] ~ /^(Filename|Size|MD5sum|SHA256|Description-md5|Tag):/)
                 if (l[i] ~ /^Package:/) { name = l[i] }
                 if (!skip) s = s l[i] "\n"
             }
             if (name in seen) next
             seen[name] = 1
             sub(/\n/, "\nStatus: install ok installed\n", s)
             print s "\n"
         }' >"$out.tmp"
mv "$out.tmp" "$out"
