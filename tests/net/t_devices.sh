#!/usr/bin/env bash
# Devices come and go: a -d device that appears after start-up becomes usable; a device deleted
# under a handler closes that handler on both daemons; a TAP device owned by vnet (-d tap:NAME)
# plugs gA's own host into the LAN and vanishes with the daemon, even after kill -9.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
VM3_MAC=02:00:c6:12:00:0c
VM3_IP=198.18.0.12
TAP_MAC=02:00:c6:12:00:14
TAP_IP=198.18.0.20
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 late0 tap:vtap0
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0

# devline NAME: gA's DEVINFO? line for NAME
devline() {
    vn_query gB "$UL_A" "$PASS_A" devinfo >/dev/null
    printf '%s\n' "$VN_LINES" | awk -v n="$1" '$1 == n'
}

vn_section "a -d device that appears later"
vn_match "late0 is listed as absent at first" '^late0 - 0 absent$' "$(devline late0)"
vn_add_vm vm3 late0 "$VM3_MAC" "$VM3_IP" 02:00:c6:13:00:a3
sleep 0.5
vn_match "once created, late0 is listed with its MAC, MTU and state up" '^late0 02:00:c6:13:00:a3 1500 up$' "$(devline late0)"
vn_check "a handler on late0" vn_handle_seed late0 "$VM3_MAC" "$BCAST"
vn_check "ping vm3 -> h1 through late0" vn_ping vm3 "$H1_IP" 3

vn_section "the device goes away under its handler"
vn_ip gA link del late0
vn_check "gA drops the handler within 5 s" vn_wait_handlers A 0 5
vn_check "gB drops it too within 5 s" vn_wait_handlers B 0 5
vn_match "late0 is absent again" '^late0 - 0 absent$' "$(devline late0)"
vn_check "gA daemon still running" kill -0 "${VN_DPID[A]}"

vn_section "a TAP device owned by vnet (tap:vtap0)"
vn_check "vtap0 exists in gA" vn_link_exists gA vtap0
vn_match "DEVINFO? lists vtap0 (not absent)" '^vtap0 ([0-9a-f]{2}:){5}[0-9a-f]{2} [0-9]+ (up|down)$' "$(devline vtap0)"
vn_ip gA link set vtap0 address "$TAP_MAC"
vn_ip gA addr add "$TAP_IP/24" dev vtap0
vn_ip gA link set vtap0 up
vn_check "a handler for gA's own host through vtap0" vn_handle_seed vtap0 "$TAP_MAC" "$BCAST"
vn_check "ping gA (vtap0) -> h1" vn_ping gA "$H1_IP" 3
vn_check "ping h2 -> gA (vtap0)" vn_ping h2 "$TAP_IP" 3
vn_check "iperf3 TCP gA (vtap0) -> h1 (3 s, TAP offloads) received data" vn_iperf h1 "$H1_IP" gA
vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vtap0 -g local -j 02:00:c6:12:00:15
vn_eq "a second handler on the same TAP: NOK (exit 1)" 1 "$VN_RC"
vn_match "... the TAP is in use" 'in use' "$VN_ERR"

vn_section "a TAP name that already exists"
vn_client gA -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "gA still answers DEVICES?" 0 "$VN_RC"
out=$(vn_in gA timeout --foreground -k 2 $((5 * VN_SLOW)) ${VN_WRAP[@]+"${VN_WRAP[@]}"} "$VNET" "$PASS_A" \
    -h "$UL_A" -p 4457 -d tap:vmnet1 2>&1)
rc=$?
vn_log "vnet -d tap:vmnet1 -> exit $rc: $out"
vn_check "vnet -d tap:vmnet1 (vmnet1 exists) refuses to start (exit 1 or 2, got $rc)" test "$rc" = 1 -o "$rc" = 2
vn_check "vmnet1 is still there" vn_link_exists gA vmnet1

vn_section "the TAP vanishes with its daemon, even after kill -9"
vn_stop_daemon A KILL
vn_check "vtap0 is gone within 3 s of kill -9" vn_wait_until 3 vn_link_gone gA vtap0
vn_check "gB drops the handler within 5 s" vn_wait_handlers B 0 5

vn_finish
