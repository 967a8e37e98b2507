#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# make test-package: the install paths a caseworker or an operator takes.
#   --version of both programs; the man pages (groff, every verb listed);
#   make install into a DESTDIR (the tree) and into a PREFIX (the installed
#   server finds its web files there from any folder; make uninstall);
#   make offline-kit, which builds the .debs (dpkg-deb -I/-c checks, lintian
#   with no error or warning); the umbra-case .deb in a scratch dpkg root
#   (dpkg --root): --version, init + fingerprint in a temporary home,
#   upgrade to a bumped version, remove, purge, the home untouched; the kit:
#   unpacked, sha256sum -c, install.sh --dry-run against this machine and
#   against Debian's base system alone, and refused when a package is
#   missing or a file changed; then in a fresh Debian 12 root made by
#   debootstrap (minbase): the kit installed for real and umbra-case run,
#   the umbra-server .deb installed with apt (postinst), then purged.
# Needs root (dpkg --root, chroot), apt's package lists and the Debian
# archive (the kit and the fresh root download their packages). Takes
# about 6 minutes on 2 cores, 11 the first time (debootstrap).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
case $O in /*) OUT=$O ;; *) OUT=$top/$O ;; esac
MAKE=${MAKE:-make}
V=$(cat VERSION)
ARCH=$(dpkg --print-architecture)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { # check NAME COMMAND...: ok when COMMAND succeeds
    n=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$n"; else bad "$n"; fi
}
tmp=$(mktemp -d)
chmod 0755 "$tmp"
srv_pid=
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
unset LD_LIBRARY_PATH

# ---- --version -------------------------------------------------------------
for p in umbra-case umbra-server; do
    out=$("$OUT/$p" --version 2>&1); rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "$p $V" ]; then ok "$p --version: $out"
    else bad "$p --version: rc=$rc '$out' (want '$p $V')"; fi
done

# ---- man pages ---------------------------------------------------------------
for m in man/umbra-case.1 man/umbra-server.8; do
    w=$(groff -man -ww -z "$m" 2>&1)
    if [ -z "$w" ]; then ok "$m: groff -ww clean"; else bad "$m: $w"; fi
done
# Every verb of 'umbra-case --help' and command of 'umbra-server --help'
# has its entry in the page.
verbs=$("$OUT/umbra-case" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' |
    sort -u)
[ -n "$verbs" ] || bad "no verbs in umbra-case --help"
for v in $verbs; do
    if grep -Eq "^\.B[IR]? \"?$v( |\"|\$)" man/umbra-case.1; then :
    else bad "umbra-case(1) lacks the verb '$v'"; fi
done
ok "umbra-case(1) has every verb of --help ($(echo $verbs | wc -w))"
cmds=$("$OUT/umbra-server" --help |
    sed -n 's/^ *\(usage:\)\{0,1\} *umbra-server \([a-z][a-z]*\).*/\2/p' |
    sort -u)
for c in serve $cmds; do
    if grep -Eq "^\.B[IR]? \"?$c( |\"|\$)" man/umbra-server.8; then :
    else bad "umbra-server(8) lacks the command '$c'"; fi
done
ok "umbra-server(8) has every command of --help ($(echo serve $cmds | wc -w))"

# ---- make install DESTDIR=... --------------------------------------------------
d=$tmp/destdir
if $MAKE --no-print-directory -s O="$O" install DESTDIR="$d" \
    >"$tmp/install.log" 2>&1; then ok "make install DESTDIR"
else bad "make install DESTDIR: $(tail -n 5 "$tmp/install.log")"; fi
u=$d/usr/local
top_dirs=$(cd "$d" && find . -mindepth 1 -maxdepth 2 | LC_ALL=C sort | tr '\n' ' ')
[ "$top_dirs" = "./usr ./usr/local " ] && ok "nothing outside DESTDIR/usr/local" ||
    bad "install wrote outside PREFIX: $top_dirs"
