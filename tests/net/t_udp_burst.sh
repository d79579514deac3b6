#!/usr/bin/env bash
# Bursts of small frames over the datagram path: 2,000 numbered 64-byte UDP datagrams from vm to
# h1, in rounds of 500 sent while A's daemon is stopped (they wait in its capture socket) and
# forwarded while B's is stopped (they wait in its UDP socket), so that each daemon meets them
# as one burst. All arrive, in order, counted as injected; and each daemon takes a burst in
# batches: A reads its captured frames, B injects them, in fewer system calls than frames
# (perf counts recvmsg/recvmmsg and sendmsg/sendmmsg), and A sends the equal datagrams as runs
# (UDP_SEGMENT), fewer packets on the underlay than datagrams.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
command -v perf >/dev/null || { vn_skip "perf is not installed"; vn_finish; }
vn_topology
vn_start_seed_daemons vmnet1

N=2000 ROUND=500 UPORT=9000
out_at_least() { [ "$(udp_get A "$HID_A" udp_out)" -ge "$1" ]; }
# count_calls PERF_OUT: the system calls perf counted.
count_calls() { awk -F, '/sys_enter/ { n += $1 } END { print n + 0 }' "$1"; }

vn_section "the datagram path"
udp_handler_up
vn_check "ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 3

vn_section "$N datagrams in bursts of $ROUND"
vn_bg h1 "$VN_PY" "$VN_PYDIR/udp_order.py" recv "$H1_IP" "$UPORT" "$N" "$VN_TMP/rx.ready" \
    "$VN_TMP/rx.out"
vn_wait_file "$VN_TMP/rx.ready" 10 || vn_die "receiver not ready"
PID_A=${VN_DPID[A]} PID_B=${VN_DPID[B]}
EV=syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvmmsg
perf stat -x, -e "$EV" -p "$PID_A" -o "$VN_TMP/perf-A" 2>/dev/null &
PERF_A=$!
VN_BGPIDS+=("$PERF_A")
EV=syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendmmsg
perf stat -x, -e "$EV" -p "$PID_B" -o "$VN_TMP/perf-B" 2>/dev/null &
PERF_B=$!
VN_BGPIDS+=("$PERF_B")
sleep 1
OUT0=$(udp_get A "$HID_A" udp_out)
UL0=$(vn_rx gB ul)
for ((first = 0; first < N; first += ROUND)); do
    kill -STOP "$PID_B" "$PID_A"
    vn_in vm "$VN_PY" "$VN_PYDIR/udp_order.py" send "$H1_IP" "$UPORT" "$first" "$ROUND"
    kill -CONT "$PID_A"
    vn_wait_until 10 out_at_least $((OUT0 + first + ROUND)) ||
        vn_log "A forwarded only $(udp_get A "$HID_A" udp_out) datagrams"
    kill -CONT "$PID_B"
done
vn_wait_file "$VN_TMP/rx.out" 20 || vn_die "the receiver did not finish"
kill -INT "$PERF_A" "$PERF_B"
wait "$PERF_A" "$PERF_B" 2>/dev/null
RX=$(awk '$1 == "received" {print $2}' "$VN_TMP/rx.out")
ORDER=$(awk '$1 == "in_order" {sub(/^in_order /, ""); print}' "$VN_TMP/rx.out")
UL1=$(vn_rx gB ul)
SENT=$(( $(udp_get A "$HID_A" udp_out) - OUT0 ))
udp_stats B
DROPS=$(udp_field "$HID_B" drop_inject)
vn_log "h1 received $RX, in order: $ORDER; B: udp_in=$(udp_field "$HID_B" udp_in)" \
    "drop_inject=$DROPS"
vn_check "h1 received all $N datagrams (received $RX)" test "${RX:-0}" -eq "$N"
vn_check "in the order they were sent ($ORDER)" test "$ORDER" = yes
vn_check "B injected none less (drop_inject=$DROPS)" test "$DROPS" = 0
CALLS_A=$(count_calls "$VN_TMP/perf-A") CALLS_B=$(count_calls "$VN_TMP/perf-B")
vn_log "A read its captured frames in $CALLS_A calls; B injected them in $CALLS_B"
vn_check "A read $N captured frames in fewer calls (recvmsg/recvmmsg: $CALLS_A)" \
    test "$CALLS_A" -gt 0 -a "$CALLS_A" -lt "$N"
vn_check "B injected $N frames in fewer calls (sendmsg/sendmmsg: $CALLS_B)" \
    test "$CALLS_B" -gt 0 -a "$CALLS_B" -lt "$N"
vn_log "A sent $SENT datagrams; gB's underlay received $((UL1 - UL0)) packets"
vn_check "runs of equal datagrams crossed as fewer packets (UDP_SEGMENT: $((UL1 - UL0)) for $SENT)" \
    test "$SENT" -ge "$N" -a $((UL1 - UL0)) -lt "$SENT"
vn_finish
