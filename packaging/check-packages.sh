#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Packaging test (make check-packages), as root on Debian 12:
#   - installs the Debian packages it needs when missing (packaging tools and
#     the Build-Depends of packaging/debian/control);
#   - builds the .deb (packaging/build-deb.sh) and runs lintian on it;
#   - installs it with dpkg -i and checks the installed files, the vnet user,
#     the systemd unit, that nothing is setuid, and that the daemon runs as
#     the unit runs it: user vnet with only CAP_NET_RAW and CAP_NET_ADMIN
#     (emulated with setpriv in a private network namespace);
#   - removes and purges it, checking what is left;
#   - runs packaging/check-systemd.sh: the service under a real systemd, in a
#     throwaway container of this machine (CHECK_SYSTEMD=0 skips it);
#   - builds the .rpm (packaging/build-rpm.sh), checks its file list and
#     scriptlets, and installs and erases it with a throwaway RPM database
#     (CHECK_RPM_INSTALL=0 skips that part).
# Prints "N passed, N failed" last; exits 1 if anything failed.
#
#   packaging/check-packages.sh [OUTDIR]     (default: build/packages)
#
# It refuses to run when vnet is already installed (it would replace it).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/packages}
cd "$top" || exit 1

pass=0 fail=0
ok()   { pass=$((pass + 1)); echo "ok   $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
die() { bad "$*"; finish; }

log=$(mktemp -d "${TMPDIR:-/tmp}/vnet-check-packages.XXXXXX")
trap 'rm -rf "$log"' EXIT

[ "$(id -u)" = 0 ] || { echo "check-packages: run as root (it installs packages)" >&2; exit 1; }
[ -r /etc/debian_version ] || { echo "check-packages: needs Debian (dpkg, apt)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' vnet 2>/dev/null | grep -qv 'not-installed'; then
    echo "check-packages: the package vnet is installed (or not purged): remove it first (dpkg -P vnet)" >&2
    exit 1
fi
for f in /usr/sbin/vnet /usr/bin/vnetclient /lib/systemd/system/vnet.service /etc/default/vnet; do
    [ -e "$f" ] && { echo "check-packages: $f exists: it would be replaced; remove it first" >&2; exit 1; }
done
user_existed=0
getent passwd vnet >/dev/null && user_existed=1

# ---- tools and build dependencies
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_install() {
    [ $# -gt 0 ] || return 0
    echo "check-packages: installing: $*"
    if [ $updated = 0 ]; then apt-get update -q >"$log/apt" 2>&1; updated=1; fi
    apt-get install -y -q --no-install-recommends "$@" >>"$log/apt" 2>&1 || { tail -20 "$log/apt"; return 1; }
}
missing=()
for p in debhelper dpkg-dev lintian rpm fakeroot; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
check "packaging tools installed" apt_install "${missing[@]}"
# Build-Depends not met: "a (>= 1) b | c" -> "a b".
unmet=$(dpkg-checkbuilddeps packaging/debian/control 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
        sed -E 's/\([^)]*\)//g; s/ *\| *[^ ]+//g')
# shellcheck disable=SC2086
check "build dependencies installed" apt_install $unmet
check "build dependencies met" dpkg-checkbuilddeps packaging/debian/control

# ---- versions
deb_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
rpm_version=$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/vnet.spec | head -n 1)
src_version=$(sed -n 's/^#define VNET_VERSION[[:space:]]*"\(.*\)".*/\1/p' include/vnet/common.h)
check "versions agree: source $src_version, debian ${deb_version%-*}, rpm $rpm_version" \
    test "$src_version" = "${deb_version%-*}" -a "$src_version" = "$rpm_version"

# ---- build the .deb
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$out/vnet_${deb_version}_${arch}.deb
changes=$out/vnet_${deb_version}_${arch}.changes
rm -f "$deb" "$changes"
if packaging/build-deb.sh "$out" >"$log/build-deb" 2>&1; then
    ok "make deb: ${deb#"$top"/}"
else
    tail -30 "$log/build-deb"
    die "make deb (packaging/build-deb.sh) failed"
fi
check "repository top level unchanged (no debian/)" test ! -e "$top/debian"

# ---- lintian
# TMPDIR: lintian leaves mldbm-* files behind in it.
TMPDIR=$log lintian --show-overrides --display-level '>=pedantic' "$changes" >"$log/lintian" 2>&1
grep -v 'running with root privileges' "$log/lintian" | sed 's/^/  lintian: /'
nerr=$(grep -c '^E: ' "$log/lintian")
nwarn=$(grep -c '^W: ' "$log/lintian")
check "lintian: no errors ($nerr errors, $nwarn warnings)" test "$nerr" -eq 0

# ---- dpkg -i
if dpkg -i "$deb" >"$log/dpkg-i" 2>&1; then
    ok "dpkg -i ${deb##*/}"
else
    cat "$log/dpkg-i"
    die "dpkg -i failed"
fi
check "postinst explains how to create the password file" grep -q '/etc/vnet/password' "$log/dpkg-i"
version_out=$(/usr/sbin/vnet --version 2>&1)
check "/usr/sbin/vnet --version: $version_out" grep -q "^vnet $src_version" <<<"$version_out"
check "/usr/bin/vnetclient --help" sh -c '/usr/bin/vnetclient --help >/dev/null'
check "vnetclient in PATH" sh -c 'command -v vnetclient >/dev/null'
# The man pages, as installed (section directory and name): keep in step with MAN_PAGES.
man_pages="man8/vnet.8 man1/vnetclient.1 man5/vnet.handlers.5 man7/vnet-protocol.7
man7/vnet-bridging.7 man7/vnet-security.7"
for m in $man_pages; do
    check "man page ${m#*/} installed" test -f "/usr/share/man/$m.gz"
done
check "copyright file installed" test -f /usr/share/doc/vnet/copyright
unit=/lib/systemd/system/vnet.service
check "unit $unit installed" test -f "$unit"
check "unit is enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/vnet.service
for kv in 'User=vnet' 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN CAP_BPF CAP_SETPCAP' \
          'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN CAP_BPF CAP_SETPCAP' 'NoNewPrivileges=yes' \
          'ConditionPathExists=/etc/vnet/password' 'EnvironmentFile=-/etc/default/vnet'; do
    check "unit has $kv" grep -qxF "$kv" "$unit"
done
check "unit has no PrivateNetwork=" sh -c "! grep -q '^PrivateNetwork' $unit"
check "unit uses --password-file /etc/vnet/password" grep -q '^ExecStart=/usr/sbin/vnet --password-file /etc/vnet/password ' "$unit"
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify vnet.service" sh -c "systemd-analyze verify $unit >$log/verify 2>&1 && ! test -s $log/verify"
    [ -s "$log/verify" ] && sed 's/^/  systemd-analyze: /' "$log/verify"
else
    echo "skip systemd-analyze verify (systemd-analyze not installed)"
fi
check "/etc/default/vnet is a conffile" grep -qx ' */etc/default/vnet [0-9a-f]*' <(dpkg-query -W -f='${Conffiles}\n' vnet)
check "no password shipped" sh -c '! dpkg -L vnet | grep -q "^/etc/vnet"'
check "user vnet exists" sh -c 'getent passwd vnet >/dev/null'
uid=$(id -u vnet 2>/dev/null || echo 65535)
check "user vnet is a system user (uid $uid < 1000)" test "$uid" -lt 1000
check "user vnet has no login shell" sh -c 'getent passwd vnet | grep -Eq ":/(usr/)?sbin/nologin$|:/bin/false$"'
check "group vnet exists" sh -c 'getent group vnet >/dev/null'
check "/etc/vnet is root:vnet 0750" test "$(stat -c '%U:%G %a' /etc/vnet 2>/dev/null)" = "root:vnet 750"
suid=$(dpkg -L vnet | while read -r f; do [ -f "$f" ] && { [ -u "$f" ] || [ -g "$f" ]; } && echo "$f"; done)
check "no setuid or setgid file${suid:+: $suid}" test -z "$suid"
fcaps=$(dpkg -L vnet | while read -r f; do [ -f "$f" ] && getcap "$f" 2>/dev/null; done)
check "no file capabilities (the unit grants them)${fcaps:+: $fcaps}" test -z "$fcaps"

# The daemon as the unit runs it: user vnet, group vnet, ambient and bounding
# sets CAP_NET_RAW CAP_NET_ADMIN, no new privileges; password in
# /etc/vnet/password created as postinst says. In a private network namespace.
(umask 077; head -c 24 /dev/urandom | base64 >/etc/vnet/password)
chown vnet:vnet /etc/vnet/password
run_as_unit() {
    unshare --net sh -c '
        ip link set lo up
        setpriv --reuid vnet --regid vnet --init-groups \
            --inh-caps -all,+net_raw,+net_admin,+bpf,+setpcap \
            --ambient-caps -all,+net_raw,+net_admin,+bpf,+setpcap \
            --bounding-set -all,+net_raw,+net_admin,+bpf,+setpcap --no-new-privs \
            /usr/sbin/vnet --password-file /etc/vnet/password -h 127.0.0.1 -p 4455 -d lo \
            >"$1/daemon" 2>&1 &
        pid=$!
        for _ in $(seq 50); do grep -q ready "$1/daemon" 2>/dev/null && break; sleep 0.1; done
        grep -E "^Cap(Eff|Prm|Bnd|Amb)" "/proc/$pid/status" >"$1/caps"
        vnetclient -h 127.0.0.1 -c devices <"/etc/vnet/password" >"$1/client" 2>&1
        rc=$?
        kill "$pid"; wait "$pid"
        exit $rc' sh "$log"
}
check "installed daemon serves as user vnet with CAP_NET_RAW+CAP_NET_ADMIN only" run_as_unit
check "  its effective capabilities are 0x3000" grep -q '^CapEff:[[:space:]]*0000000000003000' "$log/caps"
check "  permitted and bounding sets too (CAP_BPF and CAP_SETPCAP dropped)" \
    sh -c "grep -q '^CapPrm:[[:space:]]*0000000000003000' '$log/caps' &&
           grep -q '^CapBnd:[[:space:]]*0000000000003000' '$log/caps'"
check "  vnetclient -c devices lists lo" grep -qx 'lo' "$log/client"
check "  the shared eBPF capture runs (CAP_BPF at start only, 0x3000 after)" \
    grep -q 'capture: one socket per device, eBPF filter' "$log/daemon"
sed 's/^/  vnet: /' "$log/daemon"

# ---- dpkg -r, dpkg -P
check "dpkg -r vnet" sh -c "dpkg -r vnet >$log/dpkg-r 2>&1"
check "  binaries removed" test ! -e /usr/sbin/vnet -a ! -e /usr/bin/vnetclient
check "  unit removed" test ! -e "$unit"
for m in $man_pages; do
    check "  man page ${m#*/} removed" test ! -e "/usr/share/man/$m.gz"
done
check "  conffile kept until purge" test -f /etc/default/vnet
check "dpkg -P vnet" sh -c "dpkg -P vnet >$log/dpkg-p 2>&1"
check "  /etc/default/vnet removed" test ! -e /etc/default/vnet
check "  /etc/vnet (and the password) removed" test ! -e /etc/vnet
check "  unit no longer enabled" test ! -e /etc/systemd/system/multi-user.target.wants/vnet.service
check "  package forgotten" sh -c "! dpkg-query -W vnet >/dev/null 2>&1"
if [ $user_existed = 0 ] && getent passwd vnet >/dev/null; then
    # Debian keeps system users on purge; this test removes the one it caused.
    deluser --system --quiet vnet >/dev/null 2>&1
    getent group vnet >/dev/null && delgroup --system --quiet vnet >/dev/null 2>&1
fi

# ---- the service under a real systemd (a throwaway container of this machine)
case ${CHECK_SYSTEMD:-1} in
0)  echo "skip systemd container test (CHECK_SYSTEMD=0)" ;;
*)  FETCH_NSPAWN=1 packaging/check-systemd.sh "$deb" >"$log/systemd" 2>&1
    rc=$?
    sed 's/^/  systemd: /' "$log/systemd"
    case $rc in
    0)  ok "service under systemd: $(tail -n 1 "$log/systemd") (packaging/check-systemd.sh)" ;;
    77) echo "skip service under systemd: $(grep 'skipped' "$log/systemd" | tail -n 1)" ;;
    *)  bad "service under systemd: $(tail -n 1 "$log/systemd") (packaging/check-systemd.sh)" ;;
    esac ;;
