#!/usr/bin/env bash
# wan.sh - vnet (datagram path and TCP path), kernel VXLAN and OpenVPN TAP over UDP
# (and over TCP) across an emulated WAN (make bench MODES=wan). Root; needs gcc,
# iperf3, openvpn, iproute2, python3.
#
# The WAN is wanem.c (built here): a relay between a TAP device "ul" in each
# gateway namespace (MTU 1500: the underlay's path MTU), with random loss, a
# drop-tail queue of one BDP, serialisation at the rate and a fixed one-way delay
# (the kernel may lack netem). Topology, rebuilt for every mode and congestion control:
#   vA eth0 198.18.0.1 -- hA [gA ul 198.19.0.1] =wanem= [gB ul 198.19.0.2] hB -- vB eth0 198.18.0.2
# Per cell: 15 idle pings (-i 0.2), then one iperf3 TCP stream vA->vB (fwd) or
# vB->vA (rev) for WAN_T s with pings (-i 0.2) from second 2. First the
# emulator is calibrated alone (ping, plain TCP, loss as set).
#
# Modes: vnet (the datagram path, as shipped), vnet-tcp (--udp off: the TCP
# link only), vxlan, openvpn-udp (TAP over UDP, no encryption), openvpn-tcp (TAP
# over TCP), vnet-off (--queue-delay 0), vnet-ref (WAN_REF's build).
# The hosts' MTU: every mode but vxlan gives the hosts 1500 and fits the WAN's
# 1500 itself: the datagram path clamps inner TCP's MSS (64 bytes of overhead
# and room for two VLAN tags and IPv6: MSS 1354), OpenVPN over UDP likewise
# (--mssfix 1500 mtu), the TCP tunnels need nothing. VXLAN cannot clamp, so its
# hosts get 1450 (50 bytes of overhead: MSS 1410). Each R line ends with the
# MSS iperf3 saw; for vnet modes, P lines after each cell hold both daemons'
# path counters from STATS? (path=, udp_out, udp_in, udp_big, drop_udp: what
# went as datagrams; cumulative since the mode started).
#
# Env: VNET VNETCLIENT (binaries), WAN_T (20), WAN_LOSSES ("0 0.5 2"),
# WAN_RATE (100 Mbit/s), WAN_OWD (25 ms one way), WAN_DIRS ("fwd rev"),
# WAN_REPEAT (2), WAN_CCS ("default cubic": the machine's default, then CUBIC
# in every namespace), WAN_MODES ("vxlan vnet vnet-tcp openvpn-udp"), WAN_VNET_FLAGS
# (vnet flags; default none: vnet as shipped), WAN_OUT (keep the raw results there),
# WAN_REF (a folder holding another build's vnet and vnetclient: mode vnet-ref, for
# before/after figures in one run).
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 1
VNET=$(realpath "${VNET:-build/vnet}")
VNETCLIENT=$(realpath "${VNETCLIENT:-build/vnetclient}")
T=${WAN_T:-20}; LOSSES=${WAN_LOSSES:-"0 0.5 2"}; RATE=${WAN_RATE:-100}; OWD=${WAN_OWD:-25}
DIRS=${WAN_DIRS:-"fwd rev"}; REPEAT=${WAN_REPEAT:-2}; CCS=${WAN_CCS:-"default cubic"}
MODES=${WAN_MODES:-"vxlan vnet vnet-tcp openvpn-udp"}
[ "$(id -u)" = 0 ] || { echo "wan: needs root (network namespaces)" >&2; exit 1; }
for c in gcc iperf3 ip python3; do
	command -v $c >/dev/null || { echo "wan: needs $c" >&2; exit 1; }
done

P="vwan$$"
W=$(mktemp -d /tmp/vnet-wan.XXXXXX)
RES="$W/results"
PIDS=()
A=198.18.0.1 B=198.18.0.2 UA=198.19.0.1 UB=198.19.0.2
MAC_A=02:00:c6:12:00:01 MAC_B=02:00:c6:12:00:02

