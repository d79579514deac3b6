#!/usr/bin/env bash
# TAP devices owned by vnet (-d tap:NAME): the daemon in gA creates vtap0, which plugs gA's own
# host into the LAN of gB through one handler (ping and iperf3 both ways, default offloads); one
# handler at a time per TAP; the TAP goes with the daemon (SIGTERM and kill -9); a TAP name that
# already exists keeps the daemon from starting.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
TAP_MAC=02:00:c6:12:00:14
TAP_IP=198.18.0.20
TAP_PORT2=4457

# tap_gone_within NS DEV SECONDS: succeeds when DEV no longer exists in NS within SECONDS.
tap_gone_within() { vn_wait_until "$3" vn_link_gone "$1" "$2"; }
# a_devline NAME: gA's DEVINFO? line for NAME (asked from gB).
a_devline() {
    vn_query gB "$UL_A" "$PASS_A" devinfo >/dev/null
    printf '%s\n' "$VN_LINES" | awk -v n="$1" '$1 == n'
}

vn_section "daemon A with -d tap:vtap0 (no vmnet1)"
vn_check "before start: no vtap0 in gA" eval '! vn_link_exists gA vtap0'
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d tap:vtap0
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0
vn_check "after start: ip -n gA link show vtap0 succeeds" vn_link_exists gA vtap0
vn_match "ip -d link show vtap0: it is a TAP device" 'tun type tap|tuntap|tap' "$(vn_ip gA -d link show vtap0 2>&1)"
vn_match "A's log says it created the TAP" 'created TAP device vtap0' "$(cat "$VN_TMP/vnet-A.log")"
vn_query gB "$UL_A" "$PASS_A" devinfo
vn_eq "DEVINFO? on A: exactly one device" 1 "$VN_COUNT"
vn_match "DEVINFO? on A lists vtap0 with a MAC, an MTU and a state" \
    '^vtap0 ([0-9a-f]{2}:){5}[0-9a-f]{2} [0-9]+ (up|down)$' "$VN_LINES"

vn_section "configure the TAP like any device: fixed MAC, address, up"
vn_ip gA link set vtap0 address "$TAP_MAC"
vn_ip gA addr add "$TAP_IP/24" dev vtap0
vn_ip gA link set vtap0 up
vn_eq "DEVINFO? shows the MAC we set and state up" "vtap0 $TAP_MAC 1500 up" "$(a_devline vtap0)"

vn_section "before the handler: gA cannot reach the LAN"
vn_check "no handler yet: ping gA -> h1 fails" vn_ping_fails gA "$H1_IP"

vn_section "handler from gB: eth0 (LOCAL) <-> vtap0 (REMOTE)"
vn_check "handle -e eth0 -f vtap0 -g local -j TAP_MAC ff:ff:ff:ff:ff:ff -> OK ID" \
    vn_handle_seed vtap0 "$TAP_MAC" "$BCAST"
vn_handlers_A
vn_eq "A lists one handler" 1 "$VN_COUNT"
if vn_parse_handler "$VN_LINES"; then
    vn_eq "A's handler uses vtap0 under its plain name" vtap0 "$H_LDEV"
    vn_eq "A's side is REMOTE" REMOTE "$H_LCONF"
    vn_eq "A's handler lists the TAP's MAC and broadcast" "$TAP_MAC $BCAST" "$H_MACS"
else
    vn_fail "A's handler line is malformed: '$VN_LINES'"
fi
vn_check "ping gA (vtap0, 198.18.0.20) -> h1" vn_ping gA "$H1_IP" 5
vn_check "ping h1 -> gA (198.18.0.20)" vn_ping h1 "$TAP_IP" 5
vn_check "iperf3 TCP gA (vtap0) -> h1 (default offloads) received bytes > 0" vn_iperf h1 "$H1_IP" gA
vn_check "iperf3 TCP h1 -> gA (vtap0) (default offloads) received bytes > 0" vn_iperf gA "$TAP_IP" h1
vn_check "after iperf3 both ways, ping gA -> h1 still works" vn_ping gA "$H1_IP" 3

vn_section "one handler at a time on a TAP"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vtap0 \
    -g local -j 02:00:c6:12:00:15
vn_eq "a second handler on vtap0: NOK (exit 1)" 1 "$VN_RC"
vn_match "... the reason says the TAP is in use" 'in use' "$VN_ERR"
vn_handlers_A
vn_eq "A still lists exactly one handler" 1 "$VN_COUNT"
vn_handlers_B
vn_eq "B still lists exactly one handler" 1 "$VN_COUNT"
vn_check "the first handler still carries traffic: ping gA -> h1" vn_ping gA "$H1_IP" 3

