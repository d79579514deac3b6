#!/usr/bin/env bash
# The datagram path with peers that do not take it: a listening daemon with --udp off (the
# dialing side logs that the peer takes no datagrams; path=tcp; no UDP on the underlay; pings
# pass), a dialing daemon with --udp off (it never offers: path=tcp, no UDP on the underlay, pings
# pass), and a peer that never answers the offer (a vnet without datagrams, played by
# py/udp_mute_peer.py: the dialing side logs that it did not answer and keeps forwarding over TCP).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
vn_topology

# round NAME A-OPTIONS B-OPTIONS: both daemons (tags A-NAME, B-NAME), B dials A (HANDLE), UDP on
# the underlay counted from before the HANDLE to after the pings; sets HID_A, HID_B, UDP_SEEN.
round() {
    local name=$1 aopt=$2 bopt=$3
    # shellcheck disable=SC2086  # the options are words
    vn_start_daemon "A-$name" gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 $aopt
    # shellcheck disable=SC2086
    vn_start_daemon "B-$name" gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 $bopt
    udp_count_bg gA ul 30 "$name"
    vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
    HID_B=$VN_HID
    HID_A=$(udp_first_id A)
    sleep 4     # past the offer's answer time (3 s): whatever would be logged is
    vn_check "$name: ping vm -> h1" vn_ping vm "$H1_IP" 5
    UDP_SEEN=$(udp_count_get "$name")
    vn_log "$name: $UDP_SEEN UDP datagrams on the underlay"
    udp_stats A
    vn_eq "$name: A's handler says path=tcp" tcp "$(udp_field "$HID_A" path)"
    vn_eq "$name: A's handler sent no datagram (udp_out)" 0 "$(udp_field "$HID_A" udp_out)"
    udp_stats B
    vn_eq "$name: B's handler says path=tcp" tcp "$(udp_field "$HID_B" path)"
    vn_eq "$name: B's handler sent no datagram (udp_out)" 0 "$(udp_field "$HID_B" udp_out)"
    vn_eq "$name: no UDP datagram crossed the underlay" 0 "$UDP_SEEN"
}
stop_round() {
    vn_stop_daemon "A-$1" TERM
    vn_eq "$1: daemon A exits 0 on SIGTERM" 0 "$VN_DRC"
    vn_stop_daemon "B-$1" TERM
    vn_eq "$1: daemon B exits 0 on SIGTERM" 0 "$VN_DRC"
}

vn_section "the listening daemon (A) has --udp off"
round listen-off "--udp off" ""
vn_eq "B logged once that the peer takes no datagrams" 1 \
    "$(grep -c "handler $HID_B: the peer takes no datagrams" "$VN_TMP/vnet-B-listen-off.log")"
vn_eq "B did not log an unanswered offer" 0 \
    "$(grep -c 'did not answer\|no datagram from the peer' "$VN_TMP/vnet-B-listen-off.log")"
stop_round listen-off

vn_section "the dialing daemon (B) has --udp off"
round dial-off "" "--udp off"
vn_eq "neither daemon logged anything of datagrams for the handler" 0 \
    "$(cat "$VN_TMP/vnet-A-dial-off.log" "$VN_TMP/vnet-B-dial-off.log" | grep -c 'handler [0-9]*: .*datagram')"
stop_round dial-off

vn_section "a peer that never answers the offer (a vnet without datagrams)"
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
DIR=$VN_TMP/mute
mkdir -p "$DIR"
vn_bg gB "$VN_PY" "$VN_PYDIR/udp_mute_peer.py" "$UL_B" "$PORT" "$DIR" 12
vn_wait_file "$DIR/listening" 5 || vn_die "the mute peer does not listen"
# A forwards the frames for h1 and broadcasts (the VM's ARP requests) to the peer.
vn_client gB -p "$PASS_A" -h "$UL_A" -c handle -b "$PASS_B" -d "$UL_B" -e vmnet1 -f eth0 -g local \
    -j "$H1_MAC" "$BCAST"
vn_match "A's HANDLE to the mute peer answers OK" '^OK [0-9]+$' "$VN_OUT"
HID_A=${VN_OUT#OK }
# The VM's pings (no answer: nobody is behind the peer) keep sending ARP broadcasts through A.
vn_bg vm timeout -k 2 12 ping -n -q -c 40 -i 0.25 -W 1 "$H1_IP" >/dev/null 2>&1
vn_check "A logs within 6 s that the peer did not answer the offer" vn_wait_until -i 0.5 6 \
    grep -q "handler $HID_A: the peer did not answer the datagram offer" "$VN_TMP/vnet-A.log"
udp_stats A
vn_eq "A's handler says path=tcp" tcp "$(udp_field "$HID_A" path)"
vn_eq "A's handler sent no frame as a datagram (udp_out)" 0 "$(udp_field "$HID_A" udp_out)"
vn_check "the mute peer wrote its result" vn_wait_file "$DIR/result" 15
vn_log "mute peer: $(tr '\n' ' ' <"$DIR/result")"
vn_eq "the mute peer got one offer" 1 "$(awk '$1 == "offers" {print $2}' "$DIR/result")"
vn_check "it got frames over TCP after the offer went unanswered (frames_late >= 2)" \
    test "$(awk '$1 == "frames_late" {print $2}' "$DIR/result")" -ge 2
vn_eq "A logged it once" 1 \
    "$(grep -c "handler $HID_A: the peer did not answer the datagram offer" "$VN_TMP/vnet-A.log")"
vn_finish
