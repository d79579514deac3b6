#!/usr/bin/env bash
# A guarded port (vnet-bridging(7), GUARDED PORT), in the example scenario of the VNET 0.9 README:
# the VM (ns vm, behind gA) is a guest on the home LAN (br0: h1, h2) through gB's LOCAL side.
#  - the guest gets its lease from the home LAN's DHCP server (dnsmasq on h1) through vnet;
#  - by default, a rogue DHCP server and a rogue router advertisement in the guest's namespace
#    reach nothing on the home LAN (h2 gets no offer; a watcher on h2 sees no UDP 67 -> 68 and no
#    ICMPv6 type 134 from the guest's MAC), counted in gB's drop_rogue;
#  - a broadcast flood from the guest (20,000 frames in 2 s) is cut near the limit (1,000 frames
#    a second, 2,000 at once), counted in drop_flood, while pings through the same handler lose
#    nothing;
#  - with gB started --allow-dhcp-server --allow-ra --flood-limit off, all three reach h2.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v dnsmasq >/dev/null || vn_die "missing tool: dnsmasq (package dnsmasq-base; make deps)"
command -v busybox >/dev/null || vn_die "missing tool: busybox (package busybox; make deps)"
vn_topology
MARK=vnet-guard-flood
FLOOD_N=20000
FLOOD_S=2

# dhcp_server NS TAG FIRST LAST: dnsmasq serving FIRST-LAST on NS's eth0 (log dnsmasq-TAG.log);
# sets DHCPD (its pid).
dhcp_server() {
    local ns=$1 tag=$2
    vn_bg "$ns" timeout -k 2 120 dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
        --no-hosts --port=0 --interface=eth0 --bind-interfaces --user=root --group=root \
        --dhcp-range="$3,$4,255.255.255.0,5m" --dhcp-authoritative \
        --dhcp-leasefile="$VN_TMP/leases-$tag" --pid-file="$VN_TMP/dnsmasq-$tag.pid" \
        --log-facility="$VN_TMP/dnsmasq-$tag.log" --log-dhcp
    DHCPD=$VN_BG
    vn_wait_until 5 udp67 "$ns" || vn_fail "dnsmasq on $ns does not listen on UDP 67"
}
udp67() { [ -n "$(vn_in "$1" ss -Hlun 'sport = :67' 2>/dev/null)" ]; }
stop_bg() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# dhcp_client NS: busybox udhcpc on NS's eth0 (4 discovers, 2 s apart; nothing configured);
# sets LEASE to "IP SERVER" of the lease it got, or empty.
printf '#!/bin/sh\n[ "$1" = bound ] && echo "$ip $serverid" >>"$LEASE_OUT"\nexit 0\n' \
    >"$VN_TMP/udhcpc.sh"
chmod 755 "$VN_TMP/udhcpc.sh"
dhcp_client() {
    rm -f "$VN_TMP/lease-$1"
    vn_in "$1" env LEASE_OUT="$VN_TMP/lease-$1" timeout -k 2 20 busybox udhcpc -f -q -n \
        -i eth0 -t 4 -T 2 -s "$VN_TMP/udhcpc.sh" >"$VN_TMP/udhcpc-$1.log" 2>&1
    LEASE=$(head -n 1 "$VN_TMP/lease-$1" 2>/dev/null)
    vn_log "udhcpc on $1: lease '${LEASE}'"
}

# watch_start: count on h2 what arrives from the guest's MAC (guard_frames.py watch).
watch_start() {
    rm -f "$VN_TMP/ready-w" "$VN_TMP/ready-w.stop" "$VN_TMP/watch"
    vn_bg h2 env PYTHONPATH="$VN_PYPATH" timeout -k 2 90 "$VN_PY" "$VN_PYDIR/guard_frames.py" \
        watch eth0 "$VM_MAC" "$MARK" 60 "$VN_TMP/ready-w" "$VN_TMP/watch"
    vn_wait_file "$VN_TMP/ready-w" 5 || vn_fail "the watcher on h2 did not start"
}
watch_get() {
    : >"$VN_TMP/ready-w.stop"
    vn_wait_file "$VN_TMP/watch" 10 || { echo -1; return; }
    awk -v k="$1" '$1 == k {print $2}' "$VN_TMP/watch"
}
# b_stat NAME: the counter NAME of gB's handler.
b_stat() { vn_stats_sum gB "$UL_B" "$PASS_B" "$1"; }

