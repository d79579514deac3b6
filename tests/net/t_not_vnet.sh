#!/usr/bin/env bash
# HANDLE to something that is not a vnet daemon: a service that greets with a banner full of
# terminal escapes, one that answers NOK with control bytes and a long reason, one that sends a
# line that never ends. The daemon answers NOK with a fixed reason (at most a short printable
# excerpt of a real NOK), nothing of the banner reaches the client, no control byte reaches
# vnetclient's output or the daemon's log, and the daemon goes on serving.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0
vn_start_daemon C gB "$PASS_B" -s -h "$UL_B" -p 4460 -d eth0

# The fake services, in gA on the underlay address: 4456 greets first with a banner, 4457
# answers every line with a hostile NOK, 4458 sends 20000 bytes without a line end.
vn_bg gA timeout 90 "$VN_PY" "$VN_PYDIR/fake_services.py" "$UL_A" "$VN_TMP/fake-ready"
FAKE=$VN_BG
vn_wait_file "$VN_TMP/fake-ready" 5 || vn_die "the fake services did not start"

# no_ctl FILE: succeeds when FILE holds no control byte (below 0x20 except the newline) and no DEL.
no_ctl() {
    "$VN_PY" "$VN_PYDIR/no_ctl.py" "$1"
}
# handle_to PORT2 [DAEMON_PORT]: HANDLE through B (or the daemon on DAEMON_PORT) to the fake.
handle_to() {
    local extra=()
    [ -n "${2:-}" ] && extra=(-s -o "$2")
    vn_client gB "${extra[@]}" -p "$PASS_B" -h "$UL_B" -c handle -a "$1" -b "$PASS_A" \
        -d "$UL_A" -e eth0 -f vmnet1 -g local -j "$VM_MAC" "$BCAST"
    cat "$VN_TMP/client.err" >>"$VN_TMP/client-all.err"
    printf '%s\n' "$VN_OUT" >>"$VN_TMP/client-all.out"
}

vn_section "a service that greets with a banner of escape sequences"
handle_to 4456
vn_eq "HANDLE answers NOK (exit 1)" 1 "$VN_RC"
vn_match "... with a fixed reason: not a vnet daemon" "$UL_A:4456 is not a vnet daemon\$" "$VN_ERR"
vn_check "... and nothing of the banner" eval "! grep -Eq 'SSH|owned|banner' '$VN_TMP/client.err'"
vn_check "... and no control byte in vnetclient's answer" no_ctl "$VN_TMP/client.err"

vn_section "a service that answers NOK with control bytes and a long reason"
handle_to 4457
vn_eq "HANDLE answers NOK (exit 1)" 1 "$VN_RC"
vn_match "... 'refused HELLO' with a printable excerpt" "$UL_A:4457 refused HELLO: \\?\\]0;owned\\?\\?\\[2J" "$VN_ERR"
vn_check "... no control byte in vnetclient's answer" no_ctl "$VN_TMP/client.err"
reason=${VN_ERR##*refused HELLO: }
vn_check "... the excerpt is bounded (${#reason} characters, at most 80)" test "${#reason}" -le 80

vn_section "a service that sends a line that never ends"
handle_to 4458
vn_eq "HANDLE answers NOK (exit 1)" 1 "$VN_RC"
vn_match "... not a vnet daemon" "$UL_A:4458 is not a vnet daemon" "$VN_ERR"
vn_check "... and none of its bytes" eval "! grep -q XXXX '$VN_TMP/client.err'"

vn_section "a TLS daemon (-s) dialling the NOK service, which answers in clear text"
handle_to 4457 4460
vn_eq "HANDLE answers NOK (exit 1)" 1 "$VN_RC"
vn_match "... it does not use TLS" "does not use TLS" "$VN_ERR"
vn_check "... no control byte in vnetclient's answer" no_ctl "$VN_TMP/client.err"

vn_section "vnetclient itself, talking to the NOK service as if it were a daemon"
vn_client gB -p "$PASS_B" -o 4457 -h "$UL_A" -c devices
cat "$VN_TMP/client.err" >>"$VN_TMP/client-all.err"
vn_eq "vnetclient: exit 1 (NOK)" 1 "$VN_RC"
vn_match "... shows the reason with '?' for the control bytes" '\?\]0;owned\?\?\[2J' "$VN_ERR"
vn_check "... and no control byte" no_ctl "$VN_TMP/client.err"

vn_section "the daemons' logs and the client's output, taken together"
vn_check "vnetclient's stdout and stderr hold no control byte" \
    eval "no_ctl '$VN_TMP/client-all.err' && no_ctl '$VN_TMP/client-all.out'"
vn_check "B's log holds no ESC byte nor any other control byte" no_ctl "$VN_TMP/vnet-B.log"
vn_check "the -s daemon's log too" no_ctl "$VN_TMP/vnet-C.log"
vn_check "B's log does not quote the banner" eval "! grep -Eq 'SSH|banner' '$VN_TMP/vnet-B.log'"
vn_client gB -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "B still serves a client" 0 "$VN_RC"
kill "$FAKE" 2>/dev/null

vn_finish
