#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Installs what the build, the tests and `make run` need, when it is
# missing: Debian packages (as root) and the pinned npm packages (web/).
# Without root, names the missing packages and stops.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libsodium-dev libargon2-dev libjansson-dev libmicrohttpd-dev libpq-dev
libsqlcipher-dev libcurl4-openssl-dev libzxcvbn-dev libssl-dev libglpk-dev
glpk-utils
postgresql postgresql-contrib
postgresql-15-auto-failover pg-auto-failover-cli haproxy
python3 python3-nacl python3-pil
chromium chromium-driver lynx w3m tmux
curl wrk procps psmisc tor systemd
fonts-dejavu-core fonts-tlwg-loma-otf fonts-noto-color-emoji
debhelper dpkg-dev fakeroot lintian groff-base debootstrap"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done

# Node.js and npm: any install that gives the commands will do (some
# machines carry a newer Node.js whose package conflicts with Debian's npm).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps: missing Debian packages:$missing" >&2
        echo "deps: run 'sudo apt-get install$missing' or run make as root" >&2
        exit 1
    fi
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The browser crypto library, pinned by web/package-lock.json, served by
# umbra-server from web/vendor/ (never from a CDN).
# The stamp holds the lock file's checksum, so a changed lock installs again.
if [ -f web/package.json ]; then
    lock_sum=$(sha256sum web/package-lock.json | cut -d' ' -f1)
    if [ "$(cat web/node_modules/.umbra-installed 2>/dev/null)" != "$lock_sum" ]; then
        echo "deps: npm ci (web/)"
        (cd web && npm ci --no-audit --no-fund --loglevel=error) &&
            echo "$lock_sum" >web/node_modules/.umbra-installed
    fi
fi
