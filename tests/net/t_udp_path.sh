#!/usr/bin/env bash
# The datagram path: after BEGIN the two daemons agree on it, and frames cross as sealed UDP
# datagrams (counted in udp_out/udp_in on both sides, path=udp in STATS?); the TCP link stays.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons vmnet1

# field ID NAME: NAME's value for handler ID in the last STATS? answer (VN_OUT).
field() {
    printf '%s\n' "$VN_OUT" | awk -v id="$1" -v f="$2" 'NR > 2 && $1 == id {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}
stats_A() { vn_client gB -p "$PASS_A" -h "$UL_A" -c stats; }
stats_B() { vn_client gB -p "$PASS_B" -h "$UL_B" -c stats; }
path_is() { "stats_$1" >/dev/null; [ "$(field "$2" path)" = "$3" ]; }

vn_section "the path is agreed and used"
vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
HID_B=$VN_HID
vn_handlers_A
HID_A=$(printf '%s\n' "$VN_LINES" | awk 'NR == 1 {print $1}')
vn_check "B's handler says path=udp within 5 s" vn_wait_until 5 path_is B "$HID_B" udp
vn_check "A's handler says path=udp within 5 s" vn_wait_until 5 path_is A "$HID_A" udp
vn_check "ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 10
stats_A; OUT_A=$(field "$HID_A" udp_out); IN_A=$(field "$HID_A" udp_in)
stats_B; OUT_B=$(field "$HID_B" udp_out); IN_B=$(field "$HID_B" udp_in)
vn_log "A: udp_out=$OUT_A udp_in=$IN_A; B: udp_out=$OUT_B udp_in=$IN_B"
vn_check "A sent at least 9 frames as datagrams (udp_out=$OUT_A)" test "${OUT_A:-0}" -ge 9
vn_check "B received at least 9 (udp_in=$IN_B)" test "${IN_B:-0}" -ge 9
vn_check "B sent at least 9 frames as datagrams (udp_out=$OUT_B)" test "${OUT_B:-0}" -ge 9
vn_check "A received at least 9 (udp_in=$IN_A)" test "${IN_A:-0}" -ge 9
vn_check "no datagram failed authentication" test "$(field "$HID_B" drop_auth)" = 0
vn_check "A's log says datagrams get through" grep -q 'frames go as datagrams' "$VN_TMP/vnet-A.log"
vn_finish
