#!/usr/bin/env bash
# Two VMs on machine44-1 (vmnet1 and vmnet2), each bridged onto the LAN by its own handler at
# the same time; closing one leaves the other working.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology --vm2
vn_start_seed_daemons vmnet1 vmnet2

vn_section "two handlers"
vn_check "handle for vm (eth0 <-> vmnet1)" vn_handle_seed vmnet1 "$VM_MAC" "$BCAST"
ID1=$VN_HID
vn_check "handle for vm2 (eth0 <-> vmnet2)" vn_handle_seed vmnet2 "$VM2_MAC" "$BCAST"
ID2=$VN_HID
vn_check "the two handlers got different ids ($ID1, $ID2)" test -n "$ID1" -a -n "$ID2" -a "$ID1" != "$ID2"

vn_section "both VMs reach the LAN"
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 4
vn_check "ping vm2 -> h2" vn_ping vm2 "$H2_IP" 4
vn_check "ping h1 -> vm2" vn_ping h1 "$VM2_IP" 4
vn_check "ping h2 -> vm" vn_ping h2 "$VM_IP" 4

vn_section "HANDLERS? shows both, on both daemons"
vn_handlers_B
vn_eq "gB lists 2 handlers" 2 "$VN_COUNT"
vn_match "gB: one handler for vmnet1 with vm's MAC" "^$ID1 LOCAL $UL_B [0-9]+ eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$VN_LINES"
vn_match "gB: one handler for vmnet2 with vm2's MAC" "^$ID2 LOCAL $UL_B [0-9]+ eth0 <-> REMOTE $UL_A $PORT vmnet2 $VM2_MAC $BCAST\$" "$VN_LINES"
vn_handlers_A
vn_eq "gA lists 2 handlers" 2 "$VN_COUNT"
vn_match "gA: one handler on vmnet1" "^[0-9]+ REMOTE $UL_A $PORT vmnet1 <-> LOCAL $UL_B [0-9]+ eth0 $VM_MAC $BCAST\$" "$VN_LINES"
vn_match "gA: one handler on vmnet2" "^[0-9]+ REMOTE $UL_A $PORT vmnet2 <-> LOCAL $UL_B [0-9]+ eth0 $VM2_MAC $BCAST\$" "$VN_LINES"

vn_section "close vm's handler: vm2 keeps working"
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "${ID1:-1}"
vn_eq "close -i $ID1" 0 "$VN_RC"
vn_check "gB lists 1 handler" vn_wait_handlers B 1 5
vn_match "gB: the remaining handler is vm2's" "^$ID2 .* vmnet2 $VM2_MAC" "$VN_LINES"
vn_check "gA lists 1 handler" vn_wait_handlers A 1 5
vn_match "gA: the remaining handler is vm2's" " vmnet2 <-> .* $VM2_MAC" "$VN_LINES"
vn_check "ping vm2 -> h1 still works" vn_ping vm2 "$H1_IP" 4
vn_check "ping h2 -> vm2 still works" vn_ping h2 "$VM2_IP" 4
vn_check "ping vm -> h1 now fails" vn_ping_fails vm "$H1_IP"

vn_finish
