#!/usr/bin/env bash
# The queue-delay control cuts the last segment off a guest's TSO super-frames under congestion,
# and the peer injects what is left: no handler closes. A "guest" in the VM's namespace writes
# two-segment TCP super-frames through a packet socket with their headers and payload in one
# linear buffer, as a virtual machine's TAP gives them: the kernel then hands daemon A an hdr_len
# of the whole frame. The underlay from gA to gB is slowed to 8 Mbit/s (tbf); the guest sends
# about 3.5 MB at a higher rate, so the controller (--queue-delay 5) signals, and as the frames
# are not ECN-capable it cuts them to one segment (drop_aqm). Daemon B must accept those frames
# (no "protocol error", drop_offload=0), the handler stays up on both daemons, and pings still
# pass through it afterwards. The control watches the TCP link only: the daemons run with
# --udp off (over datagrams, vnet holds no queue to control).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v tc >/dev/null || vn_die "tc not installed"
vn_topology
vn_in gA tc qdisc add dev ul root tbf rate 8mbit burst 16kb limit 400kb ||
    vn_die "no tbf in this kernel"

# field SNAPSHOT NAME: the value of NAME for the only handler of a STATS? answer.
field() {
    printf '%s\n' "$1" | awk -v f="$2" 'NR == 3 {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}

vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --queue-delay 5 --udp off
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --queue-delay 5 --udp off
vn_check "handle (seed: LOCAL eth0 on B, REMOTE vmnet1 on A)" vn_handle_seed
vn_check "ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 3

vn_section "two-segment super-frames from the guest through 8 Mbit/s"
vn_py vm aqm_trim_guest.py

# The queue drains at 8 Mbit/s; the controller's work is in A's counters.
sleep 2
vn_client gB -p "$PASS_A" -h "$UL_A" -c stats >/dev/null
STATS_A=$VN_OUT
vn_log "A's STATS?: $(printf '%s' "$STATS_A" | tr '\n' '|')"
DROPS=$(field "$STATS_A" drop_aqm)
vn_check "A's controller cut super-frames (drop_aqm=${DROPS:-missing})" test "${DROPS:-0}" -gt 0

vn_section "no handler closed"
vn_check "ping vm -> h1 through the handler after the load" \
    vn_wait_until 20 vn_ping vm "$H1_IP" 3
vn_client gB -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
STATS_B=$VN_OUT
vn_log "B's STATS?: $(printf '%s' "$STATS_B" | tr '\n' '|')"
vn_eq "B's handler is up" up "$(field "$STATS_B" state)"
vn_eq "B's drop_offload=0 (every cut frame fits its metadata)" 0 "$(field "$STATS_B" drop_offload)"
vn_check "B injected frames from the guest (in_frames=$(field "$STATS_B" in_frames))" \
    test "$(field "$STATS_B" in_frames)" -gt 100
vn_check "A still has its handler" vn_handlers_count A 1
vn_check "B still has its handler" vn_handlers_count B 1
vn_eq "B logs no protocol error" 0 "$(grep -c 'protocol error' "$VN_TMP/vnet-B.log")"
vn_eq "A logs no closed handler" 0 "$(grep -c 'closed:' "$VN_TMP/vnet-A.log")"
vn_finish