vn_section "SIGTERM: the TAP goes with the daemon"
vn_stop_daemon A TERM
vn_eq "A exits 0 on SIGTERM" 0 "$VN_DRC"
vn_check "vtap0 is gone after A's SIGTERM (within 3 s)" tap_gone_within gA vtap0 3
vn_check "B drops the handler within 5 s" vn_wait_handlers B 0 5
vn_match "A's log says it removed the TAP" 'removed TAP device vtap0' "$(cat "$VN_TMP/vnet-A.log")"

vn_section "kill -9: the TAP goes too"
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d tap:vtap0
vn_check "restarted A: vtap0 exists again" vn_link_exists gA vtap0
vn_query gB "$UL_A" "$PASS_A" devices
vn_match "restarted A lists vtap0" '^vtap0$' "$VN_LINES"
vn_ip gA link set vtap0 address "$TAP_MAC"
vn_ip gA addr add "$TAP_IP/24" dev vtap0
vn_check "a handler on the new vtap0" vn_handle_seed vtap0 "$TAP_MAC" "$BCAST"
vn_check "ping gA -> h1 through the new vtap0" vn_ping gA "$H1_IP" 3
vn_stop_daemon A KILL
vn_check "vtap0 is gone after kill -9 of A (within 3 s)" tap_gone_within gA vtap0 3
vn_check "B drops the handler within 5 s" vn_wait_handlers B 0 5

vn_section "the administrator deletes the TAP under its handler (ip link del vtap0)"
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d tap:vtap0
vn_ip gA link set vtap0 address "$TAP_MAC"
vn_ip gA addr add "$TAP_IP/24" dev vtap0
vn_check "a handler on vtap0" vn_handle_seed vtap0 "$TAP_MAC" "$BCAST"
vn_check "ping gA -> h1 through it" vn_ping gA "$H1_IP" 3
vn_ip gA link del vtap0
vn_check "the TAP is gone" tap_gone_within gA vtap0 3
vn_check "A drops the handler within 5 s" vn_wait_handlers A 0 5
vn_check "B drops the handler within 5 s" vn_wait_handlers B 0 5
vn_match "A logs why, as for any device: 'closed: device vtap0 was removed'" \
    'closed: device vtap0 was removed' "$(cat "$VN_TMP/vnet-A.log")"
vn_eq "DEVINFO? on A lists vtap0 as absent" "vtap0 - 0 absent" "$(a_devline vtap0)"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vtap0 \
    -g local -j "$TAP_MAC" "$BCAST"
vn_eq "a new handler on the deleted TAP: NOK (exit 1)" 1 "$VN_RC"
vn_match "... because vtap0 does not exist (as for any absent device)" 'vtap0 does not exist' "$VN_ERR"
vn_check "A is alive and serves DEVICES?" eval 'kill -0 "${VN_DPID[A]}" && [ -n "$(a_devline vtap0)" ]'
vn_stop_daemon A TERM
vn_eq "A exits 0 on SIGTERM" 0 "$VN_DRC"

vn_section "a TAP name that already exists (a veth called vtap1)"
vn_ip gA link add vtap1 type veth peer name vtap1p || vn_fail "cannot create veth vtap1"
clash_log="$VN_TMP/vnet-clash.log"
vn_in gA timeout --foreground -k 2 $((10 * VN_SLOW)) ${VN_WRAP[@]+"${VN_WRAP[@]}"} "$VNET" "$PASS_A" \
    -h "$UL_A" -p "$TAP_PORT2" -d tap:vtap1 >"$clash_log" 2>&1
rc=$?
vn_log "vnet -d tap:vtap1 (vtap1 is a veth) -> exit $rc: $(tr '\n' ' ' <"$clash_log")"
vn_check "vnet refuses to start: exit non-zero and not killed by the timeout (got $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 124 -a "$rc" -ne 137
vn_match "... its message says vtap1 already exists" 'vtap1.*already exists|already exists.*vtap1' "$(cat "$clash_log")"
vn_check "... and nothing listens on port $TAP_PORT2" test -z "$(vn_in gA ss -Hltn "sport = :$TAP_PORT2")"
vn_match "the veth vtap1 is untouched (still a veth)" 'veth' "$(vn_ip gA -d link show vtap1 2>&1)"

vn_section "B is unaffected by all of this"
vn_client gB -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "B still answers DEVICES? (exit 0)" 0 "$VN_RC"
vn_check "B daemon still running" kill -0 "${VN_DPID[B]}"

vn_finish