nsx() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }
bgrun() { # NS LOGNAME CMD... : in the background, bounded to 30 min, real pid recorded
	local n=$1 lg=$2; shift 2
	ip netns exec "$P-$n" timeout -k 2 1800 "$@" >"$W/$lg.log" 2>&1 </dev/null &
	PIDS+=("$!")
}
teardown() {
	local p n
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
	PIDS=()
	EMPID=""
	for n in $(ip netns list | awk '{print $1}' | grep "^$P-"); do ip netns del "$n"; done
}
cleanup() {
	teardown
	[ -n "${WAN_OUT:-}" ] && { mkdir -p "$WAN_OUT"; cp -r "$W"/. "$WAN_OUT"/; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

gcc -O2 -Wall -o "$W/wanem" tests/bench/wanem.c || exit 1

wan_params() { # RATE OWD LOSS
	echo "$1 $2 $3" >"$W/params"
	[ -n "${EMPID:-}" ] && kill -HUP "$EMPID" && sleep 0.2
}
topology() { # CC HOST_MTU
	local n cc=$1 mtu=$2
	for n in vA gA gB vB; do
		ip netns add "$P-$n"
		ip -n "$P-$n" link set lo up
		[ "$cc" != default ] &&
			! nsx $n sysctl -qw net.ipv4.tcp_congestion_control="$cc" 2>/dev/null &&
			[ ! -e "$W/cc-inner-only" ] && touch "$W/cc-inner-only" &&
			echo "# $cc is not in net.ipv4.tcp_allowed_congestion_control: iperf3's own connection uses it (iperf3 -C), the tunnels' connections the default" >&2
	done
	ip link add eth0 netns "$P-vA" address $MAC_A type veth peer name hA netns "$P-gA"
	ip link add eth0 netns "$P-vB" address $MAC_B type veth peer name hB netns "$P-gB"
	ip -n "$P-gA" tuntap add dev ul mode tap
	ip -n "$P-gB" tuntap add dev ul mode tap
	wan_params "$RATE" "$OWD" 0
	"$W/wanem" "$P-gA" ul "$P-gB" ul "$W/params" 2>"$W/wanem.log" &
	EMPID=$!; PIDS+=("$EMPID")
	sleep 0.3
	ip -n "$P-gA" addr add $UA/24 dev ul
	ip -n "$P-gB" addr add $UB/24 dev ul
	ip -n "$P-vA" addr add $A/24 dev eth0
	ip -n "$P-vB" addr add $B/24 dev eth0
	for n in vA:eth0 gA:hA gB:hB vB:eth0; do
		ip -n "$P-${n%%:*}" link set "${n#*:}" mtu "$mtu" up
	done
	ip -n "$P-gA" link set ul up
	ip -n "$P-gB" link set ul up
	bgrun vB iperf3B iperf3 -s -B $B
	bgrun vA iperf3A iperf3 -s -B $A
}
bridge() { # NS HOSTIF DEV
	ip -n "$P-$1" link add br0 type bridge stp_state 0 forward_delay 0
	ip -n "$P-$1" link set "$2" master br0
	ip -n "$P-$1" link set "$3" master br0 up
	ip -n "$P-$1" link set br0 up
}
setup_vxlan() {
	topology "$1" 1450
	ip -n "$P-gA" link add vx0 type vxlan id 42 dstport 4789 local $UA remote $UB dev ul
	ip -n "$P-gB" link add vx0 type vxlan id 42 dstport 4789 local $UB remote $UA dev ul
	bridge gA hA vx0
	bridge gB hB vx0
}
setup_vnet() { # CC [VNET VNETCLIENT]
	local _ vnet=${2:-$VNET} client=${3:-$VNETCLIENT}
	topology "$1" 1500
	# shellcheck disable=SC2086 # flags are words
	bgrun gA vnetA "$vnet" wan-pw-not-secret ${WAN_VNET_FLAGS-} -h $UA -p 4455 -d hA
	# shellcheck disable=SC2086
	bgrun gB vnetB "$vnet" wan-pw-not-secret ${WAN_VNET_FLAGS-} -h $UB -p 4455 -d hB
	# vA's MAC lives behind gA: gB forwards frames addressed to it (local), gA those from it.
	for _ in $(seq 50); do
		nsx gB timeout 10 "$client" -p wan-pw-not-secret -o 4455 -h $UB -c handle -a 4455 \
			-b wan-pw-not-secret -d $UA -e hB -f hA -g local -j $MAC_A ff:ff:ff:ff:ff:ff \
			>"$W/vnetclient.log" 2>&1 && return 0
		sleep 0.2
	done
	echo "wan: vnetclient: $(cat "$W/vnetclient.log")" >&2
}
setup_vnet_ref() { setup_vnet "$1" "$WAN_REF/vnet" "$WAN_REF/vnetclient"; }
setup_vnet_off() { WAN_VNET_FLAGS="--queue-delay 0" setup_vnet "$1"; }
setup_vnet_tcp() { WAN_VNET_FLAGS="${WAN_VNET_FLAGS-} --udp off" setup_vnet "$1"; }
openvpn_pair() { # CC PROTO-ARGS-A -- PROTO-ARGS-B: TAP devices bridged, no encryption
	local n a=() c=(--dev tap0 --dev-type tap --verb 3 --port 1194 --cipher none --auth none)
	topology "$1" 1500
	shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	for n in gA gB; do ip -n "$P-$n" tuntap add dev tap0 mode tap; done
	bridge gA hA tap0
	bridge gB hB tap0
	bgrun gA ovpnA openvpn "${c[@]}" "${a[@]}"
	sleep 1
	bgrun gB ovpnB openvpn "${c[@]}" "$@"
}
setup_openvpn_tcp() {
	openvpn_pair "$1" --proto tcp-server --local $UA -- --proto tcp-client --remote $UA --connect-retry 1 1
}
# Over UDP its TCP MSS is clamped so that the outer packets fit the WAN's 1500 bytes.
setup_openvpn_udp() {
	openvpn_pair "$1" --proto udp --local $UA --mssfix 1500 mtu -- \
		--proto udp --remote $UA --nobind --mssfix 1500 mtu
}
# The vnet modes' path counters (STATS?, both daemons), one P line each: MODE CC LOSS DIR REP
# SIDE then the handler's path=, udp_* and drop_udp fields.
vnet_paths() {
	local s u ns
	for s in A:$UA:gA B:$UB:gB; do
		u=${s#*:}; ns=${u#*:}; u=${u%%:*}
		nsx "$ns" timeout 10 "$VNETCLIENT" -p wan-pw-not-secret -o 4455 -h "$u" -c stats 2>/dev/null |
			awk -v pre="P $* ${s%%:*}" 'NR > 2 && NF > 2 { o = pre
				for (i = 2; i <= NF; i++) if ($i ~ /^(path|udp_[a-z_]*|drop_udp)=/) o = o " " $i
				print o }'
	done
}
path_is_udp() {
	[ "$(vnet_paths x | grep -c " path=udp ")" = 2 ]
}
connected() {
	local _
	for _ in $(seq 60); do
		nsx vA ping -c1 -W1 -q $B >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	return 1
}
pingstats() { # FILE -> avg max (ms)
	awk -F'time=' '/time=/ { split($2, a, " "); v = a[1] + 0; s += v; n++; if (v > m) m = v }
		END { if (n) printf "%.1f %.1f", s / n, m; else printf "- -" }' "$1"
}
mbits() { # iperf3 JSON -> receiver Mbit/s
	python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6))' "$1" 2>/dev/null || echo -
}
mss() { # iperf3 JSON -> the inner TCP's MSS
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["start"]["tcp_mss_default"])' "$1" 2>/dev/null || echo -
}
cell() { # MODE CC LOSS DIR REP
	local f="$W/$1.$2.$3.$4.$5" r="" ip pp
	[ "$4" = rev ] && r=-R
	[ "$2" != default ] && r="$r -C $2"
	nsx vA ping -c 1 -W 3 $B >/dev/null 2>&1     # ARP and the bridges' tables first
	nsx vA ping -c 15 -i 0.2 -W 3 $B >"$f.idle" 2>&1
	nsx vA timeout $((T + 20)) iperf3 -c $B $r -t "$T" -J --connect-timeout 5000 >"$f.json" 2>&1 &
	ip=$!
	PIDS+=("$ip")
	sleep 2
	nsx vA ping -c $(((T - 3) * 5)) -i 0.2 -W 3 $B >"$f.load" 2>&1 &
	pp=$!
	PIDS+=("$pp")
	wait $ip
	wait $pp
	echo "R $1 $2 $3 $4 $5 $(mbits "$f.json") $(pingstats "$f.load") $(pingstats "$f.idle") mss=$(mss "$f.json")" | tee -a "$RES" >&2
	case $1 in vnet*) vnet_paths "$@" | tee -a "$RES" >&2 ;; esac
}
calibrate() {
	local l
	topology default 1500
	nsx gA ping -c 1 -W 2 $UB >/dev/null 2>&1    # ARP first
	nsx gA ping -c 20 -i 0.2 $UB >"$W/cal.ping" 2>&1
	echo "# calibration, ${RATE} Mbit/s ${OWD} ms one way: idle ping gA->gB avg/max $(pingstats "$W/cal.ping" | tr ' ' /) ms"
	bgrun gB iperf3cal iperf3 -s -B $UB
	sleep 0.5
	nsx gA timeout 40 iperf3 -c $UB -t 10 -J >"$W/cal.json" 2>&1
	echo "# calibration: plain TCP gA->gB (no tunnel, $(sysctl -n net.ipv4.tcp_congestion_control)), loss 0: $(mbits "$W/cal.json") Mbit/s"
	for l in $LOSSES; do
		wan_params "$RATE" "$OWD" "$l"
		echo "# calibration: loss set $l %: ping -c 1000 gA->gB lost $(nsx gA ping -c 1000 -i 0.005 -q $UB 2>&1 | sed -n 's/.* \([0-9.]*%\) packet loss.*/\1/p') (both ways: about $(awk -v l="$l" 'BEGIN { printf "%.2f", 100 * (1 - (1 - l / 100)^2) }') % expected)"
	done
	teardown
}

