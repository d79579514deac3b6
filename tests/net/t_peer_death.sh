#!/usr/bin/env bash
# A daemon dies (kill -9): its peer drops the handler and keeps serving. A daemon stopped with
# SIGTERM exits 0 and leaves its device out of promiscuous mode; its peer drops the handler too.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

vn_section "the example scenario's handler"
vn_check "handle" vn_handle_seed
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_check "gB's eth0 is promiscuous while the handler exists" vn_promisc gB eth0
vn_check "gA's vmnet1 is promiscuous while the handler exists" vn_promisc gA vmnet1

vn_section "kill -9 the daemon in gA"
vn_stop_daemon A KILL
vn_check "gB lists 0 handlers within 5 s" vn_wait_handlers B 0 5
vn_client gB -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "gB still answers (DEVICES? exit 0)" 0 "$VN_RC"
vn_check "gB's eth0 is no longer promiscuous" eval '! vn_promisc gB eth0'
vn_check "ping vm -> h1 fails" vn_ping_fails vm "$H1_IP"
vn_check "gB daemon still running" kill -0 "${VN_DPID[B]}"

vn_section "restart gA's daemon: the handler can be made again"
vn_start_daemon A2 gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
VN_DPID[A]=${VN_DPID[A2]}
vn_check "handle again" vn_handle_seed
vn_check "ping vm -> h1 again" vn_ping vm "$H1_IP" 3

vn_section "SIGTERM the daemon in gB"
vn_check "gB's eth0 is promiscuous again" vn_promisc gB eth0
vn_stop_daemon B TERM
vn_eq "gB daemon exits 0 on SIGTERM" 0 "$VN_DRC"
vn_check "gB's eth0 is no longer promiscuous" eval '! vn_promisc gB eth0'
vn_check "gA lists 0 handlers within 5 s" vn_wait_handlers A 0 5
vn_check "gA's vmnet1 is no longer promiscuous" eval '! vn_promisc gA vmnet1'
vn_check "ping vm -> h1 fails" vn_ping_fails vm "$H1_IP"

vn_section "SIGTERM the daemon in gA"
vn_stop_daemon A2 TERM
unset "VN_DPID[A]"
vn_eq "gA daemon exits 0 on SIGTERM" 0 "$VN_DRC"
vn_check "nothing listens on gA's port any more" test -z "$(vn_in gA ss -Hltn "sport = :$PORT")"

vn_finish
