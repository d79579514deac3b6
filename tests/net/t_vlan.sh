#!/usr/bin/env bash
# 802.1Q tags cross the bridge. The kernel moves a received frame's tag into its metadata
# before packet sockets see it (rx-vlan-offload or not); vnet reads it back (PACKET_AUXDATA)
# and puts it into the frame, so the far side injects the frame tagged, priority bits included.
# This kernel has no 8021q module (no VLAN devices): raw sockets send tagged frames (the tag in
# the frame's bytes) and read them on the far side, with the tag from the metadata.
#  - h1 -> vm and vm -> h1: VID 42 with PCP 5, a priority-tagged frame (VID 0, PCP 3), an
#    802.1ad (0x88a8) tag; each arrives once, with its tag, its payload and its length;
#  - a tagged TCP GSO super-frame with a partial checksum from vm arrives at h1 tagged, with
#    the checksum start still at the TCP header (the offsets moved with the tag);
#  - the same with rx-vlan-offload and tx-vlan-offload off on every veth of the path;
#  - the same between h1 and gA's own host through a TAP device of vnet (tap:vtap0), where the
#    tag travels in the frame's bytes (the TAP driver writes it there);
#  - untagged frames still cross untagged.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
TAP_MAC=02:00:c6:12:00:14
vn_start_seed_daemons vmnet1 tap:vtap0
vn_ip gA link set vtap0 address "$TAP_MAC" up


vn_check "handle answers OK ID (exit 0)" vn_handle_seed

# vlan_listen NS DEV TAG MARKER: record the frames holding MARKER that arrive on NS's DEV.
vlan_listen() {
    rm -f "$VN_TMP/ready-$3" "$VN_TMP/ready-$3.stop" "$VN_TMP/wire-$3"
    vn_bg "$1" "$VN_PY" "$VN_PYDIR/vlan.py" listen "$2" $((30 * VN_SLOW)) "$4" \
        "$VN_TMP/ready-$3" "$VN_TMP/wire-$3"
    vn_wait_file "$VN_TMP/ready-$3" 5 || vn_fail "listener $3 did not start"
}
# vlan_heard TAG: the recorded lines (stops the listener first).
vlan_heard() {
    : >"$VN_TMP/ready-$1.stop"
    vn_wait_file "$VN_TMP/wire-$1" 5 || { echo "no-output"; return; }
    cat "$VN_TMP/wire-$1"
}
vlan_send() { vn_in "$1" "$VN_PY" "$VN_PYDIR/vlan.py" send "${@:2}"; }