echo "# $(date -u +%FT%TZ) $(uname -r) cc default=$(sysctl -n net.ipv4.tcp_congestion_control) T=$T rate=$RATE Mbit/s owd=$OWD ms repeat=$REPEAT vnet flags: ${WAN_VNET_FLAGS-}"
calibrate
for cc in $CCS; do
	for m in $MODES; do
		command -v openvpn >/dev/null || [ "${m#openvpn}" = "$m" ] || { echo "wan: no openvpn: skipped" >&2; continue; }
		"setup_${m//-/_}" "$cc"
		if ! connected; then
			echo "wan: $m ($cc): no connectivity" >&2
			teardown
			continue
		fi
		# The datagram path is keyed a moment after BEGIN: measure it, not the TCP link.
		if [ "$m" = vnet ] && ! { for _ in $(seq 50); do path_is_udp && break; sleep 0.2; done; path_is_udp; }; then
			echo "wan: $m ($cc): not on the datagram path: $(vnet_paths x | tr '\n' ' ')" >&2
		fi
		for rep in $(seq "$REPEAT"); do
			for l in $LOSSES; do
				wan_params "$RATE" "$OWD" "$l"
				for d in $DIRS; do cell "$m" "$cc" "$l" "$d" "$rep"; done
			done
		done
		teardown
	done
