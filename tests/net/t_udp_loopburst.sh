#!/usr/bin/env bash
# The loop guard against a burst on the datagram path: 40 identical frames reach daemon B in one
# wake-up (B is stopped while the VM sends them, then resumed), to be injected in batches. As for
# frames one at a time, the guard lets 8 copies through (LOOPGUARD_REPEATS) and counts the other
# 32 in drop_loop: copies waiting in one injection batch count too.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
vn_topology
vn_start_seed_daemons vmnet1
K=40
udp_handler_up
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_bg h1 "$VN_PY" "$VN_PYDIR/same_frames.py" recv eth0 $((8 * VN_SLOW)) "$VN_TMP/r.ready" "$VN_TMP/r.out"
vn_wait_file "$VN_TMP/r.ready" 10 || vn_die "the listener in h1 did not start"
udp_stats B
L0=$(udp_field "$HID_B" drop_loop)
kill -STOP "${VN_DPID[B]}"
vn_in vm "$VN_PY" "$VN_PYDIR/same_frames.py" send eth0 "$H1_MAC" "$VM_MAC" "$K"
sleep 2
kill -CONT "${VN_DPID[B]}"
vn_wait_file "$VN_TMP/r.out" $((15 * VN_SLOW)) || vn_die "the listener in h1 wrote nothing"
GOT=$(awk '{ print $2 }' "$VN_TMP/r.out")
udp_stats B
L1=$(udp_field "$HID_B" drop_loop)
vn_log "h1 got $GOT of $K; B's drop_loop $L0 -> $L1, udp_in=$(udp_field "$HID_B" udp_in)"
vn_eq "h1 got 8 of the $K identical frames" 8 "$GOT"
vn_eq "B's drop_loop grew by the other 32" 32 $((L1 - L0))
vn_finish
