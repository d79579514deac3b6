#!/usr/bin/env bash
# The example scenario with -s (TLS 1.3, key mode: keys derived from the passwords; see vnet(8)):
# the bridge works, nothing readable crosses the underlay, and every mismatch is refused clearly
# (clear client to a TLS daemon, TLS client to a clear daemon, TLS daemon dialling a clear one,
# wrong passwords).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -s -h "$UL_A" -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -s -h "$UL_B" -p "$PORT" -d eth0
# A daemon without -s next to them, for the mismatches.
vn_start_daemon C gA "$PASS_A" -h "$UL_A" -p 4456 -d vmnet1

vn_section "the README's handler, over TLS"
vn_wiretap_start gA ul tls "$PASS_A" "$PASS_B" "$WIRE_NEEDLE" HELLO BEGIN
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" \
    -e eth0 -f vmnet1 -g local -j "$VM_MAC" "$BCAST"
vn_eq "vnetclient -s ... handle exits 0" 0 "$VN_RC"
vn_match "... and answers OK ID" '^OK [0-9]+$' "$VN_OUT"
HID=${VN_OUT#OK }
vn_ping_pattern vm "$H1_IP"
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 4
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 4
seg=$(vn_wiretap_get tls segments)
vn_log "underlay: $seg TCP segments, $(vn_wiretap_get tls payload) payload bytes"
vn_check "the daemons' TLS connection was seen on the underlay ($seg segments)" test "${seg:--1}" -gt 5
for n in "$PASS_A" "$PASS_B" "$WIRE_NEEDLE" HELLO BEGIN; do
    shown=$n
    case $n in "$PASS_A") shown='password2' ;; "$PASS_B") shown='password1' ;; esac
    vn_eq "'$shown' never appears in clear on the underlay" 0 "$(vn_wiretap_get tls "hits-$n")"
done
vn_check "iperf3 TCP vm -> h1 over TLS (3 s) received data" vn_iperf h1 "$H1_IP" vm

vn_section "HANDLERS? over TLS"
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handlers
vn_match "gB lists the handler" "^$HID LOCAL $UL_B [0-9]+ eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$VN_OUT"
vn_client gB -s -p "$PASS_A" -h "$UL_A" -c handlers
vn_match "gA lists the handler" "^[0-9]+ REMOTE $UL_A $PORT vmnet1 <-> LOCAL $UL_B [0-9]+ eth0 $VM_MAC $BCAST\$" "$VN_OUT"

vn_section "mismatches and wrong passwords"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handlers
vn_eq "a client without -s to a daemon with -s: exit 1" 1 "$VN_RC"
vn_match "... the daemon says it requires TLS" 'requires TLS' "$VN_ERR"
vn_client gB -s -p "$PASS_A" -h "$UL_A" -o 4456 -c handlers
vn_eq "a client with -s to a daemon without -s: exit 3" 3 "$VN_RC"
vn_match "... and says it does not use TLS" 'does not use TLS' "$VN_ERR"
vn_client gB -s -p wrongPassword -h "$UL_B" -c handlers
vn_eq "a wrong password with -s: exit 1" 1 "$VN_RC"
vn_match "... authentication failed" 'authentication failed' "$VN_ERR"
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b wrongPassword -d "$UL_A" \
    -e eth0 -f vmnet1 -g local -j 02:00:c6:12:00:0c
vn_eq "HANDLE with a wrong password2 between TLS daemons: exit 1" 1 "$VN_RC"
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -a 4456 -b "$PASS_A" -d "$UL_A" \
    -e eth0 -f vmnet1 -g local -j 02:00:c6:12:00:0c
vn_eq "HANDLE from a TLS daemon to a daemon without -s: exit 1" 1 "$VN_RC"
vn_match "... the reason says it does not use TLS" 'does not use TLS' "$VN_ERR"
vn_py_checks gB tls_plain.py

vn_section "the first handler survived all that; close it"
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handlers
vn_eq "gB still lists exactly one handler" 1 "$(printf '%s\n' "$VN_OUT" | sed -n 2p)"
vn_check "ping vm -> h2" vn_ping vm "$H2_IP" 3
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c close -i "$HID"
vn_eq "close -i $HID over TLS" 0 "$VN_RC"
# count_A_tls: set n to gA's handler count, asked over TLS
count_A_tls() {
    vn_client gB -s -p "$PASS_A" -h "$UL_A" -c handlers
    n=$(printf '%s\n' "$VN_OUT" | sed -n 2p)
}
n=-1
vn_wait_until -i 0.5 5 eval 'count_A_tls; [ "$n" = 0 ]'
vn_eq "gA lists 0 handlers within 5 s" 0 "$n"

vn_finish
