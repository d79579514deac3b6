#!/usr/bin/env bash
# Faults under a live handler: the peer daemon is killed (kill -9); the underlay is cut silently
# (both ends of the underlay veth set down: no FIN, no RST; the keepalives must find out); the
# device of a handler is deleted; the daemons are stopped and started again.
# The daemons listen on every address (-h _) with --keepalive 1, and each is queried on its own
# 127.0.0.1, which keeps working while the underlay is down.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
KA=1
IFF_PROMISC=0x100

start_A() { vn_start_daemon A gA "$PASS_A" -h _ -p "$PORT" --keepalive "$KA" -d vmnet1; }
start_B() { vn_start_daemon B gB "$PASS_B" -h _ -p "$PORT" --keepalive "$KA" -d eth0; }
# local_handlers A|B: HANDLERS? asked inside the daemon's own namespace (127.0.0.1).
local_handlers() {
    case $1 in
        A) vn_query gA 127.0.0.1 "$PASS_A" handlers ;;
        B) vn_query gB 127.0.0.1 "$PASS_B" handlers ;;
    esac
}
# local_count A|B N: succeeds when the daemon lists N handlers.
local_count() {
    local_handlers "$1" >/dev/null
    [ "$VN_COUNT" = "$2" ]
}
# wait_local_handlers A|B N SECONDS: poll (every 0.5 s) until the daemon lists N handlers.
wait_local_handlers() { vn_wait_until -i 0.5 "$3" local_count "$1" "$2"; }
# serves NS PASSWORD: DEVICES? on 127.0.0.1 answers OK.
serves() {
    vn_client "$1" -p "$2" -h 127.0.0.1 -c devices >/dev/null
    [ "$VN_RC" = 0 ] && [[ $VN_OUT == "OK devices"* ]]
}
# promisc_flag NS DEV: succeeds when IFF_PROMISC (0x100) is set in /sys/class/net/DEV/flags.
promisc_flag() {
    local f
    f=$(vn_in "$1" cat "/sys/class/net/$2/flags" 2>/dev/null) || return 2
    [ $((f & IFF_PROMISC)) -ne 0 ]
}
# log_count TAG REGEX: lines of daemon TAG's log matching REGEX.
log_count() { grep -Ec -- "$2" "$VN_TMP/vnet-$1.log" 2>/dev/null; }

start_A
start_B

vn_section "the peer daemon is killed (kill -9)"
vn_check "handle" vn_handle_seed
vn_check "ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 3
vn_stop_daemon A KILL
vn_check "B's handler is gone within 5 s" wait_local_handlers B 0 5
vn_check "B still serves DEVICES?" serves gB "$PASS_B"
vn_check "B is alive" kill -0 "${VN_DPID[B]}"
vn_check "ping vm -> h1 fails now" vn_ping_fails vm "$H1_IP"
start_A
vn_check "handle again with the restarted A" vn_handle_seed
vn_check "ping vm -> h1 works again" vn_ping vm "$H1_IP" 3

vn_section "keepalives hold an idle handler up (--keepalive $KA)"
sleep $((4 * KA + 1))
local_handlers A
vn_eq "after $((4 * KA + 1)) s without traffic, A still lists the handler" 1 "$VN_COUNT"
local_handlers B
vn_eq "after $((4 * KA + 1)) s without traffic, B still lists the handler" 1 "$VN_COUNT"
vn_eq "no 'peer has been silent' in A's or B's log while the underlay is up" 0 "$(( $(log_count A 'been silent') + $(log_count B 'been silent') ))"

vn_section "the underlay is cut silently (ip link set ul down on both ends)"
vn_ip gA link set ul down
vn_ip gB link set ul down
t0=$(date +%s)
vn_check "A's handler is gone within 10 s of the cut" wait_local_handlers A 0 10
vn_check "B's handler is gone within 10 s of the cut" wait_local_handlers B 0 10
vn_log "handlers gone $(( $(date +%s) - t0 )) s after the cut"
vn_match "A's log says the peer went silent" 'the peer has been silent for [0-9]+ s' "$(cat "$VN_TMP/vnet-A.log")"
vn_match "B's log says the peer went silent" 'the peer has been silent for [0-9]+ s' "$(cat "$VN_TMP/vnet-B.log")"
vn_check "A still serves DEVICES?" serves gA "$PASS_A"
vn_check "B still serves DEVICES?" serves gB "$PASS_B"
vn_check "vmnet1 is no longer promiscuous in gA" eval '! promisc_flag gA vmnet1'
vn_check "eth0 is no longer promiscuous in gB" eval '! promisc_flag gB eth0'
vn_ip gA link set ul up
vn_ip gB link set ul up
vn_check "the underlay is back" \
    vn_wait_until -i 0.5 10 eval 'vn_in gA ping -c 1 -W 1 -q "$UL_B" >/dev/null 2>&1'
