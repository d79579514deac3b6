#!/usr/bin/env bash
# A hub is not a loop: daemon A has two devices, la and lb, on one bridge br0; a handler joins
# B's z1 (on br1, where h1 is) to la, another joins lb to B's z2 (on br2, where h2 is). br1 and
# br2 are separate LANs, so there is no loop: a broadcast from h1 goes z1 => la -> br0 -> lb =>
# z2 -> h2 and must arrive once. A captures on lb the frame it just injected on la: that is a
# first visit of lb, not a frame coming back, and must be forwarded (drop_loop stays 0). Then h1
# sends 10 identical TCP resets (as a host aborting a connection does) to the broadcast address:
# A captures the copies on lb within half a second of each other; they are not a loop either
# (drop_loop stays 0, nothing logged). Run with A's shared capture, then with its classic engine
# (one socket per handler).
#
#   ns lan: br0 (gA la, gA lb)   br1 (gB z1, h1)   br2 (gB z2, h2)
#   gA 198.19.0.1 <-- underlay --> gB 198.19.0.2
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require

vn_log "building topology (prefix $VN_PFX)"
vn_add_ns gA
vn_add_ns gB
vn_add_ns lan 1
vn_underlay
for br in br0 br1 br2; do
    vn_ip lan link add "$br" type bridge stp_state 0 forward_delay 0 || vn_die "bridge $br"
    vn_ip lan link set "$br" up
done
vn_lan_port gA la br0
vn_lan_port gA lb br0
vn_lan_port gB z1 br1
vn_lan_port gB z2 br2
# host_on NS MAC IP BRIDGE: a host whose eth0 is a port of BRIDGE.
host_on() {
    vn_add_ns "$1" 1
    vn_ip lan link add "p-$1" type veth peer name eth0 address "$2" netns "$VN_PFX$1" || vn_die "veth $1"
    vn_ip lan link set "p-$1" master "$4" up
    vn_ip "$1" addr add "$3/24" dev eth0
    vn_ip "$1" link set eth0 up
}
host_on h1 "$H1_MAC" "$H1_IP" br1
host_on h2 "$H2_MAC" "$H2_IP" br2
vn_in gA ping -c 1 -W 2 -q "$UL_B" >/dev/null || vn_die "underlay ping gA -> gB failed"

# no_loop_logged TAG: the daemon's log mentions no forwarding loop.
no_loop_logged() { ! grep -q "forwarding loop" "$VN_TMP/vnet-$1.log"; }
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d z1 z2

# hub ENGINE T1 T2: start A with ENGINE, join the LANs through it; h1 asks for T1, then T2.
hub() {
    local saved=("${VN_WRAP[@]+"${VN_WRAP[@]}"}") t n
    : >"$VN_TMP/vnet-A.log"
    # shellcheck disable=SC2054  # setpriv takes one comma-separated list
    [ "$1" = classic ] && VN_WRAP=(setpriv --bounding-set=-bpf,-sys_admin "${saved[@]+"${saved[@]}"}")
    vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d la lb
    VN_WRAP=("${saved[@]+"${saved[@]}"}")
    if [ "$1" = shared ]; then
        vn_check "A runs the shared capture" grep -q "capture: one socket per device" "$VN_TMP/vnet-A.log"
    else
        vn_check "A runs the classic engine" grep -q "capture: one socket and classic BPF" "$VN_TMP/vnet-A.log"
    fi
    vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e z1 -f la -g local -j "$BCAST"
    vn_match "handler B z1 <-> A la (broadcasts)" '^OK [0-9]+$' "$VN_OUT"
    vn_client gA -p "$PASS_A" -h "$UL_A" -c handle -b "$PASS_B" -d "$UL_B" -e lb -f z2 -g local -j "$BCAST"
    vn_match "handler A lb <-> B z2 (broadcasts)" '^OK [0-9]+$' "$VN_OUT"
    vn_check "A has both handlers" vn_wait_handlers A 2 10
    for t in "$2" "$3"; do
        vn_one_broadcast "$1-$t" "$t"
        vn_check "$1: h2 got h1's broadcast once (saw ${COPIES:-0})" test "${COPIES:-0}" -eq 1
    done
    vn_in h1 "$VN_PY" "$VN_PYDIR/reset_burst.py" send eth0 "$BCAST" "$H1_MAC" "$H1_IP" "$H2_IP" 4 10
    sleep 0.5
    n=$(vn_stats_sum gA "$UL_A" "$PASS_A" drop_loop)
    vn_check "$1: A counted no loop (drop_loop $n)" [ "$n" -eq 0 ]
    n=$(vn_stats_sum gA "$UL_B" "$PASS_B" drop_loop)
    vn_check "$1: B counted no loop (drop_loop $n)" [ "$n" -eq 0 ]
    vn_check "$1: A logged no loop" no_loop_logged A
    vn_stop_daemon A
    vn_check "$1: B's handlers are gone with A" vn_wait_handlers B 0 10
}

vn_section "a hub with A's shared capture"
hub shared 198.18.0.97 198.18.0.96
vn_section "a hub with A's classic engine"
hub classic 198.18.0.95 198.18.0.94

vn_finish
