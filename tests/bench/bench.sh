#!/usr/bin/env bash
# bench.sh - measure vnet against its peers in one run, in network namespaces.
#
# Uses the project's peers.sh (the team's shared benchmark: direct veth,
# kernel VXLAN, OpenVPN TAP over TCP in clear and with TLS, tinc switch mode)
# and adds vnet and vnet -s, each over its datagram path and with --udp off
# (vnet-tcp, vnet-tcp-tls: the TCP link only), as rows of the same run, same topology:
#   vA 198.18.0.1 -- gA == underlay 198.19.0.0/24 == gB -- vB 198.18.0.2
# Prints peers.sh's rows, then a table of ratios. Not part of make check.
# peers.sh says on stderr, for each mode, how many UDP datagrams and TCP segments
# gA received on the underlay during the first TCP run: which path vnet took.
#
# Usage: tests/bench/bench.sh [MODE...]   (default: the modes below; "scale": scale.sh)
# MODE wan runs tests/bench/wan.sh: vnet (both paths), VXLAN and OpenVPN over UDP across an
# emulated WAN (its own emulator, tests/bench/wanem.c; see wan.sh for its knobs).
# MODE accept runs tests/bench/accept.sh: idle connections a second the daemon takes
# under a connection flood, and what the kernel drops past that.
# Env: VNET, VNETCLIENT (binaries), PEERS (path of peers.sh), and peers.sh's
# knobs (PB_TCP_T, PB_UDP_T, PB_PINGS).
set -u
cd "$(dirname "$0")/../.." || exit 1
VNET=$(realpath "${VNET:-build/vnet}")
VNETCLIENT=$(realpath "${VNETCLIENT:-build/vnetclient}")
export VNET VNETCLIENT
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

modes=()
scale=0
wan=0
accept=0
for m in "$@"; do
	case $m in
	scale) scale=1 ;;
	wan) wan=1 ;;
	accept) accept=1 ;;
	*) modes+=("$m") ;;
	esac
