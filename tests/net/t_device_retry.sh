#!/usr/bin/env bash
# A handler waiting for its device (nodevice) takes it even when its return cannot be taken at
# once and no notification follows. A has an RHANDLE on la (a veth into the LAN's bridge, B on
# the same LAN). A client's HANDLE on la dials a peer that accepts and stays silent: while it waits
# for that peer's HELLO, it holds la's shared capture socket. la is deleted: the RHANDLE waits
# (nodevice). la is made again (new ifindex): A cannot take it yet ("device la was replaced: try
# again", the capture socket still on the old one). Then the silent peer hangs up, the HANDLE
# fails and frees the socket: no netlink notification comes, yet the RHANDLE must take la again
# by itself (it retries on a backoff) and be up.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
# la_add: la in gA, a veth whose peer p-la is on the LAN's bridge
la_add() {
    vn_ip lan link add p-la type veth peer name la netns "${VN_PFX}gA" &&
        vn_ip lan link set p-la master br0 up && vn_ip gA link set la up
}
la_add || vn_die "veth la"
SILENT_PORT=5555
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d la
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0
state_of_A() { vn_stats_fields A state; }
state_is() { [ "$(state_of_A)" = "$1" ]; }

vn_section "an RHANDLE on la, and a HANDLE on la dialing a silent peer"
vn_client gA -p "$PASS_A" -h "$UL_A" -c handle -r -b "$PASS_B" -d "$UL_B" -e la -f eth0 -g local -j "$BCAST"
vn_eq "the RHANDLE is made: exit 0" 0 "$VN_RC"
vn_check "it is up" vn_wait_until -i 0.5 10 state_is up
vn_bg gB "$VN_PY" "$VN_LIB_DIR/py/silent_peer.py" "$UL_B" "$SILENT_PORT" 6 >"$VN_TMP/silent.out"
vn_wait_until 10 grep -q listening "$VN_TMP/silent.out" || vn_die "the silent peer does not listen"
vn_bg gA timeout 30 "$VNETCLIENT" -p "$PASS_A" -h "$UL_A" -c handle -a "$SILENT_PORT" -b x \
    -d "$UL_B" -e la -f eth0 -g local -j 02:00:00:00:00:09 >"$VN_TMP/pending.out" 2>&1
PENDING=$VN_BG
vn_check "the HANDLE reaches the silent peer" vn_wait_until 10 \
    sh -c "ip netns exec '${VN_PFX}gB' ss -Htn state established '( sport = :$SILENT_PORT )' | grep -q ."

vn_section "la is deleted and made again while the HANDLE holds its capture"
vn_ip lan link del p-la
vn_check "the RHANDLE waits for la" vn_wait_until -i 0.5 10 state_is nodevice
la_add || vn_die "veth la again"
vn_check "A cannot take la at once (the HANDLE holds its capture)" vn_wait_until 10 \
    grep -q "device la is back, but: device la was replaced" "$VN_TMP/vnet-A.log"

vn_section "the silent peer hangs up: la's capture is free, with no notification"
wait "$PENDING"
vn_match "the HANDLE fails" "NOK|ERR|fail|closed|timed out" "$(cat "$VN_TMP/pending.out")"
vn_check "the RHANDLE takes la by itself and is up again" vn_wait_until -i 0.5 40 state_is up
vn_log "RHANDLE state: $(state_of_A)"
vn_check "A logs that la is back" grep -q "device la is back: reaching $UL_B:$PORT again" "$VN_TMP/vnet-A.log"
vn_finish