esac

# ---- build the .rpm
rpm_file=$out/vnet-$rpm_version-1.$(uname -m).rpm
rm -f "$rpm_file"
if packaging/build-rpm.sh "$out" >"$log/build-rpm" 2>&1 && [ -f "$rpm_file" ]; then
    ok "make rpm: ${rpm_file#"$top"/}"
else
    tail -30 "$log/build-rpm"
    die "make rpm (packaging/build-rpm.sh) failed"
fi
rpm -qlvp "$rpm_file" 2>/dev/null >"$log/rpm-files"
sed 's/^/  rpm: /' "$log/rpm-files"
for f in /usr/sbin/vnet /usr/bin/vnetclient /usr/lib/systemd/system/vnet.service /etc/default/vnet; do
    check "rpm ships $f" grep -q " $f\$" "$log/rpm-files"
done
for m in $man_pages; do
    check "rpm ships ${m#*/}" grep -Eq " /usr/share/man/${m//./\\.}(\\.gz)?\$" "$log/rpm-files"
done
check "rpm ships no password" sh -c "! grep -q ' /etc/vnet/password' $log/rpm-files"
check "rpm: /etc/vnet is root:vnet 0750" grep -Eq '^drwxr-x--- .* root +vnet .* /etc/vnet$' "$log/rpm-files"
check "rpm: no setuid or setgid file" sh -c "! grep -Eq '^[-d]..[sS]|^[-d].....[sS]' $log/rpm-files"
check "rpm: /etc/default/vnet is %config(noreplace)" sh -c "rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' $rpm_file 2>/dev/null | grep -q '^cn /etc/default/vnet$'"
rpm -qp --scripts "$rpm_file" >"$log/rpm-scripts" 2>/dev/null
check "rpm %pre creates the user vnet" grep -q 'useradd -r -g vnet' "$log/rpm-scripts"
check "rpm scriptlets enable/disable the unit" sh -c "grep -q 'preset vnet.service' $log/rpm-scripts && grep -q 'disable --now vnet.service' $log/rpm-scripts"