vn_check "a new handler once the underlay is back" vn_handle_seed
vn_check "ping vm -> h1 through the new handler" vn_ping vm "$H1_IP" 3

vn_section "the device of a handler is set down, then up again (ip link set vmnet1 down/up)"
vn_ip gA link set vmnet1 down
sleep 0.5
c0_A=$(vn_cpu_ticks "${VN_DPID[A]}")
sleep 2
c1_A=$(vn_cpu_ticks "${VN_DPID[A]}")
vn_check "no busy loop in A while vmnet1 is down: $((c1_A - c0_A)) CPU ticks in 2 s (< 50)" test $((c1_A - c0_A)) -lt 50
local_handlers A
vn_eq "a device set down does not close the handler: A still lists 1" 1 "$VN_COUNT"
local_handlers B
vn_eq "B still lists 1" 1 "$VN_COUNT"
vn_match "A logs that the device is down" 'handler [0-9]+: device vmnet1 is down' "$(cat "$VN_TMP/vnet-A.log")"
vn_ip gA link set vmnet1 up
sleep 0.5
vn_check "once vmnet1 is up again, ping vm -> h1 works through the same handler" vn_ping vm "$H1_IP" 5

vn_section "the device of a handler is deleted (ip link del vmnet1 in gA)"
vn_ip gA link del vmnet1
vn_check "A lists 0 handlers within 5 s" wait_local_handlers A 0 5
vn_check "B lists 0 handlers within 5 s" wait_local_handlers B 0 5
vn_match "A's log says the device was removed" 'closed: device vmnet1 was removed' "$(cat "$VN_TMP/vnet-A.log")"
vn_query gA 127.0.0.1 "$PASS_A" devinfo
vn_match "A lists vmnet1 as absent" '^vmnet1 - 0 absent$' "$VN_LINES"
c0_A=$(vn_cpu_ticks "${VN_DPID[A]}")
c0_B=$(vn_cpu_ticks "${VN_DPID[B]}")
sleep 2
c1_A=$(vn_cpu_ticks "${VN_DPID[A]}")
c1_B=$(vn_cpu_ticks "${VN_DPID[B]}")
vn_check "no busy loop in A: $((c1_A - c0_A)) CPU ticks in 2 idle s (< 50)" test $((c1_A - c0_A)) -lt 50
vn_check "no busy loop in B: $((c1_B - c0_B)) CPU ticks in 2 idle s (< 50)" test $((c1_B - c0_B)) -lt 50
vn_check "A is alive" kill -0 "${VN_DPID[A]}"
vn_check "A still serves DEVICES?" serves gA "$PASS_A"
# Put the VM's cable back: a new veth pair vmnet1 <-> vm's eth0.
vn_ip gA link add vmnet1 address "$VMNET1_MAC" type veth peer name eth0 address "$VM_MAC" netns "$(vn_ns vm)" ||
    vn_fail "cannot recreate vmnet1"
vn_ip vm addr add "$VM_IP/24" dev eth0
vn_ip vm link set eth0 up
vn_ip gA link set vmnet1 up
sleep 0.5
vn_query gA 127.0.0.1 "$PASS_A" devinfo
vn_eq "once recreated, A lists vmnet1 up again" "vmnet1 $VMNET1_MAC 1500 up" "$(printf '%s' "$VN_LINES" | tr 'A-F' 'a-f')"
vn_check "a handler on the new vmnet1" vn_handle_seed
vn_check "ping vm -> h1 through it" vn_ping vm "$H1_IP" 3

vn_section "stop both daemons (SIGTERM) and start them again"
vn_check "vmnet1 is promiscuous (flags & 0x100) while the handler exists" promisc_flag gA vmnet1
vn_check "eth0 is promiscuous (flags & 0x100) while the handler exists" promisc_flag gB eth0
vn_stop_daemon A TERM
vn_eq "A exits 0 on SIGTERM" 0 "$VN_DRC"
vn_stop_daemon B TERM
vn_eq "B exits 0 on SIGTERM" 0 "$VN_DRC"
vn_log "flags after stop: vmnet1 $(vn_in gA cat /sys/class/net/vmnet1/flags) eth0 $(vn_in gB cat /sys/class/net/eth0/flags)"
vn_check "vmnet1 is not promiscuous after the daemons stopped" eval '! promisc_flag gA vmnet1'
vn_check "eth0 is not promiscuous after the daemons stopped" eval '! promisc_flag gB eth0'
vn_check "nothing listens on port $PORT in gA any more" test -z "$(vn_in gA ss -Hltn "sport = :$PORT")"
start_A
start_B
vn_check "restarted: A serves DEVICES?" serves gA "$PASS_A"
vn_check "restarted: B serves DEVICES?" serves gB "$PASS_B"
local_handlers A
vn_eq "restarted: A lists 0 handlers" 0 "$VN_COUNT"
vn_check "restarted: handle" vn_handle_seed
vn_check "restarted: ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_finish
