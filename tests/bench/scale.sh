#!/usr/bin/env bash
# scale.sh - make bench MODES=scale: one busy handler among N idle ones on the same devices.
#
# Topology in network namespaces of its own (the addresses of peers.sh):
#   vA eth0 198.18.0.1 -- hA [gA: vnet -d hA] ul 198.19.0.1 == ul 198.19.0.2 [gB: vnet -d hB] hB -- eth0 198.18.0.2 vB
# For each N (default 0 100 1000 4000): fresh daemons, N idle handlers (one MAC each, nobody's)
# made by HANDLE requests on one control connection (timed), then the busy handler (vA's MAC and
# the broadcast), then iperf3 TCP vA -> vB (Gbit/s), iperf3 UDP of 64-byte payloads (packets/s
# received), ping RTT (average, microseconds), the RSS of both daemons and their drop_queue
# (STATS?, summed over the handlers and both daemons: qdrop_tcp after the TCP run, qdrop_udp
# what the UDP run, which offers more than the link carries, added), then the time CLOSE
# requests for the N idle handlers take
# until both daemons list only the busy one (close_s). Prints a table and, with python3-matplotlib, draws
# tests/bench/scale.png (or $SCALE_PNG). Every step is bounded.
#
# Env: VNET, VNETCLIENT; SCALE_N="0 100 1000 4000"; SCALE_T=5 (seconds per iperf3 run);
# SCALE_PINGS=100; SCALE_PNG, SCALE_TABLE (where the table is also written); SCALE_PLOT_ONLY=1
# draws the plot of the table written before, measuring nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
VNET=$(realpath "${VNET:-build/vnet}")
VNETCLIENT=$(realpath "${VNETCLIENT:-build/vnetclient}")
SCALE_N=${SCALE_N:-"0 100 1000 4000"}
T=${SCALE_T:-5}
PINGS=${SCALE_PINGS:-100}
PNG=${SCALE_PNG:-tests/bench/scale.png}
TABLE=${SCALE_TABLE:-tests/bench/scale.txt}
P=vnscale$$
PW=bench-pw-not-secret
PORT=7000
W=$(mktemp -d /tmp/vnet-scale.XXXXXX)
PIDS=()

[ "$(id -u)" = 0 ] || { echo "scale: needs root (network namespaces)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "scale: needs iperf3" >&2; exit 1; }

nsx() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }

