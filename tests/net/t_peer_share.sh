#!/usr/bin/env bash
# Stalled handlers and an honest one toward the same peer address: N handlers on gB's eth0 whose
# peer (a fake daemon in gB, address UL_B) never reads, and one more link from that same address
# that reads. h1 sends broadcasts, which every handler wants. The stalled handlers fill what the
# peer may hold in queued bytes (peer.h) and count what they lose in drop_queue; the honest
# handler, under its share of that, still forwards nearly every frame and counts each one it
# does not. Then M more links from that address leave a message unfinished each, which pins
# what the peer may keep for reading: an idle link of that address still reads what it sends.
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
M=160
FILL=600
BURST=3000

vn_section "$N stalled handlers and an honest one, from one peer address"
vn_bg gB timeout -k 2 130 "$VN_PY" "$PY" peer "$UL_B" "$PORT" "$PASS_B" "$N" \
    "$VN_TMP/ready" "$VN_TMP/stop" "$VN_TMP/count" "$VN_TMP/partial" "$M"
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
vn_py_checks gB peer_share.py check "$UL_B" "$PASS_B" "$HONEST_PORT" $((FILL + BURST)) \
    "$VN_TMP/count-fill,$VN_TMP/count-burst" "$N"

vn_section "$M links of that address leave a message unfinished; an idle one sends 5 frames"
touch "$VN_TMP/partial"
vn_check "the fake peer sent them" vn_wait_file "$VN_TMP/partial.sent" $((30 * VN_SLOW))
IDLE_PORT=$(cat "$VN_TMP/partial.sent" 2>/dev/null)
vn_check "B has $N + $M + 2 handlers" vn_wait_handlers B $((N + M + 2)) 10
# Read, they are refused (their addresses are not the handler's) and counted in drop_unlisted.
unlisted() { vn_in gB env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$PY" unlisted "$UL_B" "$PASS_B" "$@"; }
read5() { unlisted "$IDLE_PORT" 5 >/dev/null; }
vn_check "the idle link's 5 frames were read" vn_wait_until -i 0.5 10 read5
unlisted "$IDLE_PORT" 5
touch "$VN_TMP/stop"
vn_check "the fake peer ends" vn_wait_until 10 vn_gone "$PEER"
vn_finish
