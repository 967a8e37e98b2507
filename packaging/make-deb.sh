#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# make deb: builds the Debian packages umbra-case and umbra-server (debian/)
# with dpkg-buildpackage from a copy of the sources in DIR/src/umbra-VERSION,
# so that its output never lands beside the checkout; the .debs (and the
# -dbgsym ones, the .buildinfo and .changes) end in DIR.
#   packaging/make-deb.sh DIR VERSION
set -eu
dir=$1
version=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# debian/changelog's version is the package's: it must be VERSION's.
cl=$(dpkg-parsechangelog -S Version)
if [ "$cl" != "$version" ]; then
    echo "make-deb: debian/changelog is at $cl, VERSION at $version" >&2
    exit 1
fi
for t in dpkg-buildpackage dh fakeroot; do
    command -v $t >/dev/null 2>&1 || {
        echo "make-deb: '$t' missing: run 'make deps' (as root)" >&2
        exit 1
    }
done
[ -f web/node_modules/.umbra-installed ] || {
    echo "make-deb: web/node_modules missing: run 'make deps'" >&2
    exit 1
}

case $dir in /*) ;; *) dir=$top/$dir ;; esac
src=$dir/src/umbra-$version
rm -rf "$dir"
mkdir -p "$src"
# The files git knows or would add (as they are in the work tree), else every file but
# the build output; plus the pinned npm packages.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null |
        tar -xf - -C "$src"
else
    tar --exclude=./build --exclude=./var --exclude=./.git -cf - . |
        tar -xf - -C "$src"
fi
mkdir -p "$src/web/node_modules"
cp -a web/node_modules/. "$src/web/node_modules/"

cd "$src"
log=$dir/build.log
if ! dpkg-buildpackage -b -us -uc >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "make-deb: dpkg-buildpackage failed; the whole log is $log" >&2
    exit 1
fi
cd "$dir/src"
mv ./*.deb ./*.buildinfo ./*.changes "$dir/"
rm -rf "$src"
ls -1 "$dir"/*.deb