cleanup() {
	local p n
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
	for n in vA vB gA gB; do
		# Whatever still runs there (a process whose parent was killed first) goes too.
		for p in $(ip netns pids "$P-$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$P-$n" 2>/dev/null
	done
}
trap 'cleanup; rm -rf "$W"' EXIT

topology() {
	local n
	for n in vA vB gA gB; do ip netns add "$P-$n" || return 1; nsx "$n" ip link set lo up; done
	ip -n "$P-vA" link add eth0 type veth peer name hA netns "$P-gA"
	ip -n "$P-vB" link add eth0 type veth peer name hB netns "$P-gB"
	ip -n "$P-gA" link add ul type veth peer name ul netns "$P-gB"
	ip -n "$P-vA" addr add 198.18.0.1/24 dev eth0
	ip -n "$P-vB" addr add 198.18.0.2/24 dev eth0
	ip -n "$P-gA" addr add 198.19.0.1/24 dev ul
	ip -n "$P-gB" addr add 198.19.0.2/24 dev ul
	ip -n "$P-vA" link set eth0 up
	ip -n "$P-vB" link set eth0 up
	ip -n "$P-gA" link set hA up
	ip -n "$P-gB" link set hB up
	ip -n "$P-gA" link set ul up
	ip -n "$P-gB" link set ul up
}

# start_daemons: vnet in gA and gB, waiting (bounded) until both listen.
start_daemons() {
	local i
	# Not through nsx (a function: $! would be its subshell): $! is vnet's own pid.
	ip netns exec "$P-gA" "$VNET" "$PW" -h 198.19.0.1 -p $PORT -d hA >"$W/vnet-A.log" 2>&1 &
	PID_A=$!
	# shellcheck disable=SC2086 # SCALE_B_ARGS: more options for B, as words (metrics.sh)
	ip netns exec "$P-gB" "$VNET" "$PW" -h 198.19.0.2 -p $PORT -d hB ${SCALE_B_ARGS:-} \
		>"$W/vnet-B.log" 2>&1 &
	PID_B=$!
	PIDS+=("$PID_A" "$PID_B")
	for ((i = 0; i < 50; i++)); do
		[ -n "$(nsx gA ss -Hltn "sport = :$PORT")" ] && [ -n "$(nsx gB ss -Hltn "sport = :$PORT")" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# handlers N: N idle handlers then the busy one, by HANDLE requests to B; prints the seconds
# the N idle ones took.
handlers() {
	nsx gB timeout -k 2 120 python3 - "$1" "$(nsx vA cat /sys/class/net/eth0/address)" <<-'PYEOF'
	import socket, sys, time
	n, mac_a = int(sys.argv[1]), sys.argv[2]
	s = socket.create_connection(("198.19.0.2", 7000), timeout=30)
	f = s.makefile("rb")
	def req(t):
	    s.sendall(t.encode() + b"\n")
	    return f.readline().decode().strip()
	assert req("HELLO bench-pw-not-secret 1.0") == "OK 1.0"
	h = "HANDLE bench-pw-not-secret LOCAL hB REMOTE 198.19.0.1 7000 hA "
	t0 = time.monotonic()
	for i in range(n):
	    a = req(h + "02:00:%02x:%02x:%02x:01" % (i >> 16, (i >> 8) & 0xff, i & 0xff))
	    if not a.startswith("OK "):
	        sys.exit("idle handler %d: %s" % (i, a))
	took = time.monotonic() - t0
	a = req(h + mac_a + " ff:ff:ff:ff:ff:ff")
	if not a.startswith("OK "):
	    sys.exit("busy handler: " + a)
	print("%.2f" % took)
	PYEOF
}

# close_idle N: CLOSE the N idle handlers (ids 1..N on B, made first) on one control connection;
# prints the seconds they took, once both daemons list only the busy handler (bounded).
close_idle() {
	nsx gB timeout -k 2 120 python3 - "$1" <<-'PYEOF'
	import socket, sys, time
	n = int(sys.argv[1])
	def ctl(host):
	    s = socket.create_connection((host, 7000), timeout=30)
	    f = s.makefile("rb")
	    def req(t):
	        s.sendall(t.encode() + b"\n")
	        return f.readline().decode().strip()
	    assert req("HELLO bench-pw-not-secret 1.0") == "OK 1.0"
	    return req, f
	def count(host):
	    req, f = ctl(host)
	    if not req("HANDLERS?").startswith("OK"):
	        return -1
	    return int(f.readline())
	req, _ = ctl("198.19.0.2")
	t0 = time.monotonic()
	for i in range(1, n + 1):
	    a = req("CLOSE %d" % i)
	    if a != "OK closed %d" % i:
	        sys.exit("close %d: %s" % (i, a))
	while time.monotonic() - t0 < 60 and (count("198.19.0.2") != 1 or count("198.19.0.1") != 1):
	    time.sleep(0.05)
	print("%.2f" % (time.monotonic() - t0))
	PYEOF
}

# vnet_pid NS: the pid of the vnet in namespace NS (nothing if there is none).
vnet_pid() {
	local p
	for p in $(ip netns pids "$P-$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = vnet ] && echo "$p" && return
	done
}

# rss_kb NS: the RSS of the vnet in namespace NS, in KiB.
rss_kb() {
	local p
	p=$(vnet_pid "$1")
	[ -n "$p" ] && awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo -
}

# qdrops NS HOST: drop_queue summed over the handlers of the daemon in NS at HOST (frames the
# capture read for a handler whose queue was full), or "-".
qdrops() {
	nsx "$1" timeout -k 2 30 "$VNETCLIENT" -p "$PW" -o $PORT -h "$2" -c stats 2>/dev/null |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^drop_queue=/) { sub(/^drop_queue=/, "", $i); s += $i; n++ } }
		     END { if (n) print s; else print "-" }'
}

# qdrops_both: qdrops of both daemons, summed ("-" if either failed).
qdrops_both() {
	local a b
	a=$(qdrops gA 198.19.0.1) b=$(qdrops gB 198.19.0.2)
	[ "$a" = - ] || [ "$b" = - ] && { echo -; return; }
	echo $((a + b))
}

# The busy handler's figures: tcp_gbps udp64_pps rtt_us qdrop_tcp qdrop_udp ("-" for a failed
# one).
measure() {
	local tcp udp rtt srv qt qu
	ip netns exec "$P-vB" timeout -k 2 $((3 * T + 30)) iperf3 -s -p 5201 >/dev/null 2>&1 &
	srv=$!
	PIDS+=("$srv")
	sleep 0.5
	for ((i = 0; i < 20; i++)); do
		nsx vA ping -c 1 -W 0.5 -q 198.18.0.2 >/dev/null 2>&1 && break
	done
	tcp=$(nsx vA timeout -k 2 $((T + 15)) iperf3 -c 198.18.0.2 -p 5201 -t "$T" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null)
	qt=$(qdrops_both)
	udp=$(nsx vA timeout -k 2 $((T + 15)) iperf3 -c 198.18.0.2 -p 5201 -u -l 64 -b 0 -t "$T" -J 2>/dev/null |
		python3 -c '
import json, sys
e = json.load(sys.stdin)["end"]["sum"]
print("%.0f" % ((e["packets"] - e["lost_packets"]) / e["seconds"]))' 2>/dev/null)
	rtt=$(nsx vA timeout -k 2 30 ping -c "$PINGS" -i 0.01 -q 198.18.0.2 2>/dev/null |
		awk -F/ '/^rtt|^round-trip/ {printf "%.0f", $5 * 1000}')
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	qu=$(qdrops_both)
	[ "$qt" != - ] && [ "$qu" != - ] && qu=$((qu - qt))
	echo "${tcp:--} ${udp:--} ${rtt:--} $qt $qu"
}

# tests/bench/metrics.sh sources this file (SCALE_LIB=1) for its topology and helpers: no more.
[ "${SCALE_LIB:-0}" = 1 ] && return 0

[ "${SCALE_PLOT_ONLY:-0}" = 1 ] && SCALE_N="" ||
printf '%-6s %10s %9s %10s %8s %11s %11s %9s %9s %8s\n' N create_s tcp_gbps udp64_pps rtt_us \
	rss_A_kB rss_B_kB qdrop_tcp qdrop_udp close_s |
	tee "$TABLE"
for count in $SCALE_N; do
	cleanup
	if ! topology || ! start_daemons; then
		echo "scale: N=$count: topology or daemons failed (logs in $W)" >&2
		continue
	fi
	created=$(handlers "$count") || { echo "scale: N=$count: handlers failed" >&2; created=-; }
	read -r tcp udp rtt qd_t qd_u <<<"$(measure)"
	rss_a=$(rss_kb gA) rss_b=$(rss_kb gB)
	closed=$(close_idle "$count") || { echo "scale: N=$count: closing failed" >&2; closed=-; }
	printf '%-6s %10s %9s %10s %8s %11s %11s %9s %9s %8s\n' "$count" "$created" "$tcp" "$udp" \
		"$rtt" "$rss_a" "$rss_b" "$qd_t" "$qd_u" "$closed" | tee -a "$TABLE"
done
cleanup

# Debian's python3 (python3-matplotlib), not another one first on PATH.
PLOT_PY=${PLOT_PY:-/usr/bin/python3}
if "$PLOT_PY" -c 'import matplotlib' 2>/dev/null; then
	"$PLOT_PY" - "$TABLE" "$PNG" <<-'PYEOF'
	import sys
	import matplotlib
	matplotlib.use("Agg")
	import matplotlib.pyplot as plt
	rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
	rows = [r for r in rows if r[2] != "-" and r[3] != "-"]
	n = [max(int(r[0]), 1) for r in rows]     # log scale: N = 0 drawn at 1
	fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
	ax.plot(n, [float(r[2]) for r in rows], "o-", color="tab:blue", label="TCP Gbit/s")
	ax.set_xscale("log")
	ax.set_xlabel("idle handlers on the same devices (N; 0 drawn at 1)")
	ax.set_ylabel("TCP Gbit/s", color="tab:blue")
	ax.set_ylim(bottom=0)
	ax2 = ax.twinx()
	ax2.plot(n, [float(r[3]) / 1000 for r in rows], "s--", color="tab:red", label="UDP 64 B kpkt/s")
	ax2.set_ylabel("UDP 64-byte kpackets/s", color="tab:red")
	ax2.set_ylim(bottom=0)
	ax.set_title("vnet: one busy handler among N idle ones")
	fig.tight_layout()
	fig.savefig(sys.argv[2])
	PYEOF
	echo "# plot: $PNG"
else
	echo "# no plot: python3-matplotlib is not installed (apt-get install python3-matplotlib)"
fi
echo "# table: $TABLE"
