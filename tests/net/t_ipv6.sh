#!/usr/bin/env bash
# IPv6 across the bridge with one address pattern: the example scenario's handler lists the VM,
# the broadcast address and 33:33:00:00:00:00/16 (every IPv6 multicast group), nothing by hand.
#  - HANDLERS? on both daemons shows the pattern as given;
#  - h1 pings the VM's IPv6 link-local address (neighbour discovery through the pattern);
#  - a router advertisement from h1 (prefix 2001:db8:1::/64, crafted with a raw socket: there is
#    no radvd) gives the VM a SLAAC address, which h1 pings, and the VM pings h1 back;
#  - other multicast stays out: a frame to 01:00:5e:00:00:fb (IPv4 multicast) is not bridged, a
#    frame to 33:33:00:00:00:fb is;
#  - a peer's frame to a 33:33 group is injected by a REMOTE side that lists the pattern, one to
#    01:00:5e:00:00:01 is refused (drop_unlisted);
#  - a pattern with bits beyond its length is refused with NOK.
# IPv6 is turned on in vm and h1 only (lib.sh leaves it off on hosts).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
V6PAT=33:33:00:00:00:00/16
H1_V6=2001:db8:1::1

for ns in vm h1; do
    vn_in "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
        net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.disable_ipv6=0 ||
        vn_die "cannot enable IPv6 in $ns"
done
vn_in vm sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
    net.ipv6.conf.eth0.addr_gen_mode=0
vn_ip h1 addr add "$H1_V6/64" dev eth0 nodad
vn_start_seed_daemons

# v6addr NS SCOPE: the first IPv6 address of NS's eth0 in SCOPE (link or global), or empty.
v6addr() {
    vn_ip "$1" -6 -o addr show dev eth0 scope "$2" | awk '{sub("/.*", "", $4); print $4; exit}'
}
# ping6 NS DST: succeeds when at least 2 of 3 replies arrive.
ping6_ok() {
    local out rx
    out=$(vn_in "$1" timeout --foreground -k 2 12 ping -6 -n -c 3 -i 0.3 -W 2 "$2" 2>&1)
    rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
    vn_log "ping -6 $1 -> $2: ${rx:-0}/3 replies"
    [ "${rx:-0}" -ge 2 ]
}

vn_section "a pattern with bits beyond its length is refused"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
    -g local -j "$VM_MAC" 33:33:00:00:00:01/16
vn_check "vnetclient -j 33:33:00:00:00:01/16 fails (exit $VN_RC)" test "$VN_RC" != 0
vn_match "it says why" 'bits set beyond the prefix length' "$VN_ERR$VN_OUT"
vn_py_checks gB ipv6_begin.py

vn_section "handler with the VM, broadcast and $V6PAT"
vn_check "handle -j VM ff:ff:ff:ff:ff:ff $V6PAT -> OK ID" vn_handle_seed vmnet1 "$VM_MAC" "$BCAST" "$V6PAT"
for side in A B; do
    "vn_handlers_$side"
    if vn_parse_handler "$VN_LINES"; then
        vn_eq "HANDLERS? on $side shows the list as given" "$VM_MAC $BCAST $V6PAT" "$H_MACS"
    else
        vn_fail "HANDLERS? on $side: malformed '$VN_LINES'"
    fi
done

vn_section "neighbour discovery: h1 reaches the VM's link-local address"
VM_LL=$(v6addr vm link)
vn_check "the VM has a link-local address ($VM_LL)" test -n "$VM_LL"
# Freshly enabled IPv6 drops the first packets for about a second, bridge or not (seen on a
# plain veth pair here): let it settle.
sleep 2
vn_check "ping -6 h1 -> $VM_LL%eth0" ping6_ok h1 "$VM_LL%eth0"

vn_section "SLAAC: a router advertisement from h1 gives the VM an address"
vn_py_checks h1 ipv6_slaac.py
VM_G=""
for ((i = 0; i < 50 * VN_SLOW; i++)); do
    VM_G=$(v6addr vm global)
    [ -n "$VM_G" ] && break
    sleep 0.1
done
vn_match "the VM configured an address in 2001:db8:1::/64 ($VM_G)" '^2001:db8:1:0?:' "$VM_G"
vn_check "ping -6 h1 -> $VM_G (the VM's SLAAC address)" ping6_ok h1 "$VM_G"
vn_check "ping -6 vm -> $H1_V6" ping6_ok vm "$H1_V6"

vn_section "other multicast stays out"
vn_marks_start vm eth0 vm V6-GROUP V4-GROUP
vn_py_checks h1 ipv6_groups.py
sleep 1
vn_eq "the frame to 33:33:00:00:00:fb reached the VM" 1 "$(vn_wiretap_get vm V6-GROUP)"
vn_eq "the frame to 01:00:5e:00:00:fb (IPv4 multicast) did not" 0 "$(vn_wiretap_get vm V4-GROUP)"

vn_section "a REMOTE side that lists the pattern injects a peer's frames to 33:33 groups"
vn_marks_start vm eth0 vm2 R-V6ALL R-V6SOL R-V4
vn_py_checks gB ipv6_peer.py
sleep 0.5
vn_eq "the peer's frame to 33:33:00:00:00:01 reached the VM" 1 "$(vn_wiretap_get vm2 R-V6ALL)"
vn_eq "the peer's frame to 33:33:ff:12:00:0a reached the VM" 1 "$(vn_wiretap_get vm2 R-V6SOL)"
vn_eq "the peer's frame to 01:00:5e:00:00:01 did not" 0 "$(vn_wiretap_get vm2 R-V4)"

vn_finish