if [ "${CHECK_RPM_INSTALL:-1}" = 1 ]; then
    user_existed=0
    getent passwd vnet >/dev/null && user_existed=1
    db=$log/rpmdb
    mkdir -p "$db"
    rpm --dbpath "$db" --initdb
    if rpm --dbpath "$db" -i --nodeps "$rpm_file" >"$log/rpm-i" 2>&1; then
        ok "rpm -i (throwaway rpm database)"
    else
        bad "rpm -i (throwaway rpm database)"; cat "$log/rpm-i"
    fi
    check "  %pre created the user vnet" sh -c 'getent passwd vnet >/dev/null'
    check "  /usr/sbin/vnet --version" sh -c "/usr/sbin/vnet --version | grep -q '^vnet $src_version'"
    check "  /etc/vnet is root:vnet 0750" test "$(stat -c '%U:%G %a' /etc/vnet 2>/dev/null)" = "root:vnet 750"
    check "rpm -e vnet" sh -c "rpm --dbpath $db -e vnet >$log/rpm-e 2>&1"
    check "  files removed" test ! -e /usr/sbin/vnet -a ! -e /usr/bin/vnetclient -a ! -e /usr/lib/systemd/system/vnet.service -a ! -e /etc/vnet
    check "  unit no longer enabled" test ! -e /etc/systemd/system/multi-user.target.wants/vnet.service
    if [ $user_existed = 0 ] && getent passwd vnet >/dev/null; then
        userdel vnet >/dev/null 2>&1
        getent group vnet >/dev/null && groupdel vnet >/dev/null 2>&1
    fi
else
    echo "skip rpm install test (CHECK_RPM_INSTALL=0)"
fi

finish
