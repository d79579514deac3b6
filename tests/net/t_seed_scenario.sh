#!/usr/bin/env bash
# The example scenario of the VNET 0.9 README: a VM on machine44-1 (ns gA) is bridged onto the LAN of
# machine42-2 (ns gB) by one handler; ping and iperf3 both ways, HANDLERS?/DEVICES? on both
# daemons, then CLOSE and the bridge is gone.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

vn_section "before the handler: the VM is not on the LAN"
vn_check "no handler yet: ping vm -> h1 fails" vn_ping_fails vm "$H1_IP"

vn_section "create the handler (the example scenario)"
# Watch the underlay meanwhile (the control for t_tls: without -s everything is in clear).
vn_wiretap_start gA ul clear "$PASS_A" "$WIRE_NEEDLE"
vn_check "handle answers OK ID (exit 0)" vn_handle_seed
HID_B=$VN_HID
vn_ping_pattern vm "$H1_IP"
vn_log "underlay: $(vn_wiretap_get clear segments) TCP segments and UDP datagrams, $(vn_wiretap_get clear payload) payload bytes"
vn_check "without -s, the HELLO password2 is seen in clear on the underlay" \
    test "$(vn_wiretap_get clear "hits-$PASS_A")" -gt 0
vn_check "without -s, the VM's ping payload is seen in clear on the underlay" \
    test "$(vn_wiretap_get clear "hits-$WIRE_NEEDLE")" -gt 0

vn_section "traffic across the bridge"
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 5
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 5
vn_check "ping vm -> h2" vn_ping vm "$H2_IP" 5
vn_check "iperf3 TCP vm -> h1 (3 s, default offloads) received data" vn_iperf h1 "$H1_IP" vm
vn_check "iperf3 TCP h1 -> vm (3 s, default offloads) received data" vn_iperf vm "$VM_IP" h1

vn_section "HANDLERS? on gB (the daemon the client talked to)"
if vn_handlers_B; then vn_ok "gB HANDLERS? answer is well formed"; else vn_fail "gB HANDLERS? answer is malformed or NOK"; fi
vn_eq "gB lists one handler" 1 "$VN_COUNT"
B_LINE=$(printf '%s\n' "$VN_LINES" | sed -n 1p)
if vn_parse_handler "$B_LINE"; then
    vn_ok "gB handler line has the spec's layout: $B_LINE"
    vn_eq "gB handler id = the id 'handle' answered" "$HID_B" "$H_ID"
    vn_eq "gB local config" LOCAL "$H_LCONF"
    vn_eq "gB local address" "$UL_B" "$H_LADDR"
    vn_eq "gB local device" eth0 "$H_LDEV"
    vn_eq "gB remote config" REMOTE "$H_RCONF"
    vn_eq "gB remote address" "$UL_A" "$H_RADDR"
    vn_eq "gB remote port (gB dialled gA's listening port)" "$PORT" "$H_RPORT"
    vn_eq "gB remote device" vmnet1 "$H_RDEV"
    vn_eq "gB MAC list" "$VM_MAC $BCAST" "$H_MACS"
    B_LPORT=$H_LPORT
    B_ID=$H_ID
else
    vn_fail "gB handler line malformed: '$B_LINE'"
    B_LPORT=x
    B_ID=${HID_B:-1}
fi

vn_section "HANDLERS? on gA (the daemon that was dialled)"
if vn_handlers_A; then vn_ok "gA HANDLERS? answer is well formed"; else vn_fail "gA HANDLERS? answer is malformed or NOK"; fi
vn_eq "gA lists one handler" 1 "$VN_COUNT"
A_LINE=$(printf '%s\n' "$VN_LINES" | sed -n 1p)
if vn_parse_handler "$A_LINE"; then
    vn_ok "gA handler line has the spec's layout: $A_LINE"
    vn_eq "gA local config" REMOTE "$H_LCONF"
    vn_eq "gA local address" "$UL_A" "$H_LADDR"
    vn_eq "gA local port (its listening port)" "$PORT" "$H_LPORT"
    vn_eq "gA local device" vmnet1 "$H_LDEV"
    vn_eq "gA remote config" LOCAL "$H_RCONF"
    vn_eq "gA remote address" "$UL_B" "$H_RADDR"
    vn_eq "gA remote port = gB's local port (same TCP connection)" "$B_LPORT" "$H_RPORT"
    vn_eq "gA remote device" eth0 "$H_RDEV"
    vn_eq "gA MAC list" "$VM_MAC $BCAST" "$H_MACS"
else
    vn_fail "gA handler line malformed: '$A_LINE'"
fi

vn_section "DEVICES? (VNET 0.9's answer) and DEVINFO? on both daemons"
if vn_query gB "$UL_B" "$PASS_B" devices; then vn_ok "gB DEVICES? well formed"; else vn_fail "gB DEVICES? malformed or NOK"; fi
vn_eq "gB lists its one -d device" 1 "$VN_COUNT"
vn_eq "gB's DEVICES? line is the device's name" "eth0" "$VN_LINES"
if vn_query gB "$UL_B" "$PASS_B" devinfo; then vn_ok "gB DEVINFO? well formed"; else vn_fail "gB DEVINFO? malformed or NOK"; fi
vn_eq "gB DEVINFO? line NAME MAC MTU STATE" "eth0 $GB_ETH0_MAC 1500 up" "$(printf '%s' "$VN_LINES" | tr 'A-F' 'a-f')"
if vn_query gB "$UL_A" "$PASS_A" devices; then vn_ok "gA DEVICES? well formed"; else vn_fail "gA DEVICES? malformed or NOK"; fi
vn_eq "gA lists its one -d device" 1 "$VN_COUNT"
vn_eq "gA's DEVICES? line is the device's name" "vmnet1" "$VN_LINES"
if vn_query gB "$UL_A" "$PASS_A" devinfo; then vn_ok "gA DEVINFO? well formed"; else vn_fail "gA DEVINFO? malformed or NOK"; fi
vn_eq "gA DEVINFO? line NAME MAC MTU STATE" "vmnet1 $VMNET1_MAC 1500 up" "$(printf '%s' "$VN_LINES" | tr 'A-F' 'a-f')"

vn_section "close the handler from gB"
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "$B_ID"
vn_eq "close -i $B_ID exits 0" 0 "$VN_RC"
vn_match "close answers OK" '^OK' "$VN_OUT"
vn_check "gB lists 0 handlers within 5 s" vn_wait_handlers B 0 5
vn_check "gA lists 0 handlers within 5 s" vn_wait_handlers A 0 5
vn_check "after CLOSE: ping vm -> h1 fails" vn_ping_fails vm "$H1_IP"
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "$B_ID"
vn_eq "closing the same id again: NOK (exit 1)" 1 "$VN_RC"

vn_finish
