#!/usr/bin/env bash
# A device renamed while a HANDLE (or a reconnecting RHANDLE) is still dialing: the notification
# comes before the handler exists, so the handler must check its device when it is made. A fake
# peer daemon in gB answers HELLO, then holds its BEGIN answer until the test has renamed A's
# vmnet1 to vmnet9. Expected: the HANDLE answer is "NOK device vmnet1 was renamed vmnet9", A lists
# no handler, and no frame from the renamed device reaches the fake peer.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1

# The fake peer: HOST PORT DIR. Marks DIR/listening, DIR/begin (the BEGIN line) and waits (at most
# 10 s) for DIR/renamed before it answers OK; then counts the bytes that arrive until the link
# closes, DIR/stop appears or 8 s pass, into DIR/result ("bytes N", "eof 0|1").

# race ROUND [-r]: a HANDLE (or RHANDLE with -r) to A on vmnet1, towards the fake peer, during
# which vmnet1 is renamed vmnet9; then traffic from the VM on the renamed device.
race() {
    local round=$1 dir="$VN_TMP/round$1" what=HANDLE
    shift
    [ "${1:-}" = -r ] && what=RHANDLE
    vn_section "round $round: $what on vmnet1, renamed vmnet9 while A dials"
    mkdir -p "$dir"
    vn_bg gB "$VN_PY" "$VN_PYDIR/fakepeer.py" "$UL_B" "$PORT" "$dir"
    local peer=$VN_BG
    vn_wait_file "$dir/listening" 5 || vn_die "the fake peer does not listen"
    vn_bg gB setsid -w timeout -k 5 40 "$VNETCLIENT" -p "$PASS_A" -h "$UL_A" -c handle "$@" \
        -b "$PASS_B" -d "$UL_B" -e vmnet1 -f eth0 -g local -j "$VM_MAC" "$BCAST" \
        >"$dir/out" 2>"$dir/err" </dev/null
    local client=$VN_BG
    vn_check "A sends BEGIN to the fake peer" vn_wait_file "$dir/begin" 10
    vn_ip gA link set dev vmnet1 down
    vn_ip gA link set dev vmnet1 name vmnet9
    vn_ip gA link set dev vmnet9 up
    : >"$dir/renamed"
    wait "$client"
    local rc=$?
    vn_log "handle: exit $rc, out '$(cat "$dir/out")', err '$(cat "$dir/err")'"
    vn_eq "$what answer: exit 1 (NOK)" 1 "$rc"
    vn_match "$what answer names the rename" "device vmnet1 was renamed vmnet9" "$(cat "$dir/err")"
    vn_handlers_A
    vn_eq "A lists no handler" 0 "$VN_COUNT"
    vn_ping_fails vm "$H1_IP" >/dev/null    # ARP broadcasts from the VM on vmnet9
    : >"$dir/stop"
    vn_wait_file "$dir/result" 10 || vn_fail "the fake peer wrote no result"
    wait "$peer"
    vn_eq "no frame from the renamed device reaches the fake peer (bytes after its OK)" 0 \
        "$(awk '$1 == "bytes" {print $2}' "$dir/result" 2>/dev/null)"
    vn_eq "A's log says why (once per round)" "$round" \
        "$(grep -c 'device vmnet1 was renamed vmnet9' "$VN_TMP/vnet-A.log")"
    vn_check "daemon A is alive" kill -0 "${VN_DPID[A]}"
    # The device's name back for the next round.
    vn_ip gA link set dev vmnet9 down
    vn_ip gA link set dev vmnet9 name vmnet1
    vn_ip gA link set dev vmnet1 up
}

race 1
race 2 -r
sleep 1.5   # a reconnecting handler would try again after about 1 s
vn_handlers_A
vn_eq "after round 2, A still lists no handler (nothing reconnects)" 0 "$VN_COUNT"

vn_finish
