#!/usr/bin/env bash
# A handler that shares its device with another loses nothing of a burst its usual queue cannot
# hold: while its peer daemon is stopped, the frames wait in its queue grown past its usual bound
# (a deep queue, src/capture.c), and all of them arrive once the peer goes on. Before the deep
# queue, the shared capture dropped what did not fit (STATS? drop_queue), where a lone handler's socket
# buffer kept it; then a backlog kept it, copied twice.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
# Without the queue-delay control (on by default): it would rightly drop frames that waited
# this long (STATS? drop_aqm); what is tested here is the capture's buffering.
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --queue-delay 0
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --queue-delay 0

BURST=1000      # datagrams of SIZE bytes: about 1 MB, four times a handler's queue
SIZE=1000
UDP_PORT=9999

vn_section "two handlers on gB's eth0"
vn_check "handle for vm" vn_handle_seed vmnet1 "$VM_MAC" "$BCAST"
ID=$VN_HID
vn_check "a second handler on the same devices (an address nobody has)" \
    vn_handle_seed vmnet1 02:00:00:00:99:01
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 3

# busy_stat FIELD: the field of handler $ID in gB's STATS?.
busy_stat() {
    vn_query gB "$UL_B" "$PASS_B" stats >/dev/null
    printf '%s\n' "$VN_LINES" | awk -v id="$ID" -v f="$1" '$1 == id {
        for (i = 2; i <= NF; i++) if (index($i, f "=") == 1) print substr($i, length(f) + 2) }'
}

vn_section "a burst toward vm while gA is stopped"
COUNT_FILE=$VN_TMP/received
READY=$VN_TMP/ready
vn_bg vm timeout -k 2 $((60 * VN_SLOW)) "$VN_PY" "$VN_PYDIR/receiver.py" "$VM_IP" "$UDP_PORT" \
    "$BURST" "$READY" "$COUNT_FILE"
RECEIVER=$VN_BG
vn_check "the receiver in vm is ready" vn_wait_file "$READY" $((10 * VN_SLOW))

kill -STOP "${VN_DPID[A]}"
vn_log "gA stopped (SIGSTOP)"
vn_in h1 timeout -k 2 30 "$VN_PY" "$VN_PYDIR/backlog_burst.py" "$VM_IP" "$UDP_PORT" "$BURST" "$SIZE"
vn_log "h1 sent $BURST datagrams of $SIZE bytes"
sleep 1
WAITING=$(busy_stat drop_queue)
vn_log "while gA is stopped: drop_queue=$WAITING, out_frames=$(busy_stat out_frames)"
kill -CONT "${VN_DPID[A]}"
vn_log "gA continued (SIGCONT)"

vn_check "the receiver ends" vn_wait_file "$COUNT_FILE" $((60 * VN_SLOW))
wait "$RECEIVER" 2>/dev/null
GOT=$(cat "$COUNT_FILE" 2>/dev/null || echo 0)
vn_eq "vm received every datagram of the burst" "$BURST" "$GOT"
vn_eq "gB's handler dropped nothing (drop_queue)" 0 "$(busy_stat drop_queue)"

vn_section "both daemons still serve"
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 3
vn_finish
