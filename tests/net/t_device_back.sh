#!/usr/bin/env bash
# A handler from the handlers file, and an RHANDLE, come back with their device. The device is
# the TAP vmtap in gA (ip tuntap ... vnet_hdr; a python writer behind it is the guest). Four
# handlers are on it in A: a HANDLE line of A's handlers file, an RHANDLE and a HANDLE made by a
# client of A, and the half of a HANDLE made on B. vmtap is deleted: the client's HANDLE and B's
# half close as before, the other two stay listed (state=nodevice, no connection); vmtap is made
# again: both reconnect by themselves (the log says so) and forward the guest's frames to the LAN
# again. A waiting handler can be closed, and A stops cleanly with one waiting. With the shared
# capture (eBPF), then the classic engine (A without CAP_BPF).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0

for engine in shared classic; do
    vn_section "$engine capture: four handlers on vmtap"
    vn_guest_tap_add || vn_die "ip tuntap add vmtap"
    vn_guest_start_A "$engine"
    vn_guest_handlers

    vn_section "$engine capture: vmtap is deleted"
    vn_ip gA link del vmtap
    vn_check "A keeps the handlers file's and the RHANDLE's handlers, waiting for their device" \
        vn_wait_until -i 0.5 10 vn_guest_states_are nodevice nodevice
    vn_eq "... the first does not reconnect, the RHANDLE does (reconnecting)" "no yes" "$(vn_stats_fields A reconnecting)"
    vn_handlers_A
    vn_match "HANDLERS? lists them without a connection ('- 0')" \
        "^[0-9]+ LOCAL - 0 vmtap <-> REMOTE $UL_B $PORT eth0 ${GUEST_D[1]} [0-9]+ LOCAL - 0 vmtap <-> REMOTE $UL_B $PORT eth0 ${GUEST_D[2]}\$" \
        "$(printf '%s' "$VN_LINES" | tr '\n' ' ')"
    vn_client gB --json -p "$PASS_A" -h "$UL_A" -c handlers
    vn_eq "vnetclient --json: both wait for their device (reconnect \"nodevice\")" \
        '"nodevice" "nodevice"' \
        "$(printf '%s' "$VN_OUT" | grep -o '"reconnect": [^,}]*' | sed 's/"reconnect": //' | tr '\n' ' ' | sed 's/ $//')"
    vn_check "B's halves close" vn_wait_handlers B 0 10
    vn_eq "A logs that both wait for vmtap" 2 \
        "$(grep -c 'device vmtap was removed: it comes back when a device named vmtap is there' "$VN_TMP/vnet-A.log")"

    vn_section "$engine capture: vmtap is back"
    vn_guest_tap_add || vn_fail "ip tuntap add vmtap again"
    vn_check "both handlers are up again" vn_wait_until -i 0.5 10 vn_guest_states_are up up
    vn_eq "... each counting one reconnection" "1 1" "$(vn_stats_fields A reconnects)"
    vn_check "B lists their halves" vn_wait_handlers B 2 10
    vn_check "A logs that vmtap is back" grep -q "device vmtap is back: reaching $UL_B:$PORT again" "$VN_TMP/vnet-A.log"
    vn_marks_start lan p-gB "lan-$engine" "M1$engine" "M2$engine"
    vn_guest_send 1 "M1$engine" plain 5
    vn_guest_send 2 "M2$engine" plain 5
    vn_wait_until -i 0.5 10 vn_injected B 2 5
    sleep 0.5
    vn_eq "the handlers file's handler forwards again" 5 "$(vn_wiretap_get "lan-$engine" "M1$engine")"
    vn_eq "the RHANDLE forwards again" 5 "$(vn_wiretap_get "lan-$engine" "M2$engine")"

    vn_section "$engine capture: a waiting handler can be closed, and vnet stops with one"
    vn_ip gA link del vmtap
    vn_check "both wait again" vn_wait_until -i 0.5 10 vn_guest_states_are nodevice nodevice
    vn_handlers_A
    first=$(printf '%s
' "$VN_LINES" | awk 'NR == 1 {print $1}')
    vn_client gB -p "$PASS_A" -h "$UL_A" -c close -i "${first:-0}"
    vn_eq "close -i of a waiting handler: exit 0" 0 "$VN_RC"
    vn_check "A lists the other one only" vn_wait_handlers A 1 5
    vn_stop_daemon A
    vn_eq "A exits 0 on SIGTERM" 0 "$VN_DRC"
    vn_wait_handlers B 0 10
done

vn_finish
