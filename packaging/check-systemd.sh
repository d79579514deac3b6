#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Test the .deb's systemd service under a real systemd, on a machine where
# systemd is not PID 1 (a CI container) or where the test must not touch the
# running system: boots a throwaway copy of this machine (an overlay over /,
# writes in a tmpfs) with systemd-nspawn and a private network, installs the
# .deb there with dpkg -i, and checks that
#   - without /etc/vnet/password the service does not start (condition);
#   - with VNET_DEVICES empty it fails once, with a usage error, no restarts;
#   - configured, it runs as vnet with only CAP_NET_RAW and CAP_NET_ADMIN,
#     no new privileges and a seccomp filter, under all the unit's hardening,
#     and bridges for real: a ping crosses a handler between the service and
#     a second daemon;
#   - systemctl stop stops it, and the package purges.
#
#   packaging/check-systemd.sh [DEB]    (default: build/packages/vnet_VERSION_ARCH.deb)
#
# Needs root, overlayfs, nsenter, and systemd-nspawn: from the package
# systemd-container, or, with FETCH_NSPAWN=1, taken (apt-get download, no
# installation) from the archive's systemd-container and libsystemd-shared,
# which must have the installed systemd's major version. Exits 77 (skipped)
# when systemd-nspawn is missing or the container cannot boot (before vnet is
# installed in it, so not vnet's fault). Prints "N passed, N failed" last.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
deb=${1:-$top/build/packages/vnet_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb}
machine=vnet-check-$$

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