# vlan_round MODE NS DEV MAC IP: frames both ways between h1 and the machine MAC (address IP)
# on NS's DEV; MODE names the setting in the check names.
vlan_round() {
    local mode=$1 ns=$2 dev=$3 mac=$4 ipaddr=$5 out side
    vn_section "tagged frames, $mode"
    vlan_listen "$ns" "$dev" "far-$mode" "V$mode"
    vlan_listen h1 eth0 "h1-$mode" "H$mode"
    # h1 -> machine (captured by B's LOCAL side on eth0), machine -> h1 (by A's REMOTE side)
    vlan_send h1 eth0 "$mac" "$H1_MAC" 8100 a02a "V$mode-q42"
    vlan_send h1 eth0 "$mac" "$H1_MAC" 8100 6000 "V$mode-prio"
    vlan_send h1 eth0 "$mac" "$H1_MAC" 88a8 0007 "V$mode-ad"
    vlan_send h1 eth0 "$mac" "$H1_MAC" 0 0 "V$mode-plain"
    vlan_send h1 eth0 "$mac" "$H1_MAC" 8100 a02a "V$mode-full" 1518
    vlan_send "$ns" "$dev" "$H1_MAC" "$mac" 8100 a02a "H$mode-q42"
    vlan_send "$ns" "$dev" "$H1_MAC" "$mac" 8100 6000 "H$mode-prio"
    vlan_send "$ns" "$dev" "$H1_MAC" "$mac" 0 0 "H$mode-plain"
    vn_in "$ns" "$VN_PY" "$VN_PYDIR/vlan.py" sendgso "$dev" "$H1_MAC" "$mac" "$ipaddr" "$H1_IP" \
        a02a "H$mode-gso"
    sleep 1
    for side in far h1; do
        out=$(vlan_heard "$side-$mode")
        vn_log "heard on $side ($mode): TPID TCI TYPE LEN FLAGS CSUM_START GSO_TYPE GSO_SIZE"
        printf '%s\n' "$out" | sed 's/^/    /'
        printf '%s\n' "$out" >"$VN_TMP/heard-$side"
    done
    vlan_expect far "VID 42 PCP 5 h1 -> $dev ($mode)" "^8100 a02a 88b5 96 "
    vlan_expect far "priority tag VID 0 PCP 3 h1 -> $dev ($mode)" "^8100 6000 88b5 96 "
    vlan_expect far "802.1ad tag h1 -> $dev ($mode)" "^88a8 0007 88b5 96 "
    vlan_expect far "untagged frame h1 -> $dev stays untagged ($mode)" "^none - 88b5 100 "
    vlan_expect far "full-size tagged frame (1518 bytes) h1 -> $dev ($mode)" \
        "^8100 a02a 88b5 1514 "
    vlan_expect h1 "VID 42 PCP 5 $dev -> h1 ($mode)" "^8100 a02a 88b5 96 "
    vlan_expect h1 "priority tag VID 0 PCP 3 $dev -> h1 ($mode)" "^8100 6000 88b5 96 "
    vlan_expect h1 "untagged frame $dev -> h1 stays untagged ($mode)" "^none - 88b5 100 "
    # 3054 = 14 + 20 + 20 + 3000; checksum start at the TCP header (34) of the untagged bytes
    vlan_expect h1 "tagged TCP super-frame $dev -> h1, checksum start at TCP ($mode)" \
        "^8100 a02a 0800 3054 1 34 1 1000$"
}

# vlan_expect SIDE DESC REGEX: exactly one frame heard on SIDE matches REGEX.
vlan_expect() {
    local n
    n=$(grep -cE "$3" "$VN_TMP/heard-$1")
    vn_check "$2: arrives once, tagged as sent (got $n)" test "$n" = 1
}

vlan_round offload-on vm eth0 "$VM_MAC" "$VM_IP"
for pair in "h1 eth0" "lan p-h1" "lan p-gB" "gB eth0" "gA vmnet1" "vm eth0"; do
    set -- $pair
    vn_in "$1" ethtool -K "$2" rxvlan off txvlan off >/dev/null 2>&1 ||
        vn_log "ethtool -K $2 rxvlan off txvlan off in $1 failed"
done
vn_check "rx-vlan-offload off on gB's eth0" \
    sh -c "ip netns exec $(vn_ns gB) ethtool -k eth0 | grep -q '^rx-vlan-offload: off'"
vn_check "rx-vlan-offload off on gA's vmnet1" \
    sh -c "ip netns exec $(vn_ns gA) ethtool -k vmnet1 | grep -q '^rx-vlan-offload: off'"
vlan_round offload-off vm eth0 "$VM_MAC" "$VM_IP"

vn_section "a TAP device of vnet: gA's own host on the LAN"
vn_check "handle -e eth0 -f vtap0 -j TAP_MAC ff:ff:ff:ff:ff:ff -> OK ID" \
    vn_handle_seed vtap0 "$TAP_MAC" "$BCAST"
vlan_round tap gA vtap0 "$TAP_MAC" 198.18.0.20

vn_section "nothing refused or lost on the way"
for side in B A; do
    if [ $side = B ]; then vn_client gB -p "$PASS_B" -h "$UL_B" -c stats
    else vn_client gB -p "$PASS_A" -h "$UL_A" -c stats; fi
    vn_eq "$side: STATS? lists both handlers" 2 "$(printf '%s\n' "$VN_OUT" | grep -c ' state=up ')"
    vn_eq "$side: no handler dropped a frame it had to inject (drop_inject)" 0 \
        "$(printf '%s\n' "$VN_OUT" | grep -c 'drop_inject=[1-9]')"
done

vn_finish
