#!/usr/bin/env bash
# metrics.sh - what a scrape of vnet --metrics costs with many handlers, and what it does to the
# frames crossing meanwhile. Not a test: figures for tests/bench/README ("Metrics scrapes").
#
# The topology, daemons and handlers of scale.sh (sourced): daemon B runs with --metrics 9464;
# N idle handlers (default 4000) and one busy one, vA <-> vB through both daemons. Then:
#   - METRICS_SCRAPES scrapes one after the other (curl in gB): the body's size and lines, the
#     time of each (min, median, max);
#   - ping vA -> vB, METRICS_PINGS pings 10 ms apart, first with no scrape, then while a loop
#     scrapes B back to back (bounded: METRICS_SCRAPES_MAX scrapes or the pings' end): average
#     and maximum RTT, and the scrapes done meanwhile;
#   - B's CPU time for the scrapes (utime+stime from /proc, in clock ticks).
# Env: VNET, VNETCLIENT; METRICS_N=4000; METRICS_SCRAPES=10; METRICS_PINGS=500;
# METRICS_SCRAPES_MAX=200; METRICS_B_ARGS (more options for B: -v adds the copy times).
SCALE_LIB=1
# shellcheck source=tests/bench/scale.sh
. "$(dirname "$0")/scale.sh"
N=${METRICS_N:-4000}
SCRAPES=${METRICS_SCRAPES:-10}
NPINGS=${METRICS_PINGS:-500}
SCRAPES_MAX=${METRICS_SCRAPES_MAX:-200}
URL=http://127.0.0.1:9464/metrics
command -v curl >/dev/null || { echo "metrics: needs curl" >&2; exit 1; }

# ping_stats: "avg_us max_us received" of NPINGS pings vA -> vB, 10 ms apart.
ping_stats() {
	nsx vA timeout -k 2 $((NPINGS / 50 + 30)) ping -c "$NPINGS" -i 0.01 -q 198.18.0.2 2>/dev/null |
		awk -F'[/ ]' '/ received/ { for (i = 1; i <= NF; i++) if ($i == "received,") r = $(i - 1) }
			/^rtt|^round-trip/ { printf "%.0f %.0f %s\n", $8 * 1000, $10 * 1000, r }'
}

# cpu_ticks NS: utime+stime of the vnet in NS (scale.sh's vnet_pid).
cpu_ticks() {
	local p
	p=$(vnet_pid "$1")
	[ -n "$p" ] && awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0
}

cleanup
topology && SCALE_B_ARGS="--metrics 9464 ${METRICS_B_ARGS:-}" start_daemons ||
	{ echo "metrics: topology or daemons failed (logs in $W)" >&2; exit 1; }
created=$(handlers "$N") || { echo "metrics: handlers failed" >&2; exit 1; }
for ((i = 0; i < 20; i++)); do
	nsx vA ping -c 1 -W 0.5 -q 198.18.0.2 >/dev/null 2>&1 && break
done
echo "# $N idle handlers and a busy one, made in ${created}s"

t0=$(cpu_ticks gB)
times=()
for ((i = 0; i < SCRAPES; i++)); do
	times+=("$(nsx gB curl -s -m 30 -o "$W/body" -w '%{time_total}' "$URL")")
done
t1=$(cpu_ticks gB)
echo "# body: $(wc -c <"$W/body") bytes, $(wc -l <"$W/body") lines," \
	"$(grep -c '^vnet_handler_up{' "$W/body") handlers"
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$SCRAPES" -v ticks=$((t1 - t0)) \
	'{ t[NR] = $1 } END { printf "scrape_s: min %.3f median %.3f max %.3f (%d scrapes); B cpu %.3f s a scrape\n",
		t[1], t[int((NR + 1) / 2)], t[NR], n, ticks / 100 / n }'

read -r avg0 max0 rx0 <<<"$(ping_stats)"
echo "ping vA -> vB, no scrape:        avg ${avg0}us max ${max0}us, $rx0/$NPINGS replies"
# The scrape loop, bounded by count; it stops when the pings are done.
(
	for ((i = 0; i < SCRAPES_MAX; i++)); do
		[ -e "$W/pings.done" ] && break
		nsx gB curl -s -m 30 -o /dev/null "$URL" && echo >>"$W/scrapes"
	done
) &
loop=$!
PIDS+=("$loop")
sleep 0.2
read -r avg1 max1 rx1 <<<"$(ping_stats)"
touch "$W/pings.done"
wait "$loop" 2>/dev/null
echo "ping vA -> vB, scraping B in a loop: avg ${avg1}us max ${max1}us, $rx1/$NPINGS replies," \
	"$(wc -l <"$W/scrapes" 2>/dev/null || echo 0) scrapes meanwhile"
cleanup
# With METRICS_B_ARGS=-v, B logs how long each scrape's copy of the counters took (in one go,
# in the loop: the one part of a scrape that is not cut into chunks).
sed -n 's/.*counters of \([0-9]*\) handlers copied in \([0-9]*\) us.*/\2/p' "$W/vnet-B.log" |
	sort -n | awk 'NF { t[++n] = $1 } END { if (n) printf "copy_us: min %d median %d max %d (%d scrapes)\n",
		t[1], t[int((n + 1) / 2)], t[n], n }'
