#!/usr/bin/env bash
# Jumbo frames: with MTU 9000 on both bridged networks, 8,972-byte pings (9,000-byte IP packets,
# not fragmented) and iperf3 TCP cross both ways, with the offloads at their defaults and then
# with segmentation and checksum offloads off on every veth of the path. A frame larger than the
# far device accepts is not lost silently: with the VM's side back at MTU 1500, 8,972-byte pings
# from h1 are counted in the far daemon's drop_inject and logged once.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
PATH_DEVS=("vm eth0" "gA vmnet1" "gB eth0" "lan p-gB" "lan p-h1" "lan p-h2" "h1 eth0" "h2 eth0")
for pair in "${PATH_DEVS[@]}"; do
    set -- $pair
    vn_ip "$1" link set dev "$2" mtu 9000 || vn_die "mtu 9000 on $2 in $1"
done
vn_eq "the LAN bridge follows its ports to MTU 9000" 9000 \
    "$(vn_in lan cat /sys/class/net/br0/mtu)"
vn_start_seed_daemons

# ping_big NS DST: 3 pings of 8972 bytes that may not be fragmented; succeeds when all 3 return.
ping_big() {
    local out rx
    out=$(vn_in "$1" timeout --foreground -k 2 15 ping -n -c 3 -i 0.3 -W 2 -M "do" -s 8972 "$2" 2>&1)
    rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
    vn_log "ping -s 8972 -M do $1 -> $2: ${rx:-0}/3 replies"
    [ "${rx:-0}" = 3 ]
}
# a_stat FIELD: the value of FIELD in daemon A's STATS? line of its only handler.
a_stat() {
    vn_client gB -p "$PASS_A" -h "$UL_A" -c stats >/dev/null
    printf '%s\n' "$VN_OUT" | sed -n 3p | tr ' ' '\n' | sed -n "s/^$1=//p"
}

vn_check "handle answers OK ID (exit 0)" vn_handle_seed
for mode in "offloads on" "offloads off"; do
    if [ "$mode" = "offloads off" ]; then
        for pair in "${PATH_DEVS[@]}"; do
            set -- $pair
            vn_in "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
                vn_log "ethtool -K $2 in $1: some offloads could not be changed"
        done
        vn_check "vm's eth0 reports tcp-segmentation-offload off" \
            sh -c "ip netns exec $(vn_ns vm) ethtool -k eth0 | grep -q '^tcp-segmentation-offload: off'"
    fi
    vn_section "MTU 9000 on both networks, $mode"
    vn_check "ping -s 8972 -M do h1 -> vm ($mode)" ping_big h1 "$VM_IP"
    vn_check "ping -s 8972 -M do vm -> h1 ($mode)" ping_big vm "$H1_IP"
    vn_check "iperf3 TCP vm -> h1 ($mode) received data" vn_iperf h1 "$H1_IP" vm
    vn_check "iperf3 TCP h1 -> vm ($mode) received data" vn_iperf vm "$VM_IP" h1
done
vn_eq "no frame was dropped on injection so far (A's drop_inject)" 0 "$(a_stat drop_inject)"

vn_section "the VM's network back at MTU 1500: too large for vmnet1"
vn_ip vm link set dev eth0 mtu 1500
vn_ip gA link set dev vmnet1 mtu 1500
vn_check "ping -s 8972 h1 -> vm gets no reply" eval '! ping_big h1 "$VM_IP"'
vn_eq "A counts the 3 echo requests in drop_inject" 3 "$(a_stat drop_inject)"
vn_eq "A logged the drop once" 1 \
    "$(grep -c 'cannot inject a 9014-byte frame on vmnet1: Message too long' "$VN_TMP/vnet-A.log")"
vn_check "pings of the usual size still cross" vn_ping h1 "$VM_IP" 3
vn_eq "the drop log line is still the only one" 1 "$(grep -c 'cannot inject' "$VN_TMP/vnet-A.log")"

vn_finish
