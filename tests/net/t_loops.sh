#!/usr/bin/env bash
# Forwarding loops: what the packet mark alone does not prevent.
#   a. a HANDLE from a daemon to itself is refused (NOK handler to itself);
#   b. daemon A has two devices on one LAN; a handler carries the LAN's broadcasts to daemon B,
#      which injects them into a second network where B's other device is, and a second handler
#      brings them back to A's other device: every frame A (or B) injected comes back on its
#      other device. One broadcast must stay one frame, not a storm;
#   c. daemons A and B both on the LAN: a handler carrying broadcasts from A to B (then also one
#      from B to A) brings every broadcast B injects back to A: the loop runs through the peer.
#      It must be cut after a few laps, counted in drop_loop and logged.
# One broadcast ARP request is sent from h1 in each case, and h2 counts the copies of it on the
# LAN for 3 s (the old code: thousands; a storm lasts as long as the handlers).
#
#   ns lan: br0 (h1, h2, gA la, gA lb, gB lc)   br1 (gB z1, gB z2)
#   gA 198.19.0.1 <-- underlay --> gB 198.19.0.2
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require

vn_log "building topology (prefix $VN_PFX)"
vn_add_ns gA
vn_add_ns gB
vn_add_ns lan 1
vn_underlay
for br in br0 br1; do
    vn_ip lan link add "$br" type bridge stp_state 0 forward_delay 0 || vn_die "bridge $br"
    vn_ip lan link set "$br" up
done
vn_lan_port gA la br0
vn_lan_port gA lb br0
vn_lan_port gB lc br0
vn_lan_port gB z1 br1
vn_lan_port gB z2 br1
vn_add_lanhost h1 "$H1_MAC" "$H1_IP"
vn_add_lanhost h2 "$H2_MAC" "$H2_IP"
vn_in gA ping -c 1 -W 2 -q "$UL_B" >/dev/null || vn_die "underlay ping gA -> gB failed"

vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d la lb
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d lc z1 z2

# handle TAG NS HOST PASS PEER PEER_PASS DEV PEER_DEV: a LOCAL handler listing the broadcast
# address, asked of HOST; its id in H[TAG].
declare -A H=()
handle() {
    vn_client "$2" -p "$4" -h "$3" -c handle -b "$6" -d "$5" -e "$7" -f "$8" -g local -j "$BCAST"
    H[$1]=""
    [ "$VN_RC" = 0 ] && [[ $VN_OUT =~ ^OK\ ([0-9]+)$ ]] && H[$1]=${BASH_REMATCH[1]}
    [ -n "${H[$1]}" ]
}
# close_all: every handler goes, on both daemons (on the old code this ends the storms).
close_all() {
    local host pass id
    for host in A B; do
        if [ $host = A ]; then pass=$PASS_A; else pass=$PASS_B; fi
        "vn_handlers_$host" >/dev/null
        for id in $(printf '%s\n' "$VN_LINES" | awk '{print $1}'); do
            vn_client gA -p "$pass" -h "$(eval echo "\$UL_$host")" -c close -i "$id" >/dev/null
        done
    done
    vn_check "no handler left on A" vn_wait_handlers A 0 10
    vn_check "no handler left on B" vn_wait_handlers B 0 10
}
# copies_at_most MAX WHAT: h2 counted between 1 and MAX copies.
copies_at_most() {
    vn_check "$2 (h2 saw ${COPIES:--1}, at most $1)" \
        test "${COPIES:-99999}" -ge 1 -a "${COPIES:-99999}" -le "$1"
}

vn_section "a. a HANDLE from A to itself"
vn_client gA -p "$PASS_A" -h "$UL_A" -c handle -b "$PASS_A" -d "$UL_A" -e la -f lb -g local -j "$BCAST"
vn_check "vnetclient exits non-zero (exit $VN_RC)" [ "$VN_RC" != 0 ]
vn_match "it says: handler to itself" "handler to itself" "$VN_ERR"
vn_check "A has no handler" vn_wait_handlers A 0 5
[ "$VN_RC" = 0 ] && close_all

vn_section "b. A's two devices on one LAN, through B and back"
vn_check "handler A la -> B z1 (broadcasts)" handle ab gA "$UL_A" "$PASS_A" "$UL_B" "$PASS_B" la z1
vn_check "handler B z2 -> A lb (broadcasts)" handle ba gB "$UL_B" "$PASS_B" "$UL_A" "$PASS_A" z2 lb
vn_one_broadcast b 198.18.0.97
copies_at_most 3 "one broadcast stays a handful of frames on the LAN"
n=$(vn_stats_sum gA "$UL_B" "$PASS_B" drop_loop)
vn_check "B counted the frame it injected coming back (drop_loop $n)" [ "$n" -gt 0 ]
vn_match "B logged its frame coming back" "a frame this daemon injected \(handler [0-9]+\) came back" "$(cat "$VN_TMP/vnet-B.log")"
close_all

vn_section "c. A and B both on the LAN: a loop through the peer"
vn_check "handler A la -> B lc (broadcasts)" handle ac gA "$UL_A" "$PASS_A" "$UL_B" "$PASS_B" la lc
vn_one_broadcast c1 198.18.0.96
copies_at_most 10 "the loop is cut after a few laps"
n=$(vn_stats_sum gA "$UL_B" "$PASS_B" drop_loop)
vn_check "B counted the frames coming round (drop_loop $n)" [ "$n" -gt 0 ]
vn_match "B logged a loop through its peer" "from the peer $UL_A .*forwarding loop runs through that peer" \
    "$(cat "$VN_TMP/vnet-B.log")"
vn_check "handler B lc -> A la (broadcasts) as well" handle ca gB "$UL_B" "$PASS_B" "$UL_A" "$PASS_A" lc la
vn_one_broadcast c2 198.18.0.95
copies_at_most 20 "with handlers both ways, still bounded"
a=$(vn_stats_sum gA "$UL_A" "$PASS_A" drop_loop)
b=$(vn_stats_sum gA "$UL_B" "$PASS_B" drop_loop)
vn_log "drop_loop: A $a, B $b"
vn_check "both daemons still running" kill -0 "${VN_DPID[A]}" "${VN_DPID[B]}"
close_all

vn_finish
