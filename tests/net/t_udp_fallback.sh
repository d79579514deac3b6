#!/usr/bin/env bash
# The datagram path falls back to the TCP link when UDP stops getting through, and comes back
# when it does again. UDP is blocked in gB's namespace only (nftables: an inet table dropping
# every UDP packet in and out): both handlers say path=tcp-fallback within about 8 s, each
# daemon logs it once, pings still pass (over TCP); without the rule: path=udp again within 8 s,
# pings pass and udp_out grows. A handler made while UDP is blocked stays on TCP, says so in the
# log, and carries pings.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
command -v nft >/dev/null || vn_skip "no nft (package nftables)"
vn_topology
vn_start_seed_daemons vmnet1

block_udp() {
    vn_in gB nft -f - <<'NFT'
table inet vnudp {
    chain in { type filter hook input priority 0; meta l4proto udp drop; }
    chain out { type filter hook output priority 0; meta l4proto udp drop; }
}
NFT
}
unblock_udp() { vn_in gB nft delete table inet vnudp; }
both_paths_are() { udp_path_is A "$HID_A" "$1" && udp_path_is B "$HID_B" "$1"; }
FALLBACK_LOG='has not said it hears our datagrams'
UP_LOG='datagrams get through both ways'

vn_section "a handler on the datagram path"
vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
HID_B=$VN_HID
HID_A=$(udp_first_id A)
vn_check "both handlers say path=udp within 5 s" vn_wait_until 5 both_paths_are udp
vn_check "ping vm -> h1 (datagrams)" vn_ping vm "$H1_IP" 3

vn_section "UDP blocked in gB"
vn_check "nft drops UDP in gB" block_udp
vn_check "both handlers say path=tcp-fallback within 8 s" vn_wait_until -i 0.5 8 both_paths_are tcp-fallback
OUT_A=$(udp_get A "$HID_A" udp_out)
vn_check "ping vm -> h1 (over TCP)" vn_ping vm "$H1_IP" 10
udp_stats A
vn_eq "A sent no frame as a datagram meanwhile (udp_out)" "$OUT_A" "$(udp_field "$HID_A" udp_out)"
vn_eq "A's handler still says path=tcp-fallback" tcp-fallback "$(udp_field "$HID_A" path)"
vn_eq "A logged the fallback once" 1 "$(grep -c "handler $HID_A: .*$FALLBACK_LOG" "$VN_TMP/vnet-A.log")"
vn_eq "B logged the fallback once" 1 "$(grep -c "handler $HID_B: .*$FALLBACK_LOG" "$VN_TMP/vnet-B.log")"

vn_section "UDP unblocked"
vn_check "the nft table is removed" unblock_udp
vn_check "both handlers say path=udp within 8 s" vn_wait_until -i 0.5 8 both_paths_are udp
OUT_A=$(udp_get A "$HID_A" udp_out)
vn_check "ping vm -> h1 (datagrams again)" vn_ping vm "$H1_IP" 5
NOW_A=$(udp_get A "$HID_A" udp_out)
vn_log "A's udp_out: $OUT_A before the pings, $NOW_A after"
vn_check "A's udp_out grew by at least 4 ($OUT_A -> $NOW_A)" test "$NOW_A" -ge $((OUT_A + 4))
vn_eq "A logged datagrams getting through twice (start, after the block)" 2 \
    "$(grep -c "handler $HID_A: $UP_LOG" "$VN_TMP/vnet-A.log")"

vn_section "a handler made while UDP is blocked"
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "$HID_B"
vn_check "A has no handler left" vn_wait_handlers A 0 5
vn_check "nft drops UDP in gB again" block_udp
vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
HID_B=$VN_HID
HID_A=$(udp_first_id A)
NOUDP_LOG='no datagram from the peer got through'
vn_check "B logs that no datagram got through within 8 s" vn_wait_until -i 0.5 8 \
    grep -q "handler $HID_B: $NOUDP_LOG" "$VN_TMP/vnet-B.log"
vn_check "A logs it too" vn_wait_until -i 0.5 3 grep -q "handler $HID_A: $NOUDP_LOG" "$VN_TMP/vnet-A.log"
vn_check "ping vm -> h1 (over TCP)" vn_ping vm "$H1_IP" 5
udp_stats B
vn_match "B's new handler is not on the datagram path" '^tcp' "$(udp_field "$HID_B" path)"
vn_eq "B's new handler sent no frame as a datagram (udp_out)" 0 "$(udp_field "$HID_B" udp_out)"
udp_stats A
vn_match "A's new handler is not on the datagram path" '^tcp' "$(udp_field "$HID_A" path)"
vn_eq "A's new handler sent no frame as a datagram (udp_out)" 0 "$(udp_field "$HID_A" udp_out)"
vn_eq "B logged it once" 1 "$(grep -c "handler $HID_B: $NOUDP_LOG" "$VN_TMP/vnet-B.log")"
vn_finish