done

# One table: per cell, each mode's range over the repeats; then vnet against the WAN targets
# (tests/bench/README).
python3 - "$RES" "$MODES" "$(sysctl -n net.ipv4.tcp_congestion_control)" "$OWD" <<'PY'
import sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] != "R":
        continue
    rows[(f[2], f[3], f[4], f[1])].append([float(x) if x != "-" else None for x in f[6:11]])
modes, default_cc = sys.argv[2].split(), sys.argv[3]
def rng(vals, fmt="%.1f"):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    lo, hi = min(vals), max(vals)
    return fmt % lo if fmt % lo == fmt % hi else (fmt % lo) + "-" + (fmt % hi)
cells = sorted({k[:3] for k in rows}, key=lambda k: (k[0] != "default", float(k[1]), k[2]))
print("\n# WAN: one TCP stream, pings during the load; per mode: Mbit/s, load ping avg / max ms, idle ping max ms (range over repeats)")
print("%-14s %-5s %-3s " % ("cc", "loss%", "dir") + " ".join("| %-34s" % m for m in modes) + " | vnet vs targets")
for c in cells:
    cc = c[0] if c[0] != "default" else "default(%s)" % default_cc
    out = "%-14s %-5s %-3s " % (cc, c[1], c[2])
    for m in modes:
        r = rows.get(c + (m,), [])
        out += "| %-34s" % ("%s, %s / %s, idle %s" % (rng([x[0] for x in r]), rng([x[1] for x in r]), rng([x[2] for x in r]), rng([x[4] for x in r])) if r else "-")
    v, x = rows.get(c + ("vnet",), []), rows.get(c + ("vxlan",), [])
    if v and x:
        def mean(l):
            l = [e for e in l if e is not None]
            return sum(l) / len(l) if l else float("nan")
        tv, tx = mean([e[0] for e in v]), mean([e[0] for e in x])
        av, ax = mean([e[1] for e in v]), mean([e[1] for e in x])
        mv, mx = max(e[2] or 0 for e in v), max(e[2] or 0 for e in x)
        iv = max(e[4] or 0 for e in v)
        ok = lambda b: "ok" if b else "MISS"
        out += "| tput %.2fx %s, avg %.2fx %s, max %.0f<=%.0f %s" % (tv / tx, ok(tv >= 0.95 * tx), av / ax, ok(av <= 1.15 * ax), mv, mx + 50, ok(mv <= mx + 50))
        if float(c[1]) > 0:
            base = 2 * float(sys.argv[4])
            out += ", idle max %.0f<=%.0f %s" % (iv, 1.5 * base, ok(iv <= 1.5 * base))
    print(out)
PY
