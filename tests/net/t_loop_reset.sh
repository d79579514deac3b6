#!/usr/bin/env bash
# The loop guard and TCP resets: a host that aborts a connection answers every segment still in
# flight with the same reset (sent without a socket: IPv4 identification 0), dozens within a
# millisecond at the end of an ordinary transfer. h1 sends 40 identical resets to the VM: as for
# any frame, 8 pass (LOOPGUARD_REPEATS) and the other copies are stopped, but none is counted in
# drop_loop or logged as a loop. 40 identical ACKs after them are what a loop looks like: 8 pass,
# the other 32 are counted in drop_loop, and the log names the frame.
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
vn_bg vm timeout -k 2 15 "$VN_PY" "$VN_PYDIR/reset_burst.py" count eth0 $((6 * VN_SLOW)) \
    "$VN_TMP/count.ready" "$VN_TMP/count.out"
vn_wait_file "$VN_TMP/count.ready" 5 || vn_die "the counter in vm did not start"
udp_stats A
L0=$(udp_field "$HID_A" drop_loop)
vn_in h1 "$VN_PY" "$VN_PYDIR/reset_burst.py" send eth0 "$VM_MAC" "$H1_MAC" "$H1_IP" "$VM_IP" 4 "$K"
sleep 0.5
udp_stats A
LR=$(udp_field "$HID_A" drop_loop)
vn_eq "A's drop_loop did not grow with $K identical resets" 0 $((LR - L0))
vn_check "A's log says nothing of a loop after $K identical resets" \
    eval '! grep -q "loop runs through" "$VN_TMP/vnet-A.log"'
vn_in h1 "$VN_PY" "$VN_PYDIR/reset_burst.py" send eth0 "$VM_MAC" "$H1_MAC" "$H1_IP" "$VM_IP" 16 "$K"
vn_wait_file "$VN_TMP/count.out" $((12 * VN_SLOW)) || vn_die "the counter in vm wrote nothing"
read -r _ RESETS _ ACKS <"$VN_TMP/count.out"
udp_stats A
L1=$(udp_field "$HID_A" drop_loop)
vn_log "the VM got $RESETS resets and $ACKS ACKs of $K each; A's drop_loop $L0 -> $L1"
vn_eq "8 of the $K identical resets reach the VM (LOOPGUARD_REPEATS, as for any frame)" 8 "$RESETS"
vn_eq "8 of the $K identical ACKs reach the VM" 8 "$ACKS"
vn_eq "A's drop_loop grew by the other 32 ACKs" 32 $((L1 - LR))
vn_match "A's log: the ACKs are taken for a loop, the frame named" \
    "\\($H1_MAC -> $VM_MAC, type 0x0800, 54 bytes\\) was injected 8 times.*loop runs through that peer" \
    "$(cat "$VN_TMP/vnet-A.log")"
vn_finish
