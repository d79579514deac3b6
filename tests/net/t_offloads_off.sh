#!/usr/bin/env bash
# The example scenario with every segmentation and checksum offload turned off on all the
# hosts' and gateways' veths: vnet must not depend on GSO super-frames or partial checksums
# (the default-offload case is t_seed_scenario). Ping and iperf3 TCP both ways, with the
# frames checked to be plain MTU-size ones.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
for pair in "vm eth0" "h1 eth0" "h2 eth0" "gA vmnet1" "gB eth0"; do
    set -- $pair
    vn_in "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
        vn_log "ethtool -K $2 in $1: some offloads could not be changed"
done
vn_check "offloads off: vm's eth0 reports tcp-segmentation-offload off" \
    sh -c "ip netns exec $(vn_ns vm) ethtool -k eth0 | grep -q '^tcp-segmentation-offload: off'"
vn_start_seed_daemons

vn_section "bridge with offloads off"
vn_check "handle answers OK ID (exit 0)" vn_handle_seed
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 5
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 5
vn_check "iperf3 TCP vm -> h1 (3 s, offloads off) received data" vn_iperf h1 "$H1_IP" vm
vn_check "iperf3 TCP h1 -> vm (3 s, offloads off) received data" vn_iperf vm "$VM_IP" h1

vn_section "no frame above the MTU crossed (nothing to segment)"
vn_client gB -p "$PASS_B" -h "$UL_B" -c stats
out=$(printf '%s\n' "$VN_OUT" | sed -n 3p)
vn_log "gB stats: $out"
frames=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^out_frames=//p')
bytes=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^out_bytes=//p')
vn_check "gB captured frames ($frames)" test "${frames:-0}" -gt 0
vn_check "gB's captured frames average at most 1514 bytes ($bytes / $frames)" \
    test "$(( ${bytes:-0} / (${frames:-0} > 0 ? frames : 1) ))" -le 1514

vn_finish
