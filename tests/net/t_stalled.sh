#!/usr/bin/env bash
# Stalled handlers beside an honest one: N handlers on gB's eth0 whose peer (a fake daemon in gB)
# never reads, and one honest handler to daemon A on the same device. h1 sends a burst of
# broadcasts, which every handler wants. The honest handler forwards them, or counts in STATS? each
# one it did not; the stalled ones count what they lost (drop_queue, or drop_device for the
# frames the device's capture socket lost); the daemon's memory stays within what its bounds on
# queued bytes (per peer, per device) allow, not N times a handler's queue. Then the fake peer
# leaves a message unfinished on each link: what the daemon keeps for it is bounded per peer too.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
# No queue-delay control: its drops (drop_aqm, by design) are not what this test is about.
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --queue-delay 0
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --queue-delay 0

N=${VN_STALLED_N:-600}
FILL=12000
BURST=20000

vn_section "one honest handler, $N stalled ones, all wanting broadcasts on gB's eth0"
vn_check "honest handler for vm" vn_handle_seed vmnet1 "$VM_MAC" "$BCAST"
HONEST=$VN_HID
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 3

# The fake peer: N connections to B from gB (address UL_B, so another peer than A), each a BEGIN
# for the broadcast address; then it never reads, and only writes a keepalive every second so
# that B does not end the links for silence. It stops at the stop file, or after 150 s.
vn_bg gB timeout -k 2 160 "$VN_PY" "$VN_PYDIR/stallpeer.py" "$UL_B" "$PORT" "$PASS_B" "$N" \
    "$VN_TMP/peer-ready" "$VN_TMP/peer-stop" "$VN_TMP/peer-partial"
vn_check "the fake peer made its $N handlers" vn_wait_file "$VN_TMP/peer-ready" $((90 * VN_SLOW))
vn_log "fake peer: $(cat "$VN_TMP/peer-ready" 2>/dev/null)"
vn_check "B has 1 + $N handlers" vn_wait_handlers B $((N + 1)) 10

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
RSS0=$(rss_kb "${VN_DPID[B]}")
vn_log "daemon B: RSS $RSS0 KiB before the burst"

vn_section "bursts of $FILL, then $BURST broadcasts from h1"
# burst COUNT TAG: send COUNT broadcasts from h1, counted as they arrive in vm.
burst() {
    vn_bg vm timeout -k 2 70 "$VN_PY" "$VN_PYDIR/burst.py" count eth0 "$VN_TMP/ready-$2" \
        "$VN_TMP/stop-$2" "$VN_TMP/count-$2"
    vn_check "the counter in vm is ready" vn_wait_file "$VN_TMP/ready-$2" $((10 * VN_SLOW))
    vn_in h1 timeout -k 2 120 "$VN_PY" "$VN_PYDIR/burst.py" send eth0 "$H1_MAC" "$1"
    vn_check "the counter in vm ends" vn_wait_file "$VN_TMP/count-$2" $((70 * VN_SLOW))
    vn_log "h1 sent $1 broadcasts, vm received $(cat "$VN_TMP/count-$2" 2>/dev/null)"
}
# The first fills the stalled links' socket buffers (the kernel takes about 2 MB each before a
# send fails): each frame is still copied to each of them meanwhile. The second meets N handlers
# that are stalled through and through.
burst "$FILL" fill
burst "$BURST" burst
RSS1=$(rss_kb "${VN_DPID[B]}")
vn_log "daemon B: RSS $RSS1 KiB after the bursts"

vn_py_checks gB stalled_counts.py "$HONEST" "$N" $((FILL + BURST))

# The bound: the fake peer's queues (per peer, 16 MiB) and the device's deep queues (8 MiB), the
# honest handler's queue (at most its usual 256 KiB and 4 MiB deep) and allocation slack. Without
# a per-peer bound each stalled handler kept its full 256 KiB queue.
GREW=$(( (RSS1 - RSS0) / 1024 ))
if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "$VNET_WRAP" ]; then
    vn_log "daemon B: grew by $GREW MiB (not checked under a sanitizer or valgrind)"
else
    vn_check "daemon B grew by $GREW MiB with $N stalled handlers, less than 48 MiB" \
        test "$GREW" -lt 48
fi

vn_section "the fake peer leaves a message unfinished on each of its links"
# Each link's receive queue keeps what came of the message until the rest comes: 64,000 bytes
# held, more allocated. The peer's links together keep at most 16 MiB (then they wait).
touch "$VN_TMP/peer-partial"
vn_check "the fake peer sent its unfinished messages" vn_wait_file "$VN_TMP/peer-partial.sent" 60
sleep 2
RSS2=$(rss_kb "${VN_DPID[B]}")
GREW=$(( (RSS2 - RSS1) / 1024 ))
vn_log "daemon B: RSS $RSS2 KiB"
if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "$VNET_WRAP" ]; then
    vn_log "daemon B: grew by $GREW MiB (not checked under a sanitizer or valgrind)"
else
    vn_check "daemon B grew by $GREW MiB with $N unfinished messages, less than 20 MiB" \
        test "$GREW" -lt 20
fi
vn_check "B still has 1 + $N handlers" vn_wait_handlers B $((N + 1)) 10
touch "$VN_TMP/peer-stop"

vn_section "B still serves"
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 3
vn_finish