[ "$(id -u)" = 0 ] || { echo "check-systemd: run as root" >&2; exit 1; }
[ -f "$deb" ] || { echo "check-systemd: $deb is missing: make deb" >&2; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vnet-check-systemd.XXXXXX")
nspawn=$(command -v systemd-nspawn || true)
if [ -z "$nspawn" ] && [ "${FETCH_NSPAWN:-0}" = 1 ]; then
    echo "check-systemd: fetching systemd-nspawn (apt-get download systemd-container libsystemd-shared)"
    (cd "$tmp" && apt-get download -q systemd-container libsystemd-shared >/dev/null 2>&1) &&
        for f in "$tmp"/*.deb; do dpkg-deb -x "$f" "$tmp/nspawn"; done &&
        nspawn=$tmp/nspawn/usr/bin/systemd-nspawn &&
        LD_LIBRARY_PATH=$tmp/nspawn/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/systemd &&
        export LD_LIBRARY_PATH
    "$nspawn" --version >/dev/null 2>&1 || nspawn=
fi
if [ -z "$nspawn" ]; then
    rm -rf "$tmp"
    echo "check-systemd: skipped: no systemd-nspawn (apt-get install systemd-container, or FETCH_NSPAWN=1)"
    exit 77
fi

nspawn_pid=
cleanup() {
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        kill "$nspawn_pid" 2>/dev/null
        for _ in $(seq 60); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$nspawn_pid" 2>/dev/null
    fi
    mountpoint -q "$tmp/ovl/merged" && umount "$tmp/ovl/merged"
    mountpoint -q "$tmp/ovl" && umount "$tmp/ovl"
    rmdir "/run/systemd/nspawn/propagate/$machine" /run/systemd/nspawn/propagate \
          /run/systemd/nspawn/locks /run/systemd/nspawn 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# The container's root: this machine's root file system, read-only below a
# tmpfs that takes the writes (the tmpfs also keeps the overlay's upper layer
# out of its lower one).
mkdir -p "$tmp/ovl"
mount -t tmpfs -o size=1g,mode=0755 tmpfs "$tmp/ovl" &&
    mkdir -p "$tmp/ovl/upper" "$tmp/ovl/work" "$tmp/ovl/merged" &&
    mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/ovl/upper,workdir=$tmp/ovl/work" "$tmp/ovl/merged" ||
    { echo "check-systemd: skipped: cannot mount an overlay over / (overlayfs)"; exit 77; }

"$nspawn" -q -D "$tmp/ovl/merged" --machine="$machine" --private-network --register=no --keep-unit \
    --bind-ro="$(dirname "$deb"):/vnet-packages" -b >"$tmp/console" 2>&1 </dev/null &
nspawn_pid=$!
init=
for _ in $(seq 120); do
    init=$(pgrep -P "$nspawn_pid" -x systemd | head -n 1)
    if [ -n "$init" ]; then
        state=$(nsenter -t "$init" -a systemctl is-system-running 2>/dev/null)
        case $state in running|degraded) break ;; esac
    fi
    sleep 0.5
done
if [ -z "$init" ] || ! nsenter -t "$init" -a true 2>/dev/null; then
    tail -20 "$tmp/console"
    echo "check-systemd: skipped: the container does not boot (before vnet is installed)"
    exit 77
fi
ok "container boots (systemd ${state:-?})"
ct() { nsenter -t "$init" -a "$@"; }
prop() { ct systemctl show -p "$1" --value vnet.service; }

ct sh -c 'rm -f /usr/sbin/policy-rc.d'   # images that forbid starting services
check "dpkg -i in the container" ct sh -c "dpkg -i /vnet-packages/$(basename "$deb") >/tmp/dpkg.log 2>&1"
check "vnet.service enabled" test "$(ct systemctl is-enabled vnet.service)" = enabled

# 1. No password: the condition keeps it stopped.
ct systemctl start vnet.service
check "without /etc/vnet/password: not started (ConditionResult=no)" \
    test "$(prop ConditionResult)/$(prop ActiveState)" = no/inactive

# 2. Password, but no devices: a usage error (status 2), not restarted.
ct sh -c '(umask 077; head -c 24 /dev/urandom | base64 >/etc/vnet/password); chown vnet:vnet /etc/vnet/password'
ct systemctl start vnet.service
sleep 6   # longer than RestartSec
check "VNET_DEVICES empty: failed with status 2" test "$(prop ActiveState)/$(prop ExecMainStatus)" = failed/2
check "  and not restarted" test "$(prop NRestarts)" = 0
ct journalctl -u vnet.service -n 4 --no-pager -o cat | sed 's/^/  journal: /'
ct systemctl reset-failed vnet.service

# 3. Configured: a1 for the service, b1 for a second daemon run by hand; the
# machine of network namespace nsB is bridged into network namespace nsA.
# With a vnet that has them, also a TAP device (/dev/net/tun through
# DeviceAllow=) and TLS (-s) on every connection.
help=$(ct /usr/sbin/vnet --help 2>&1)
tap='' tls=''
grep -q 'tap:NAME' <<<"$help" && tap=vtap0
grep -q '^  -s .*TLS' <<<"$help" && tls=-s
echo "  (TAP device: ${tap:-not supported by this vnet}; TLS: ${tls:-not supported by this vnet})"
# udev makes /dev/net/tun 0666 (50-udev-default.rules); a machine without
# udev may leave it 0600, which the user vnet cannot open: do as udev does.
if [ -n "$tap" ] && [ "$(ct stat -c %a /dev/net/tun 2>/dev/null)" != 666 ]; then
    echo "  (/dev/net/tun is not mode 0666 as udev makes it: chmod 0666 in the container)"
    ct chmod 0666 /dev/net/tun
fi
ct sh -ec '
    ip netns add nsA; ip netns add nsB
    ip link add a1 type veth peer name a0 netns nsA
    ip link add b1 type veth peer name b0 netns nsB
    ip link set a1 up; ip link set b1 up
    ip -n nsA addr add 198.18.0.1/24 dev a0; ip -n nsA link set a0 up
    ip -n nsB addr add 198.18.0.2/24 dev b0; ip -n nsB link set b0 up
    sed -i "s/^VNET_DEVICES=.*/VNET_DEVICES=\"$1\"/; s/^VNET_OPTIONS=.*/VNET_OPTIONS=\"$2\"/" /etc/default/vnet
    ' sh "a1${tap:+ tap:$tap}" "-v${tls:+ -s}"
ct systemctl start vnet.service
for _ in $(seq 20); do ct journalctl -u vnet.service -o cat | grep -q ready && break; sleep 0.25; done
check "configured: active" test "$(prop ActiveState)" = active
pid=$(prop MainPID)
ct cat "/proc/$pid/status" >"$tmp/status" 2>/dev/null
check "  runs as user vnet" test "$(awk '/^Uid:/ {print $2}' "$tmp/status")" = "$(ct id -u vnet)"
check "  permitted, effective and bounding capabilities: NET_RAW NET_ADMIN only" \
    test "$(grep -E '^Cap(Prm|Eff|Bnd):' "$tmp/status" | awk '{print $2}' | sort -u)" = 0000000000003000
check "  ambient capabilities: those two at most" \
    grep -Eq '^CapAmb:[[:space:]]*0000000000003000|^CapAmb:[[:space:]]*0000000000000000' "$tmp/status"
check "  no new privileges" grep -q '^NoNewPrivs:[[:space:]]*1' "$tmp/status"
check "  seccomp filter" grep -q '^Seccomp:[[:space:]]*2' "$tmp/status"
ct chrt -p "$pid" >"$tmp/sched" 2>&1
ct journalctl -u vnet.service -o cat >"$tmp/journal" 2>&1
# systemd-nspawn may keep CAP_BPF or bpf() from the container: then the
# daemon must say so and run the classic filters (checked without nspawn by
# check-packages.sh, which sees the eBPF capture run under the unit's settings).
check "  the service says which capture it runs (eBPF, or classic and why)" \
    grep -Eq 'capture: one socket per device, eBPF filter|capture: one socket and classic BPF filter per handler: .+' "$tmp/journal"
check "  scheduling policy SCHED_BATCH, with no warning about it" \
    sh -c "grep -q SCHED_BATCH '$tmp/sched' && ! grep -q SCHED_BATCH '$tmp/journal'"
check "  ExecStart as configured" \
    ct sh -c "tr '\0' ' ' </proc/$pid/cmdline | grep -q -- '--password-file /etc/vnet/password -h _ -p 4455 -v${tls:+ -s} -d a1${tap:+ tap:$tap}'"
[ -n "$tap" ] && check "  created its TAP device $tap" ct sh -c "ip link show $tap >/dev/null"
ct sh -c 'cp /etc/vnet/password /root/vnet-pw2
          /usr/sbin/vnet --password-file /root/vnet-pw2 $1 -h 127.0.0.1 -p 4456 -d b1 >/root/vnet2.log 2>&1 &
          echo $! >/root/vnet2.pid
          sleep 1' sh "$tls"
check "handler between the service and a second daemon" ct sh -c '
    pw=$(cat /etc/vnet/password)
    mac=$(ip -n nsB -br link show b0 | awk "{print \$3}")
    printf "%s\n%s\n" "$pw" "$pw" | vnetclient $1 -h ::1 -c handle -a 4456 -d 127.0.0.1 \
        -e a1 -f b1 -g local -j "$mac" ff:ff:ff:ff:ff:ff' sh "$tls"
check "  ping crosses the bridge" ct ip netns exec nsA ping -c 3 -W 2 -q 198.18.0.2
ct journalctl -u vnet.service -n 6 --no-pager -o cat | sed 's/^/  journal: /'

# 4. Stop, purge.
ct systemctl stop vnet.service
check "systemctl stop: inactive" test "$(prop ActiveState)" = inactive
[ -n "$tap" ] && check "  its TAP device $tap is gone" sh -c "! nsenter -t $init -a ip link show $tap >/dev/null 2>&1"
ct sh -c 'kill "$(cat /root/vnet2.pid)"; true'
check "dpkg -P in the container" ct sh -c 'dpkg -P vnet >/tmp/dpkg-p.log 2>&1'
check "  unit gone" test "$(ct systemctl show -p LoadState --value vnet.service)" = not-found

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
