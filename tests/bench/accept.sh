#!/usr/bin/env bash
# accept.sh - make bench MODES=accept: how many idle connections a second one daemon takes.
#
# Topology in network namespaces of its own:
#   atk eth0 198.18.0.101-108/24, fd00:18:0:N::2 (N = 0..ff)  <->  va 198.18.0.1, fd00:18::1  srv (vnet -d va)
# For each flood (8 addresses of one /24, where the per-/24 share makes room; all 256 /64s of one
# /56, where the table of 256 not logged in does) and 1, then 2 flooders (tests/net/flood.py,
# unpaced, 400 open each): connections made a second, the SYNs and handshakes the kernel dropped
# for a full accept queue (TcpExtListenOverflows in srv: a SYN sent again is counted again), the
# connections it queued for the daemon a second (TcpPassiveOpens), and the daemon's CPU. Past what it takes, the kernel drops every new SYN, a client's too (vnet-security(7)).
# Flooders and daemon share the machine: on 2 CPUs, 2 flooders leave the daemon less than one.
#
# Env: VNET (build/vnet); ACCEPT_T=5 (seconds a flood).
set -u
cd "$(dirname "$0")/../.." || exit 1
VNET=$(realpath "${VNET:-build/vnet}")
T=${ACCEPT_T:-5}
P=vnacc$$
PORT=7000
W=$(mktemp -d /tmp/vnet-accept.XXXXXX)
PIDS=()

[ "$(id -u)" = 0 ] || { echo "accept: needs root (network namespaces)" >&2; exit 1; }

nsx() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }

cleanup() {
	local p n
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in srv atk; do
		for p in $(ip netns pids "$P-$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$P-$n" 2>/dev/null
	done
}
trap 'cleanup; rm -rf "$W"' EXIT

topology() {
	local a
	for a in srv atk; do ip netns add "$P-$a" || return 1; nsx "$a" ip link set lo up; done
	ip -n "$P-srv" link add va type veth peer name eth0 netns "$P-atk" || return 1
	nsx srv sysctl -qw net.ipv6.conf.va.disable_ipv6=0
	nsx atk sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
	ip -n "$P-srv" addr add 198.18.0.1/24 dev va
	ip -n "$P-srv" addr add fd00:18::1/64 dev va nodad
	for a in $(seq 101 108); do echo "addr add 198.18.0.$a/24 dev eth0"; done | ip -n "$P-atk" -batch -
	for a in $(seq 0 255); do printf 'addr add fd00:18:0:%x::2/64 dev eth0 nodad\n' "$a"; done |
		ip -n "$P-atk" -batch -
	ip -n "$P-srv" link set va up
	ip -n "$P-atk" link set eth0 up
	ip -n "$P-srv" -6 route add fd00:18::/56 dev va || return 1
	nsx atk ping -c 1 -W 2 -q 198.18.0.1 >/dev/null || return 1
	for ((a = 0; a < 30; a++)); do
		nsx atk ping -6 -c 1 -W 1 -q -I fd00:18:0:ff::2 fd00:18::1 >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# counter NAME: srv's kernel counter NAME (nstat).
counter() {
	nsx srv nstat -asz "$1" 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# flood LABEL DST SOURCES N: N unpaced flooders for T seconds; prints one row.
flood() {
	local label=$1 dst=$2 srcs=$3 n=$4 i o0 o1 p0 p1 c0 c1 made=0 pids=() m hz
	hz=$(getconf CLK_TCK)
	o0=$(counter TcpExtListenOverflows)
	p0=$(counter TcpPassiveOpens)
	c0=$(ticks "$DPID")
	for ((i = 0; i < n; i++)); do
		rm -f "$W/ready.$i" "$W/out.$i"
		nsx atk timeout -k 2 $((T + 10)) python3 tests/net/flood.py "$dst" $PORT "$srcs" "$T" 400 0 0 \
			"$W/ready.$i" "$W/out.$i" &
		pids+=($!)
		PIDS+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" 2>/dev/null; done
	sleep 0.5
	o1=$(counter TcpExtListenOverflows)
	p1=$(counter TcpPassiveOpens)
	c1=$(ticks "$DPID")
	for ((i = 0; i < n; i++)); do
		m=$(awk '$1 == "made" {print $2}' "$W/out.$i" 2>/dev/null)
		made=$((made + ${m:-0}))
	done
	printf '%-30s %8d %11d %10d %12d %10d\n' "$label" "$n" $((made / T)) $((o1 - o0)) \
		$(((p1 - p0) / T)) $(((c1 - c0) * 100 / hz / T))
}

topology || { echo "accept: cannot build the namespaces" >&2; exit 1; }
ip netns exec "$P-srv" "$VNET" bench-pw-not-secret -h _ -p $PORT -d va >"$W/vnet.log" 2>&1 &
DPID=$!
PIDS+=("$DPID")
for ((i = 0; i < 50; i++)); do
	[ -n "$(nsx srv ss -Hltn "sport = :$PORT")" ] && break
	sleep 0.1
done
[ -n "$(nsx srv ss -Hltn "sport = :$PORT")" ] || { echo "accept: vnet did not start" >&2; cat "$W/vnet.log" >&2; exit 1; }

V4=$(printf '198.18.0.%d,' $(seq 101 108))
V6=$(printf 'fd00:18:0:%x::2,' $(seq 0 255))
echo "# make bench MODES=accept: $VNET, $T s a flood, $(nproc) CPUs, $(date -u +%F)"
printf '%-30s %8s %11s %10s %12s %10s\n' flood flooders made_per_s dropped taken_per_s vnet_cpu%
for n in 1 2; do
	flood "8 addresses of 198.18.0.0/24" 198.18.0.1 "$V4" "$n"
	flood "256 /64s of fd00:18::/56" fd00:18::1 "$V6" "$n"
done
kill -0 "$DPID" 2>/dev/null || { echo "accept: vnet died" >&2; cat "$W/vnet.log" >&2; exit 1; }
