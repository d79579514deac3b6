#!/usr/bin/env bash
# Injection in batches on a full device: a tbf qdisc with a 3000-byte limit on B's eth0 makes
# sendmmsg stop partway through a batch (ENOBUFS). Every one of 500 numbered datagrams is either
# received by h1 or counted in B's drop_inject: none is lost uncounted.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
vn_topology
vn_start_seed_daemons vmnet1
N=500 UPORT=9000
udp_handler_up
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_in gB tc qdisc add dev eth0 root tbf rate 1mbit burst 3000 limit 3000 || vn_die "tc tbf on eth0 in gB"
vn_bg h1 "$VN_PY" "$VN_PYDIR/udp_order.py" recv "$H1_IP" "$UPORT" "$N" "$VN_TMP/rx.ready" "$VN_TMP/rx.out"
vn_wait_file "$VN_TMP/rx.ready" 10 || vn_die "the receiver in h1 did not start"
PID_B=${VN_DPID[B]}
udp_stats B; D0=$(udp_field "$HID_B" drop_inject)
kill -STOP "$PID_B"
vn_in vm "$VN_PY" "$VN_PYDIR/udp_order.py" send "$H1_IP" "$UPORT" 0 "$N"
sleep 2
kill -CONT "$PID_B"
vn_wait_file "$VN_TMP/rx.out" 30 || vn_die "the receiver in h1 wrote nothing"
RX=$(awk '$1 == "received" {print $2}' "$VN_TMP/rx.out")
udp_stats B; D1=$(udp_field "$HID_B" drop_inject)
vn_log "h1 received $RX; B drop_inject $D0 -> $D1; udp_in=$(udp_field "$HID_B" udp_in); $(grep in_order "$VN_TMP/rx.out")"
vn_in gB tc -s qdisc show dev eth0 | head -3 | while read -r l; do vn_log "tc: $l"; done
vn_check "received + drop_inject = $N ($RX + $((D1 - D0)))" test $((RX + D1 - D0)) -eq "$N"
vn_finish