# flood: the guest sends FLOOD_N broadcasts over FLOOD_S seconds while h1 pings it 20 times
# (0.05 s apart); sets SENT, SECS, DELIVERED, SPAN, PING_RX.
flood() {
    watch_start
    vn_in vm "$VN_PY" "$VN_PYDIR/guard_frames.py" flood eth0 "$VM_MAC" "$FLOOD_N" "$FLOOD_S" "$MARK" \
        >"$VN_TMP/flood.out" 2>&1 &
    local fpid=$!
    VN_BGPIDS+=("$fpid")
    local pout
    pout=$(vn_in h1 timeout -k 2 15 ping -n -c 20 -i 0.05 -W 2 "$VM_IP" 2>&1)
    wait "$fpid"
    PING_RX=$(printf '%s\n' "$pout" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
    sleep 1     # the last frames cross
    DELIVERED=$(watch_get flood)
    SPAN=$(awk '$1 == "span" {print $2}' "$VN_TMP/watch")
    SENT=$(awk '$1 == "sent" {print $2}' "$VN_TMP/flood.out")
    SECS=$(awk '$1 == "seconds" {print $2}' "$VN_TMP/flood.out")
    vn_log "flood: the guest sent ${SENT:-?} broadcasts in ${SECS:-?} s; h2 received ${DELIVERED} (first to last ${SPAN:-?} s); ping h1 -> vm: ${PING_RX:-0}/20"
}

start_b() {
    vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 "$@"
    vn_check "handle (the example scenario) answers OK" vn_handle_seed
}

vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
start_b
vn_check "ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 3
# Unicast only from here on for the pings: ARP is broadcast, and the flood uses up its share.
vn_ip vm neigh replace "$H1_IP" lladdr "$H1_MAC" dev eth0 nud permanent
vn_ip h1 neigh replace "$VM_IP" lladdr "$VM_MAC" dev eth0 nud permanent

vn_section "the guest gets its lease from the home LAN's DHCP server"
dhcp_server h1 home 198.18.0.100 198.18.0.119
dhcp_client vm
vn_match "the guest's udhcpc got a lease from h1 (198.18.0.1)" '^198\.18\.0\.1[01][0-9] 198\.18\.0\.1$' "$LEASE"
stop_bg "$DHCPD"

vn_section "by default, a rogue DHCP server in the guest's namespace reaches nothing on the home LAN"
watch_start
dhcp_server vm rogue 198.18.0.200 198.18.0.219
dhcp_client h2
vn_eq "h2 gets no lease (the only server is the guest's)" "" "$LEASE"
vn_section "... nor a rogue router advertisement"
vn_in vm "$VN_PY" "$VN_PYDIR/guard_frames.py" ra eth0 "$VM_MAC" 3 >/dev/null
sleep 0.5
vn_eq "h2 saw no UDP 67 -> 68 from the guest's MAC" 0 "$(watch_get dhcp)"
vn_eq "h2 saw no router advertisement from the guest's MAC" 0 "$(watch_get ra)"
stop_bg "$DHCPD"
vn_check "the guest's server did answer (its log has DHCPOFFER)" grep -q DHCPOFFER "$VN_TMP/dnsmasq-rogue.log"
ROGUE=$(b_stat drop_rogue)
vn_log "gB: drop_rogue=$ROGUE"
vn_check "gB counts the offers and the 3 advertisements in drop_rogue (>= 4: $ROGUE)" test "$ROGUE" -ge 4
vn_check "gB logs it" grep -q "refused a DHCP server's message from $VM_MAC" "$VN_TMP/vnet-B.log"
n=$(grep -c "drop_rogue, logged at most once a minute" "$VN_TMP/vnet-B.log")
vn_eq "... once (at most once a minute)" 1 "$n"

vn_section "by default, a broadcast flood from the guest is cut near 1,000 frames a second"
flood
limit=$(awk -v s="${SPAN:-0}" -v t="${SECS:-0}" 'BEGIN { if (t > s) s = t; printf "%d", 2000 + 1000 * s * 1.5 }')
vn_check "the guest sent $FLOOD_N broadcasts (${SENT:-0})" test "${SENT:-0}" -eq "$FLOOD_N"
vn_check "h2 received at most $limit of them (2,000 + 1,000 a second x 1.5: $DELIVERED)" \
    test "$DELIVERED" -le "$limit"
vn_check "h2 received the burst's worth at least (>= 1,000: $DELIVERED)" test "$DELIVERED" -ge 1000
FLOODED=$(b_stat drop_flood)
vn_log "gB: drop_flood=$FLOODED drop_rogue=$(b_stat drop_rogue)"
vn_check "gB counts the excess in drop_flood (>= $((FLOOD_N - limit)): $FLOODED)" \
    test "$FLOODED" -ge $((FLOOD_N - limit))
vn_eq "unicast through the same handler went on: ping h1 -> vm 20/20" 20 "${PING_RX:-0}"
vn_check "gB logs the flood" grep -q "drop_flood, logged at most once a minute" "$VN_TMP/vnet-B.log"

vn_section "gB started --allow-dhcp-server --allow-ra --flood-limit off: all of it reaches h2"
vn_stop_daemon B TERM
vn_check "A lets go of the handler" vn_wait_handlers A 0 10
start_b --allow-dhcp-server --allow-ra --flood-limit off
vn_check "ping vm -> h1 through the new handler" vn_ping vm "$H1_IP" 3
watch_start
dhcp_server vm rogue2 198.18.0.200 198.18.0.219
dhcp_client h2
vn_match "h2 gets a lease from the guest's server (198.18.0.10)" '^198\.18\.0\.2[01][0-9] 198\.18\.0\.10$' "$LEASE"
vn_in vm "$VN_PY" "$VN_PYDIR/guard_frames.py" ra eth0 "$VM_MAC" 3 >/dev/null
sleep 0.5
d=$(watch_get dhcp)
vn_check "h2 saw UDP 67 -> 68 from the guest's MAC ($d)" test "$d" -ge 1
vn_eq "h2 saw the 3 router advertisements" 3 "$(watch_get ra)"
stop_bg "$DHCPD"
flood
vn_check "without a limit, h2 received more than 2,000 + 1,000 a second x 1.5 ($DELIVERED > $limit)" \
    test "$DELIVERED" -gt "$limit"
vn_eq "ping h1 -> vm 20/20" 20 "${PING_RX:-0}"
vn_eq "gB: drop_rogue=0" 0 "$(b_stat drop_rogue)"
vn_eq "gB: drop_flood=0" 0 "$(b_stat drop_flood)"

vn_finish
