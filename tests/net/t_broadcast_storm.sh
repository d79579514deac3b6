#!/usr/bin/env bash
# Broadcast in the MAC list must not start a storm (SPEC: injected frames are never re-captured).
# A bounded number of broadcast ARP requests is sent from the VM and from a LAN host; the frames
# are counted on the far side and on the sender's side (echo), then the network must go quiet.
# Done twice: with the README's order (VM MAC first, -g local) and with the order the README warns
# about plus the reversed configs (broadcast first, -g remote).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

N=5                 # broadcasts sent by each sender
FROM_VM=198.18.0.99 # unused address the VM asks for
FROM_LAN=198.18.0.98

# count_start NS TAG: count ARP requests for both unused addresses arriving at NS's eth0.
count_start() {
    rm -f "$VN_TMP/ready-$2" "$VN_TMP/count-$2"
    vn_bg "$1" "$VN_PY" "$VN_VNLIB" count eth0 4 "$FROM_VM,$FROM_LAN" \
        "$VN_TMP/ready-$2" "$VN_TMP/count-$2"
    vn_wait_file "$VN_TMP/ready-$2" 5 || vn_die "frame counter in $1 did not start"
}
# count_of TAG IP
count_of() {
    vn_wait_file "$VN_TMP/count-$1" 10 || { echo -1; return; }
    awk -v ip="$2" '$1 == ip {print $2}' "$VN_TMP/count-$1"
}
# in_range VALUE MIN MAX
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# phase LABEL LAN_TO_VM_EXPECTED: send and count; LAN_TO_VM_EXPECTED is "yes" when the handler
# forwards the LAN's broadcasts to the VM.
phase() {
    local label=$1 lan2vm=$2 c
    count_start h2 "$label-h2"
    count_start vm "$label-vm"
    vn_log "$label: vm and h2 each send $N broadcast ARP requests"
    # vn_bg, not "vn_in ... &": its pid is the sender's own, and cleanup knows it.
    vn_bg vm "$VN_PY" "$VN_VNLIB" sendarp eth0 "$VM_MAC" "$VM_IP" "$FROM_VM" "$N" 0.15 >/dev/null
    local s1=$VN_BG
    vn_in h2 "$VN_PY" "$VN_VNLIB" sendarp eth0 "$H2_MAC" "$H2_IP" "$FROM_LAN" "$N" 0.15 >/dev/null
    wait "$s1"

    c=$(count_of "$label-h2" "$FROM_VM")
    vn_log "$label: h2 saw $c of the VM's $N broadcasts"
    vn_check "$label: the VM's $N broadcasts reach h2 about once each (got $c, want $N..$((3 * N - 1)))" \
        in_range "${c:--1}" "$N" $((3 * N - 1))
    c=$(count_of "$label-vm" "$FROM_VM")
    vn_eq "$label: the VM's broadcasts do not come back to the VM" 0 "${c:--1}"
    c=$(count_of "$label-h2" "$FROM_LAN")
    vn_eq "$label: h2's broadcasts do not come back to the LAN" 0 "${c:--1}"
    c=$(count_of "$label-vm" "$FROM_LAN")
    if [ "$lan2vm" = yes ]; then
        vn_check "$label: h2's $N broadcasts reach the VM about once each (got $c)" \
            in_range "${c:--1}" "$N" $((3 * N - 1))
    else
        vn_eq "$label: h2's broadcasts are not forwarded (source not in the list)" 0 "${c:--1}"
    fi

    # After the senders stop, nothing keeps circulating.
    sleep 0.5
    local rh0 rv0 ca0 cb0 rh1 rv1 ca1 cb1
    rh0=$(vn_rx h2 eth0); rv0=$(vn_rx vm eth0)
    ca0=$(vn_cpu_ticks "${VN_DPID[A]}"); cb0=$(vn_cpu_ticks "${VN_DPID[B]}")
    sleep 2
    rh1=$(vn_rx h2 eth0); rv1=$(vn_rx vm eth0)
    ca1=$(vn_cpu_ticks "${VN_DPID[A]}"); cb1=$(vn_cpu_ticks "${VN_DPID[B]}")
    vn_log "$label: 2 s of silence: h2 rx +$((rh1 - rh0)), vm rx +$((rv1 - rv0)), CPU ticks gA +$((ca1 - ca0)), gB +$((cb1 - cb0))"
    vn_check "$label: h2 receives (almost) nothing in 2 s of silence (+$((rh1 - rh0)) frames)" \
        [ $((rh1 - rh0)) -le 2 ]
    vn_check "$label: the VM receives (almost) nothing in 2 s of silence (+$((rv1 - rv0)) frames)" \
        [ $((rv1 - rv0)) -le 2 ]
    vn_check "$label: the daemons stay idle in 2 s of silence (CPU ticks +$((ca1 - ca0)), +$((cb1 - cb0)) of 200)" \
        test $((ca1 - ca0)) -lt 50 -a $((cb1 - cb0)) -lt 50
    vn_check "$label: both daemons still running" kill -0 "${VN_DPID[A]}" "${VN_DPID[B]}"
}

vn_section "phase 1: -g local -j VM_MAC ff:ff:ff:ff:ff:ff (the README's order)"
vn_check "handle (local, VM MAC first)" vn_handle_seed vmnet1 "$VM_MAC" "$BCAST"
phase local yes
vn_check "the bridge still works after the broadcasts: ping vm -> h2" vn_ping vm "$H2_IP" 3
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "${VN_HID:-1}"
vn_eq "close the handler" 0 "$VN_RC"
vn_check "gA has 0 handlers" vn_wait_handlers A 0 5

vn_section "phase 2: -g remote -j ff:ff:ff:ff:ff:ff VM_MAC (broadcast first, reversed configs)"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
    -g remote -j "$BCAST" "$VM_MAC"
vn_eq "handle (remote, broadcast first) exits 0" 0 "$VN_RC"
phase remote no

vn_finish
