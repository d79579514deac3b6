#!/usr/bin/env bash
# --queue-delay: a bulk TCP transfer through a handler whose underlay is slower than the LAN
# (tbf at 100 Mbit/s with a deep queue, as a WAN router's) builds a queue in the tunnel; the
# handler's controller then drops frames at capture (or cuts a super-frame's last segment), and STATS? counts them (drop_aqm) while the
# transfer goes on. With --queue-delay 0 the same transfer makes no such drop: the counter is the
# controller's, not a side effect; without the option, the controller is on. Pings keep passing during the load. The VM's TCP sends
# segmentation offload super-frames (offloads at their defaults): they must take the signal, or
# a bulk flow is never slowed. With ECN on in the VM, its super-frames are marked instead
# (mark_aqm), which the inner TCP obeys without a loss. The control watches the TCP link only:
# the daemons run with --udp off (over datagrams, vnet holds no queue to control).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v iperf3 >/dev/null || vn_die "iperf3 not installed (sh tests/deps.sh)"
command -v tc >/dev/null || vn_die "tc not installed"
vn_topology
# The underlay from gA (the VM's side) to gB: 100 Mbit/s, a queue of 2.5 MB (200 ms). At that
# rate the VM's TCP sends offload super-frames only: a controller that spared them drops nothing.
vn_in gA tc qdisc add dev ul root tbf rate 100mbit burst 64kb limit 2500kb ||
    vn_die "no tbf in this kernel"

# field SNAPSHOT ID NAME: the value of NAME for handler ID in a STATS? answer ("" when missing).
field() {
    printf '%s\n' "$1" | awk -v id="$2" -v f="$3" 'NR > 2 && $1 == id {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}

# run FLAGS...: daemons with FLAGS, the example scenario's handler, 3 s of TCP from the VM to h1; sets DROPS
# (A's drop_aqm for the handler) and MARKS.
run() {
    vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --udp off "$@"
    vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --udp off "$@"
    vn_handle_seed || vn_die "handle: $VN_OUT"
    vn_ping vm "$H1_IP" 3 || vn_fail "ping VM -> h1 through the handler"
    vn_bg vm ping -c 15 -i 0.2 -W 2 "$H1_IP" >"$VN_TMP/ping-load.log" 2>&1
    local ppid=$VN_BG
    vn_iperf h1 "$H1_IP" vm || vn_fail "iperf3 VM -> h1: ${VN_IPERF_ERR:-no data}"
    wait "$ppid"
    PING_RC=$?
    vn_client gB -p "$PASS_A" -h "$UL_A" -c stats >/dev/null
    vn_log "A's STATS?: $(printf '%s' "$VN_OUT" | tr '\n' '|')"
    local hid
    hid=$(printf '%s\n' "$VN_OUT" | awk 'NR == 3 { print $1 }')
    DROPS=$(field "$VN_OUT" "$hid" drop_aqm)
    MARKS=$(field "$VN_OUT" "$hid" mark_aqm)
    vn_stop_daemon A
    vn_stop_daemon B
}

# A target of 5 ms (the default is 40): signals come within the 3 s of the transfer even when
# the inner TCP, ECN-capable, halves at the first mark.
vn_section "--queue-delay 5: the queue behind a slow underlay is controlled"
run --queue-delay 5
vn_check "A's drop_aqm grew under load behind a 100 Mbit/s underlay (drop_aqm=${DROPS:-missing})" \
    test "${DROPS:-0}" -gt 0 2>/dev/null
vn_eq "mark_aqm=0 (iperf3 does not negotiate ECN here)" 0 "${MARKS:-missing}"
vn_eq "pings passed during the load" 0 "$PING_RC"
vn_check "the transfer went through (${VN_IPERF_BYTES:-0} bytes)" test "${VN_IPERF_BYTES:-0}" -gt 1000000

vn_section "ECN on in the VM: its frames are marked Congestion Experienced, not dropped"
vn_in vm sysctl -qw net.ipv4.tcp_ecn=1 || vn_die "cannot turn ECN on in the VM's namespace"
run --queue-delay 5
vn_check "A's mark_aqm grew (mark_aqm=${MARKS:-missing}, drop_aqm=${DROPS:-missing})" \
    test "${MARKS:-0}" -gt 0 2>/dev/null
vn_check "the transfer went through (${VN_IPERF_BYTES:-0} bytes)" test "${VN_IPERF_BYTES:-0}" -gt 1000000
vn_in vm sysctl -qw net.ipv4.tcp_ecn=2

vn_section "--queue-delay 0: no controller, no such drop"
run --queue-delay 0
vn_eq "A's drop_aqm=0 with --queue-delay 0" 0 "${DROPS:-missing}"

# The default target, 40 ms, is a WAN's: a 256 KiB queue takes 200 ms to leave at 10 Mbit/s.
vn_section "the default (no --queue-delay): the controller is on"
vn_in gA tc qdisc change dev ul root tbf rate 10mbit burst 64kb limit 2500kb ||
    vn_die "cannot slow the underlay down"
run
vn_check "A's drop_aqm grew with the default target (drop_aqm=${DROPS:-missing})" \
    test "${DROPS:-0}" -gt 0 2>/dev/null

vn_finish