for f in bin/umbra-case bin/umbra-server; do
    check "$f installed, executable" test -x "$u/$f"
done
for w in templates locales static vendor content; do
    n=$(find "$u/share/umbra/web/$w" -type f 2>/dev/null | wc -l)
    m=$(find "web/$w" -type f | wc -l)
    [ "$n" -gt 0 ] && [ "$n" -eq "$m" ] && ok "share/umbra/web/$w: $n files" ||
        bad "share/umbra/web/$w: $n files, web/$w has $m"
done
check "libsodium.js installed" test -s "$u/share/umbra/web/vendor/libsodium-sumo.js"
n=$(ls "$u"/share/umbra/schema/*.sql 2>/dev/null | wc -l)
m=$(ls schema/*.sql | wc -l)
[ "$n" -eq "$m" ] && ok "schema: $n migrations" || bad "schema: $n of $m"
check "umbra-case(1) installed with the version" \
    grep -q "\"Umbra $V\"" "$u/share/man/man1/umbra-case.1"
check "umbra-server(8) installed with the version" \
    grep -q "\"Umbra $V\"" "$u/share/man/man8/umbra-server.8"
unit=$u/lib/systemd/system/umbra-server.service
check "unit: ExecStart at the prefix" \
    grep -q '^ExecStart=/usr/local/bin/umbra-server --config /etc/umbra/server.conf$' "$unit"
check "unit: waits for /etc/umbra/server.conf" \
    grep -q '^ConditionPathExists=/etc/umbra/server.conf$' "$unit"
check "docs and example configuration" test -s "$u/share/doc/umbra/operations.md" \
    -a -s "$u/share/doc/umbra/caseworker-guide.md" \
    -a -s "$u/share/doc/umbra/examples/server.conf"

# ---- make install PREFIX=...: the installed server finds its files ----------
p=$tmp/prefix
$MAKE --no-print-directory -s O="$O" install PREFIX="$p" >"$tmp/install2.log" 2>&1 ||
    bad "make install PREFIX: $(tail -n 5 "$tmp/install2.log")"
cat >"$tmp/nodb.conf" <<CONF
db_owner = host=$tmp/nowhere dbname=umbra
db_intake = host=$tmp/nowhere dbname=umbra user=umbra_intake
db_sync = host=$tmp/nowhere dbname=umbra user=umbra_sync
spool_dir = $tmp/spool
port = 0
CONF
# From '/', with no web_dir in the configuration: build/umbra-server says
# "cannot load pages from 'web'"; the installed one serves.
serves() { # serves BINARY: 0 when it says it listens within 20 s
    (cd / && exec "$1" --config "$tmp/nodb.conf") >"$tmp/srv.out" 2>&1 &
    srv_pid=$!
    i=0
    while [ $i -lt 200 ] && ! grep -q 'listening on' "$tmp/srv.out"; do
        kill -0 $srv_pid 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    kill $srv_pid 2>/dev/null; wait $srv_pid 2>/dev/null; srv_pid=
    grep -q 'listening on' "$tmp/srv.out"
}
if serves "$p/bin/umbra-server"; then
    ok "installed umbra-server finds $p/share/umbra/web by default"
else bad "installed umbra-server: $(head -n 3 "$tmp/srv.out")"; fi
if serves "$OUT/umbra-server"; then bad "build/umbra-server served from / (test cannot tell)"
else ok "build/umbra-server still looks in ./web"; fi
check "installed umbra-server's schema_dir is $p/share/umbra/schema" \
    grep -q "$p/share/umbra/schema" "$p/bin/umbra-server"
$MAKE --no-print-directory -s O="$O" uninstall PREFIX="$p" >/dev/null 2>&1
left=$(find "$p" -type f 2>/dev/null | head -n 3)
[ -z "$left" ] && ok "make uninstall removes every file" || bad "left: $left"

# ---- make offline-kit (and make deb) ---------------------------------------
if $MAKE --no-print-directory O="$O" offline-kit >"$tmp/kit.log" 2>&1; then
    ok "make offline-kit ($(tail -n 1 "$tmp/kit.log"))"
else
    bad "make offline-kit: $(tail -n 15 "$tmp/kit.log")"
fi
deb_dir=$OUT/deb
cdeb=$deb_dir/umbra-case_${V}_$ARCH.deb
sdeb=$deb_dir/umbra-server_${V}_$ARCH.deb
field() { dpkg-deb -f "$1" "$2" 2>/dev/null; }
has() { # has DEB PATH...: every path in dpkg-deb -c
    deb=$1; shift
    dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/list"
    for x; do grep -qx "$x" "$tmp/list" || { echo "missing $x"; return 1; }; done
}
[ "$(field "$cdeb" Version)" = "$V" ] && [ "$(field "$sdeb" Version)" = "$V" ] &&
    ok "both .debs at version $V" || bad "deb versions: $(field "$cdeb" Version) $(field "$sdeb" Version)"
dep=$(field "$cdeb" Depends)
for l in libsodium23 libargon2-1 libjansson4 libsqlcipher0 libcurl4 libzxcvbn0 libmicrohttpd12; do
    case $dep in *"$l "*|*"$l,"*|*"$l") ;; *) bad "umbra-case lacks Depends $l: $dep" ;; esac
done
ok "umbra-case Depends from shlibs: $dep"
[ "$(field "$cdeb" Recommends)" = "xdg-utils" ] && ok "umbra-case Recommends xdg-utils (the desk opens the browser)" ||
    bad "umbra-case Recommends: $(field "$cdeb" Recommends)"
dep=$(field "$sdeb" Depends)
for l in adduser libsodium23 libmicrohttpd12 libpq5 libjansson4; do
    case $dep in *"$l "*|*"$l,"*|*"$l") ;; *) bad "umbra-server lacks Depends $l: $dep" ;; esac
done
ok "umbra-server Depends: $dep"
[ "$(field "$sdeb" Recommends)" = "postgresql-15" ] && ok "umbra-server Recommends postgresql-15" ||
    bad "umbra-server Recommends: $(field "$sdeb" Recommends)"
check "umbra-case .deb contents" has "$cdeb" ./usr/bin/umbra-case \
    ./usr/share/man/man1/umbra-case.1.gz ./usr/share/doc/umbra-case/caseworker-guide.md \
    ./usr/share/doc/umbra-case/copyright
check "umbra-server .deb contents" has "$sdeb" ./usr/bin/umbra-server \
    ./usr/share/man/man8/umbra-server.8.gz ./lib/systemd/system/umbra-server.service \
    ./usr/share/umbra/web/vendor/libsodium-sumo.js ./usr/share/umbra/web/templates/ \
    ./usr/share/umbra/schema/001_core.sql ./usr/share/doc/umbra-server/operations.md \
    ./usr/share/doc/umbra-server/examples/server.conf
x=$tmp/server-x
dpkg-deb -x "$sdeb" "$x" && dpkg-deb -e "$sdeb" "$x/DEBIAN"
check "packaged unit: ExecStart=/usr/bin/umbra-server" \
    grep -q '^ExecStart=/usr/bin/umbra-server ' "$x/lib/systemd/system/umbra-server.service"
check "packaged unit's Documentation= file is in the package" test -f "$x$(sed -n \
    's#^Documentation=file:##p' "$x/lib/systemd/system/umbra-server.service")"
check "packaged umbra-server looks in /usr/share/umbra/web" \
    grep -q /usr/share/umbra/web "$x/usr/bin/umbra-server"
check "postinst creates the system user umbra" \
    grep -q 'adduser --system --group' "$x/DEBIAN/postinst"
# debhelper re-enables the unit on upgrade only if the operator had enabled
# it (inside 'was-enabled'); nothing starts or restarts it.
en=$(grep -c 'deb-systemd-helper enable' "$x/DEBIAN/postinst")
we=$(grep -c 'deb-systemd-helper --quiet was-enabled' "$x/DEBIAN/postinst")
if grep -q 'deb-systemd-invoke' "$x/DEBIAN/postinst" || [ "$en" -gt "$we" ]; then
    bad "postinst enables or starts the unit"
else ok "postinst neither enables nor starts the unit"; fi
if [ -f "$x/DEBIAN/prerm" ] &&
    grep -q '"$1" = remove.*/run/systemd/system' "$x/DEBIAN/prerm" &&
    [ "$(grep -c 'deb-systemd-invoke stop' "$x/DEBIAN/prerm")" -eq 1 ]; then
    ok "prerm stops the server on remove only, not on upgrade"
else bad "prerm: $(grep -n 'stop\|upgrade' "$x/DEBIAN/prerm" 2>&1 | head -n 3)"; fi
if lintian --fail-on error,warning "$deb_dir"/umbra_"${V}"_"$ARCH".changes \
    >"$tmp/lintian.out" 2>&1; then
    ok "lintian: no error, no warning (its info tags: debian/README.source)"
else bad "lintian: $(grep -E '^[EW]:' "$tmp/lintian.out" | head -n 10)"; fi

# ---- the umbra-case .deb in a scratch dpkg root ---------------------------------
R=$tmp/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: >"$R/var/lib/dpkg/status"
dpkgr() { dpkg --root="$R" --force-depends "$@"; }
home=$tmp/home
printf 'test passphrase of quiet lantern orbit\n' >"$tmp/pass"
snap() { (cd "$home" && find . -type f | LC_ALL=C sort | xargs sha256sum) 2>/dev/null; }
if dpkgr -i "$cdeb" >"$tmp/dpkg.out" 2>&1; then ok "dpkg -i umbra-case into a scratch root"
else bad "dpkg -i: $(tail -n 5 "$tmp/dpkg.out")"; fi
out=$("$R/usr/bin/umbra-case" --version 2>&1)
[ "$out" = "umbra-case $V" ] && ok "installed umbra-case --version" || bad "installed: '$out'"
if "$R/usr/bin/umbra-case" --home "$home" --passphrase-file "$tmp/pass" init \
    --org pkgtest --kdf-memory 8192 --kdf-passes 1 --kdf-lanes 1 >"$tmp/init.out" 2>&1 &&
    fp=$("$R/usr/bin/umbra-case" fingerprint "$home/public.json" 2>&1) && [ -n "$fp" ]; then
    ok "installed umbra-case: init + fingerprint in a temporary home"
else bad "init/fingerprint: $(tail -n 3 "$tmp/init.out") $fp"; fi
before=$(snap)
[ -n "$before" ] || bad "the home is empty"
# The upgrade: the same package at a bumped version.
V2=$V+pkgtest1
dpkg-deb -R "$cdeb" "$tmp/up" &&
    sed -i "s/^Version: .*/Version: $V2/" "$tmp/up/DEBIAN/control" &&
    dpkg-deb --root-owner-group -b "$tmp/up" "$tmp/umbra-case_up.deb" >/dev/null 2>&1
if dpkgr -i "$tmp/umbra-case_up.deb" >"$tmp/dpkg.out" 2>&1 &&
    [ "$(dpkg-query --root="$R" -W -f='${Version}' umbra-case)" = "$V2" ]; then
    ok "upgrade to $V2"
else bad "upgrade: $(tail -n 5 "$tmp/dpkg.out")"; fi
fp2=$("$R/usr/bin/umbra-case" fingerprint "$home/public.json" 2>&1)
[ "$fp2" = "$fp" ] && ok "after the upgrade the home opens as before" || bad "fingerprint now '$fp2'"
[ "$(snap)" = "$before" ] && ok "upgrade left the home untouched" || bad "upgrade changed the home"
dpkgr -r umbra-case >"$tmp/dpkg.out" 2>&1 && [ ! -e "$R/usr/bin/umbra-case" ] &&
    ok "remove: the program is gone" || bad "remove: $(tail -n 3 "$tmp/dpkg.out")"
dpkgr -P umbra-case >"$tmp/dpkg.out" 2>&1 &&
    [ -z "$(find "$R/usr" -type f 2>/dev/null)" ] &&
    ok "purge: no file of the package left" || bad "purge: $(find "$R/usr" -type f | head -n 3)"
[ "$(snap)" = "$before" ] && ok "remove and purge left the home untouched" ||
    bad "remove changed the home"

# ---- the offline kit ---------------------------------------------------------
kit_tar=$OUT/umbra-case-offline-kit-$V.tar
kd=$tmp/kit/umbra-case-offline-kit-$V
mkdir -p "$tmp/kit"
tar -C "$tmp/kit" -xf "$kit_tar" 2>/dev/null && ok "kit unpacks ($(du -k "$kit_tar" | cut -f1) KiB)" ||
    bad "cannot unpack $kit_tar"
(cd "$kd" && sha256sum --quiet --strict -c SHA256SUMS) >/dev/null 2>&1 &&
    ok "kit: sha256sum -c SHA256SUMS" || bad "kit: checksums"
cmp -s "$kd/debs/umbra-case_${V}_$ARCH.deb" "$cdeb" && ok "kit holds the umbra-case .deb" ||
    bad "kit lacks the umbra-case .deb"
n=$(ls "$kd"/debs/*.deb | wc -l)
sh "$kd/install.sh" --dry-run >"$tmp/dry.out" 2>&1 &&
    ok "install.sh --dry-run on this machine" || bad "dry run: $(tail -n 5 "$tmp/dry.out")"
# Against Debian's base system alone (the status the kit was computed for).
base=$tmp/base
mkdir -p "$base"
cp "$kd/base-status" "$base/status"
if sh "$kd/install.sh" --dry-run --admindir "$base" >"$tmp/dry.out" 2>&1 &&
    [ "$(grep -c 'to install:' "$tmp/dry.out")" -eq "$n" ]; then
    ok "install.sh --dry-run on a base system: all $n packages, nothing missing"
else bad "dry run on base: $(tail -n 5 "$tmp/dry.out")"; fi
# Without libsqlcipher0 the same dry run must fail.
cp -a "$kd" "$tmp/kit-short"
rm "$tmp/kit-short"/debs/libsqlcipher0_*.deb
sed -i '/libsqlcipher0_/d' "$tmp/kit-short/SHA256SUMS"
if sh "$tmp/kit-short/install.sh" --dry-run --admindir "$base" >"$tmp/dry.out" 2>&1; then
    bad "a kit without libsqlcipher0 passed the dry run"
elif grep -q 'libsqlcipher0' "$tmp/dry.out"; then
    ok "a kit without libsqlcipher0 is refused, naming it"
else bad "short kit: $(tail -n 3 "$tmp/dry.out")"; fi
# A changed file stops it before anything else.
cp -a "$kd" "$tmp/kit-bad"
printf 'x' >>"$tmp/kit-bad/debs/umbra-case_${V}_$ARCH.deb"
if sh "$tmp/kit-bad/install.sh" --dry-run >"$tmp/dry.out" 2>&1; then
    bad "a changed .deb passed the check"
elif grep -q '^STOP: a file of this kit is damaged' "$tmp/dry.out"; then
    ok "a changed .deb is refused (STOP, nothing installed)"
else bad "changed kit: $(tail -n 3 "$tmp/dry.out")"; fi

# ---- a real install in a fresh Debian 12 (debootstrap --variant=minbase) ----
# The root is made once per build folder ($OUT/package-test/minbase, about
# 5 minutes) from the archive apt already uses here, then copied per run.
# In it: the kit's install.sh for real (dpkg only, no network), umbra-case
# run; the umbra-server .deb with apt (its dependencies from the archive):
# the user 'umbra', /etc/umbra, the unit not enabled; purge.
mb=$OUT/package-test/minbase
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
    'Created-By: Packages' 2>/dev/null | awk '$2 == "bookworm" { print $1; exit }')
if ! command -v debootstrap >/dev/null 2>&1; then
    bad "debootstrap missing (make deps)"
elif [ ! -f "$mb/.umbra-minbase" ] && { rm -rf "$mb"; mkdir -p "$mb"; \
    ! debootstrap --variant=minbase bookworm "$mb" "$mirror" \
        >"$tmp/debootstrap.log" 2>&1; }; then
    bad "debootstrap: $(tail -n 3 "$tmp/debootstrap.log")"
else
    touch "$mb/.umbra-minbase"
    C=$tmp/chroot
    cp -a "$mb" "$C"
    cp -a "$kd" "$C/kit"
    cp "$sdeb" "$C/umbra-server.deb"
    if chroot "$C" sh /kit/install.sh >"$tmp/chroot.out" 2>&1; then
        ok "fresh Debian 12 root: the kit's install.sh installs $(grep -c 'to install:' "$tmp/chroot.out") packages"
    else bad "kit in a fresh root: $(tail -n 5 "$tmp/chroot.out")"; fi
    out=$(chroot "$C" umbra-case --version 2>&1)
    [ "$out" = "umbra-case $V" ] && ok "fresh root: umbra-case --version" ||
        bad "fresh root: '$out'"
    printf 'test passphrase of quiet lantern orbit\n' >"$C/root/pass"
    if chroot "$C" umbra-case --home /root/h --passphrase-file /root/pass init \
        --org fresh --kdf-memory 8192 --kdf-passes 1 --kdf-lanes 1 \
        >"$tmp/chroot.out" 2>&1 &&
        chroot "$C" umbra-case fingerprint /root/h/public.json >/dev/null 2>&1; then
        ok "fresh root: umbra-case init + fingerprint"
    else bad "fresh root init: $(tail -n 3 "$tmp/chroot.out")"; fi
    if chroot "$C" sh -c 'apt-get -q update && DEBIAN_FRONTEND=noninteractive \
        apt-get -q -y --no-install-recommends install /umbra-server.deb' \
        >"$tmp/chroot.out" 2>&1; then
        ok "fresh root: apt-get install ./umbra-server.deb"
    else bad "umbra-server in a fresh root: $(tail -n 5 "$tmp/chroot.out")"; fi
    chroot "$C" getent passwd umbra >/dev/null 2>&1 &&
        ok "postinst made the system user umbra" || bad "no user umbra"
    st=$(chroot "$C" stat -c '%a %U:%G' /etc/umbra 2>&1)
    [ "$st" = "750 root:umbra" ] && ok "/etc/umbra 750 root:umbra" || bad "/etc/umbra: $st"
    [ -z "$(find "$C/etc/systemd/system" -name 'umbra-server*' 2>/dev/null)" ] &&
        ok "the unit is not enabled" || bad "the unit is enabled"
    out=$(chroot "$C" umbra-server --version 2>&1)
    [ "$out" = "umbra-server $V" ] && ok "fresh root: umbra-server --version" ||
        bad "fresh root: '$out'"
    if chroot "$C" dpkg --purge umbra-server >"$tmp/chroot.out" 2>&1 &&
        [ ! -e "$C/usr/bin/umbra-server" ] && [ ! -e "$C/etc/umbra" ]; then
        ok "purge umbra-server: program and empty /etc/umbra gone"
    else bad "purge: $(tail -n 3 "$tmp/chroot.out")"; fi
    rm -rf "$C"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
