#!/usr/bin/env bash
# A peer cannot make a daemon put arbitrary frames on its network. A python peer in gB speaks
# BEGIN to daemon B (LOCAL on eth0, the example scenario's list {VM, broadcast}) and to daemon A (REMOTE on
# vmnet1) and sends forged frames:
#  - the address list: B injects only frames whose source is listed (an ARP reply claiming the
#    gateway's 198.18.0.1 from an unlisted MAC, tagged 802.1Q or not, never reaches the LAN; the
#    same from the VM's MAC does); A injects only frames whose destination is listed (broadcast
#    only when ff:ff:ff:ff:ff:ff is listed);
#  - offload metadata: on a device with TSO and GSO off, a 64 KB TCP frame with gso_size 1 (64,000
#    packets if the kernel cut it) and a UFO frame (thousands of IP fragments) are refused, a
#    GSO frame with MSS 1448 still goes out as 10 packets;
#  - the refused frames are counted in STATS? (drop_unlisted, drop_offload), logged once, and the
#    link stays up: a good frame sent after them arrives.
# Observed on the wire: the LAN port of gB (p-gB in ns lan) and the VM's eth0 (next to vmnet1).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

# Segmentation in software on gB's eth0: a GSO frame injected there is cut into packets by the
# kernel, and each packet counts in eth0's tx_packets.
vn_in gB ethtool -K eth0 tso off gso off >/dev/null 2>&1 || vn_log "ethtool -K eth0 in gB failed"
vn_check "gB's eth0 has generic segmentation offload off" \
    sh -c "ip netns exec $(vn_ns gB) ethtool -k eth0 | grep -q '^generic-segmentation-offload: off'"

MARKERS=(L-UNLIST L-LISTED L-VLANUN L-VLANOK L-GOOD-G L-AFTER R-UNLIST R-LISTED R-BCAST1 R-MCAST R-BCAST2)
vn_marks_start lan p-gB lan "${MARKERS[@]}"
vn_marks_start vm eth0 vm "${MARKERS[@]}"

vn_section "forged frames from a python peer"
vn_py_checks gB inject_guard.py

sleep 0.5
vn_section "what reached the wire"
lan() { vn_wiretap_get lan "$1"; }
vmw() { vn_wiretap_get vm "$1"; }
lan frames >/dev/null
vmw frames >/dev/null
vn_log "LAN port of gB: $(tr '\n' ' ' <"$VN_TMP/wire-lan" 2>/dev/null)"
vn_log "VM's eth0: $(tr '\n' ' ' <"$VN_TMP/wire-vm" 2>/dev/null)"
vn_eq "LAN: the ARP reply for $H1_IP from an unlisted MAC is not seen" 0 "$(lan L-UNLIST)"
vn_eq "LAN: the same ARP reply from the VM's MAC is seen once" 1 "$(lan L-LISTED)"
vn_eq "LAN: the unlisted ARP reply with an 802.1Q tag is not seen" 0 "$(lan L-VLANUN)"
vn_eq "LAN: the listed ARP reply with an 802.1Q tag is seen once" 1 "$(lan L-VLANOK)"
vn_eq "LAN: the 10 segments of the good GSO frame are seen" 10 "$(lan L-GOOD-G)"
vn_eq "LAN: the good frame sent after the refused ones is seen" 1 "$(lan L-AFTER)"
vn_eq "VM: the frame to an unlisted destination is not seen" 0 "$(vmw R-UNLIST)"
vn_eq "VM: the frame to the VM's MAC is seen" 1 "$(vmw R-LISTED)"
vn_eq "VM: a broadcast is not seen when the broadcast address is not listed" 0 "$(vmw R-BCAST1)"
vn_eq "VM: an unlisted multicast is not seen" 0 "$(vmw R-MCAST)"
vn_eq "VM: a broadcast is seen when the broadcast address is listed" 1 "$(vmw R-BCAST2)"

vn_section "logged once per kind and handler"
nb=$(grep -c 'refused a frame from the peer.*not in the handler' "$VN_TMP/vnet-B.log")
vn_eq "B logs the first unlisted frame only" 1 "$nb"
nb=$(grep -c 'refused a [0-9]*-byte frame from the peer' "$VN_TMP/vnet-B.log")
vn_eq "B logs the first refused offload only" 1 "$nb"
na=$(grep -c 'refused a frame from the peer.*destination address is not in' "$VN_TMP/vnet-A.log")
vn_eq "A logs the first unlisted frame of its handler only" 1 "$na"

vn_section "legitimate traffic still flows through a real handler"
vn_check "handle (seed: LOCAL eth0 on B, REMOTE vmnet1 on A)" vn_handle_seed
vn_check "ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 3
vn_check "ping h1 -> vm through the handler" vn_ping h1 "$VM_IP" 3
vn_finish