done
[ ${#modes[@]} -gt 0 ] || [ $scale = 1 ] || [ $wan = 1 ] || [ $accept = 1 ] ||
	modes=(direct vxlan openvpn-tcp-plain openvpn-tcp-tls tinc vnet vnet-tcp vnet-tls vnet-tcp-tls)

# MODES=accept: idle connections a second one daemon takes under a flood (accept.sh).
if [ $accept = 1 ]; then
	bash tests/bench/accept.sh
	[ ${#modes[@]} -gt 0 ] || [ $scale = 1 ] || [ $wan = 1 ] || exit 0
fi

# MODES=scale: one busy handler among N idle ones (scale.sh), its plot drawn with matplotlib.
if [ $scale = 1 ]; then
	/usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
		apt-get install -y -q python3-matplotlib >/dev/null 2>&1 ||
		echo "bench: could not install python3-matplotlib: no plot" >&2
	bash tests/bench/scale.sh
	[ ${#modes[@]} -gt 0 ] || [ $wan = 1 ] || exit 0
fi

PEERS=${PEERS:-}
for p in "$PEERS" ../shared/bench/peers.sh tests/bench/peers.sh; do
	[ -n "$p" ] && [ -f "$p" ] && { PEERS=$p; break; }
done
# MODES=wan: across an emulated WAN (wan.sh); peers.sh only installs OpenVPN for it.
if [ $wan = 1 ]; then
	{ [ -f "$PEERS" ] && bash "$PEERS" install >/dev/null 2>&1; } ||
		echo "bench: could not install the peers' packages (OpenVPN)" >&2
	bash tests/bench/wan.sh
	[ ${#modes[@]} -gt 0 ] || exit 0
fi
if [ ! -f "$PEERS" ]; then
	echo "bench: peers.sh not found (set PEERS=/path/to/peers.sh)" >&2
	exit 1
fi

out=$(mktemp /tmp/vnet-bench.XXXXXX)
deliv=$(mktemp /tmp/vnet-bench.XXXXXX)
trap 'rm -f "$out" "$deliv" "$out.one"' EXIT
bash "$PEERS" install >/dev/null 2>&1 || echo "bench: could not install the peers' packages" >&2

udp_in() { # NS: UDP datagrams that reached NS's UDP layer, read by a socket or dropped there
	ip netns exec "$1" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $2 + $4; exit }' /proc/net/snmp 2>/dev/null
}
# PEERS_PID: the 64-byte datagrams a second that reached vB's UDP layer while
# peers.sh's iperf3 -u ran, whether iperf3 then had the CPU to read them or
# not (its socket's drops: InErrors), over the phase's middle; "-" if unseen.
udp_delivered() {
	local ns="pb$1-vB" t0=$SECONDS win=$(( ${PB_UDP_T:-5} > 3 ? ${PB_UDP_T:-5} - 2 : 1 )) c1 c2 s1 s2
	until pgrep -f -- "-u -l 64 -b 0" >/dev/null; do
		kill -0 "$1" 2>/dev/null && (( SECONDS - t0 < 1800 )) || { echo -; return; }
		sleep 0.2
	done
	sleep 1
	c1=$(udp_in "$ns") s1=$(date +%s%N)
	sleep "$win"
	c2=$(udp_in "$ns") s2=$(date +%s%N)
	if [ -n "$c1" ] && [ -n "$c2" ] && pgrep -f -- "-u -l 64 -b 0" >/dev/null; then
		echo $(( (c2 - c1) * 1000000000 / (s2 - s1) ))
	else
		echo -
	fi
}

# One peers.sh run a mode, so that its namespaces (pb<pid>-*) are known while it runs.
first=1
for m in "${modes[@]}"; do
	PB_PLUGIN=$(realpath tests/bench/modes.sh) PB_EXTRA_MODES="vnet vnet-tls vnet-tcp vnet-tcp-tls vnet-sched-normal vnet-qd0" \
		bash "$PEERS" "$m" >"$out.one" &
	pid=$!
	echo "$m $(udp_delivered $pid)" >>"$deliv"
	wait "$pid"
	if [ $first = 1 ]; then cat "$out.one"; else grep -v '^#' "$out.one"; fi | tee -a "$out"
	first=0
done

echo
echo "# vnet against its peers, measured in this run (higher is better, but for rtt)"
# A mode named more than once (alternating runs) is compared, its k-th run, with
# the k-th run of vxlan, its OpenVPN peer and its TCP path (or their last).
awk '
	BEGIN { n = 0 }
	FILENAME == ARGV[1] { dl[$1, ++nd[$1]] = $2; next }
	/^#/ { next }
	{
		k = ++cnt[$1]; r[n] = $1; rk[n++] = k
		tcp[$1, k] = ($3 + 0 > $2 + 0) ? $3 : $2; rtt[$1, k] = $4; udp[$1, k] = $6
	}
	function at(m, k) { return ((m, k) in tcp) ? k : cnt[m] }
	function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2fx", a / b) : "-" }
	END {
		printf "%-18s %9s %9s %10s %10s  %-24s %-12s %-12s %-12s %-12s %s\n", "mode", "tcp_gbps", "rtt_us", "udp64_pps",
			"delivered", "tcp vs openvpn-tcp", "tcp vs vxlan", "rtt vs vxlan", "pps vs vxlan", "dlv vs vxlan",
			"datagram path vs TCP path (tcp rtt pps)"
		for (i = 0; i < n; i++) {
			m = r[i]; k = rk[i]
			peer = (m ~ /tls/) ? "openvpn-tcp-tls" : "openvpn-tcp-plain"
			tp = (m == "vnet") ? "vnet-tcp" : (m == "vnet-tls") ? "vnet-tcp-tls" : ""
			x = at("vxlan", k); o = at(peer, k); t = at(tp, k)
			d = ((m, k) in dl) ? dl[m, k] : "-"
			printf "%-18s %9s %9s %10s %10s  %-24s %-12s %-12s %-12s %-12s %s\n", m, tcp[m, k], rtt[m, k],
				udp[m, k], d, ratio(tcp[m, k], tcp[peer, o]) " (" peer ")", ratio(tcp[m, k], tcp["vxlan", x]),
				ratio(rtt[m, k], rtt["vxlan", x]), ratio(udp[m, k], udp["vxlan", x]),
				ratio(d, dl["vxlan", x]),
				(tp != "" && cnt[tp]) ? ratio(tcp[m, k], tcp[tp, t]) " " ratio(rtt[m, k], rtt[tp, t]) " " \
					ratio(udp[m, k], udp[tp, t]) : ""
		}
	}' "$deliv" "$out"
