#!/usr/bin/env bash
# Errors a user can make: wrong passwords, devices, MACs, configs, ports, raw protocol misuse.
# Each gets NOK (client exit 1) with a reason, nothing is left behind, and the daemons keep serving.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
# ghost0 does not exist: only a warning at start-up.
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 ghost0
vn_match "a -d device that does not exist gives a warning naming it" 'ghost0' "$(cat "$VN_TMP/vnet-B.log")"

# handle_b ARGS...: a handle command on gB with the given options after "-c handle".
handle_b() { vn_client gB -p "$PASS_B" -h "$UL_B" -c handle "$@"; }
# nok DESCRIPTION: the last client run answered NOK (exit 1) with a "vnetclient: HOST: reason".
nok() {
    vn_eq "$1: exit 1 (NOK)" 1 "$VN_RC"
    vn_match "$1: stderr gives the reason" "vnetclient: .*$UL_B.*: *[^ ]" "$VN_ERR"
}

vn_section "wrong password"
vn_client gB -p wrongPassword -h "$UL_B" -c handlers
vn_eq "wrong password: exit 1" 1 "$VN_RC"
vn_match "wrong password: message says authentication failed" 'authentication failed' "$VN_ERR"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handlers
vn_eq "the daemon still serves a correct client" 0 "$VN_RC"

vn_section "devices"
vn_query gB "$UL_B" "$PASS_B" devices
vn_match "DEVICES? lists the missing -d device by its name alone, as VNET 0.9" '^ghost0$' "$VN_LINES"
vn_query gB "$UL_B" "$PASS_B" devinfo
vn_match "DEVINFO? lists the missing -d device as absent" '^ghost0 - 0 absent$' "$VN_LINES"
handle_b -b "$PASS_A" -d "$UL_A" -e ul -f vmnet1 -g local -j "$VM_MAC"
nok "HANDLE with a device that exists but is not among -d"
handle_b -b "$PASS_A" -d "$UL_A" -e ghost0 -f vmnet1 -g local -j "$VM_MAC"
nok "HANDLE with a -d device that does not exist"
handle_b -b "$PASS_A" -d "$UL_A" -e eth0 -f ul -g local -j "$VM_MAC"
nok "HANDLE whose second device is not among the second daemon's -d"
handle_b -b "$PASS_A" -d "$UL_A" -e eth0 -f nosuchdev -g local -j "$VM_MAC"
nok "HANDLE whose second device is unknown to the second daemon"

vn_section "MACs and configs"
handle_b -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 -g local -j 02:00:zz:00:00:0a
vn_check "bad MAC via vnetclient: refused (exit 1 or 2, got $VN_RC)" test "$VN_RC" = 1 -o "$VN_RC" = 2
handle_b -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 -g sideways -j "$VM_MAC"
vn_check "bad config word via vnetclient: refused (exit 1 or 2, got $VN_RC)" test "$VN_RC" = 1 -o "$VN_RC" = 2

vn_section "second daemon unreachable or refusing"
t0=$(date +%s)
handle_b -a 4999 -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 -g local -j "$VM_MAC"
t1=$(date +%s)
nok "HANDLE to a port where no daemon listens"
vn_match "no listener: the reason says why" '[Cc]onnect|[Rr]efused|[Uu]nreach|[Tt]ime' "$VN_ERR"
vn_check "no listener: answered within 16 s (took $((t1 - t0)) s)" test $((t1 - t0)) -le $((16 * VN_SLOW))
t0=$(date +%s)
handle_b -b "$PASS_A" -d 198.19.0.3 -e eth0 -f vmnet1 -g local -j "$VM_MAC"
t1=$(date +%s)
nok "HANDLE to an address where no host answers (198.19.0.3)"
vn_check "no host: answered within ~15 s (took $((t1 - t0)) s)" test $((t1 - t0)) -le $((17 * VN_SLOW))
handle_b -b wrongPassword -d "$UL_A" -e eth0 -f vmnet1 -g local -j "$VM_MAC"
nok "HANDLE with a wrong second password"
# A "daemon" that accepts the connection and then never says a word: the dial must give up
# (SPEC: connect + HELLO + BEGIN within 15 s).
vn_bg gA timeout 45 "$VN_PY" "$VN_VNLIB" silent 198.19.0.1 4998 44
vn_wait_listen gA 4998 "$VN_BG" || vn_fail "silent listener did not start"
t0=$(date +%s)
handle_b -a 4998 -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 -g local -j "$VM_MAC"
t1=$(date +%s)
nok "HANDLE to a peer that accepts but never answers HELLO"
vn_check "silent peer: answered within ~15 s (took $((t1 - t0)) s)" test $((t1 - t0)) -le $((17 * VN_SLOW))

vn_section "raw protocol misuse (python client in gB)"
vn_py_checks gB errors_protocol.py

vn_section "after all that: nothing leaked, and a good client still works"
vn_handlers_B
vn_eq "gB lists 0 handlers" 0 "$VN_COUNT"
vn_handlers_A
vn_eq "gA lists 0 handlers" 0 "$VN_COUNT"
vn_check "the README's handle command still answers OK" vn_handle_seed
vn_check "and the bridge works: ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_check "both daemons still running" kill -0 "${VN_DPID[A]}" "${VN_DPID[B]}"

vn_finish
