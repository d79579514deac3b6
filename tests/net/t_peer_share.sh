#!/usr/bin/env bash
# Stalled handlers and an honest one toward the same peer address: N handlers on gB's eth0 whose
# peer (a fake daemon in gB, address UL_B) never reads, and one more link from that same address
# that reads. h1 sends broadcasts, which every handler wants. The stalled handlers fill what the
# peer may hold in queued bytes (peer.h) and count what they lose in drop_queue; the honest
# handler, under its share of that, still forwards nearly every frame and counts each one it
# does not.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
PY=$VN_LIB_DIR/py/peer_share.py
# Small send buffers in gB: a stalled link's socket is full with 64 KiB, so a short burst fills
# the queues behind it.
vn_in gB sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536" || vn_die "tcp_wmem in gB"
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --queue-delay 0

N=${VN_SHARE_N:-70}
FILL=600
BURST=3000

vn_section "$N stalled handlers and an honest one, from one peer address"
vn_bg gB timeout -k 2 130 "$VN_PY" "$PY" peer "$UL_B" "$PORT" "$PASS_B" "$N" \
    "$VN_TMP/ready" "$VN_TMP/stop" "$VN_TMP/count"
PEER=$VN_BG
vn_check "the fake peer made its $N + 1 handlers" vn_wait_file "$VN_TMP/ready" $((30 * VN_SLOW))
read -r _ BAD HONEST_PORT <"$VN_TMP/ready"
vn_eq "every BEGIN was answered OK" 0 "$BAD"
vn_check "B has $N + 1 handlers" vn_wait_handlers B $((N + 1)) 10

# burst COUNT TAG: COUNT broadcasts from h1; the honest link's count of them in $VN_TMP/count-TAG.
burst() {
    vn_in h1 timeout -k 2 60 "$VN_PY" "$PY" send eth0 "$H1_MAC" "$1" "$2"
    vn_check "the honest link got the end of burst $2" vn_wait_file "$VN_TMP/count-$2" \
        $((20 * VN_SLOW))
    vn_log "the honest link received $(cat "$VN_TMP/count-$2" 2>/dev/null ||
        cat "$VN_TMP/count-$2.now" 2>/dev/null) of $1 (burst $2)"
}
vn_section "$FILL broadcasts from h1 fill the stalled queues, then $BURST more"
burst "$FILL" fill
burst "$BURST" burst
vn_py_checks gB check "$UL_B" "$PASS_B" "$HONEST_PORT" $((FILL + BURST)) \
    "$VN_TMP/count-fill,$VN_TMP/count-burst" "$N" <"$PY"
touch "$VN_TMP/stop"
vn_check "the fake peer ends" vn_wait_until 10 vn_gone "$PEER"
vn_finish
