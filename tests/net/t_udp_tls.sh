#!/usr/bin/env bash
# The datagram path with TLS links (-s on both daemons: the keys come from the TLS exporter) and
# over an IPv6 underlay (ULA addresses on the underlay veth, links in clear): each time both
# handlers say path=udp, pings pass, udp_out/udp_in grow on both sides and no datagram fails
# authentication; on IPv6, the frames' datagrams are seen on the underlay as IPv6 UDP.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
vn_topology

both_udp() { udp_path_is A "$HID_A" udp && udp_path_is B "$HID_B" udp; }
# carries NAME CLIENT-OPTIONS...: B dials A (HANDLE, A's address: ADDR_A), then the checks.
carries() {
    local name=$1
    shift
    vn_client gB "$@" -p "$PASS_B" -h "$ADDR_B" -c handle -b "$PASS_A" -d "$ADDR_A" -e eth0 \
        -f vmnet1 -g local -j "$VM_MAC" "$BCAST"
    vn_match "$name: HANDLE answers OK" '^OK [0-9]+$' "$VN_OUT"
    HID_B=${VN_OUT#OK }
    HID_A=$(udp_first_id A)
    vn_check "$name: both handlers say path=udp within 5 s" vn_wait_until 5 both_udp
    vn_check "$name: ping vm -> h1" vn_ping vm "$H1_IP" 10
    local s
    for s in A B; do
        udp_stats "$s"
        local hid=$HID_A
        [ "$s" = B ] && hid=$HID_B
        vn_log "$name: $s: $(printf '%s\n' "$VN_OUT" | awk -v id="$hid" '$1 == id' | grep -o 'path=.*')"
        vn_check "$name: $s sent frames as datagrams (udp_out >= 9)" test "$(udp_field "$hid" udp_out)" -ge 9
        vn_check "$name: $s received frames as datagrams (udp_in >= 9)" test "$(udp_field "$hid" udp_in)" -ge 9
        vn_eq "$name: $s's drop_auth" 0 "$(udp_field "$hid" drop_auth)"
    done
}

vn_section "TLS links (-s on both daemons)"
vn_start_daemon A gA "$PASS_A" -s -h "$UL_A" -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -s -h "$UL_B" -p "$PORT" -d eth0
VN_UDP_CLIENT_OPTS=(-s)
ADDR_A=$UL_A ADDR_B=$UL_B
carries tls -s
vn_check "A's log says datagrams get through" grep -q "handler $HID_A: datagrams get through" "$VN_TMP/vnet-A.log"
vn_stop_daemon A TERM
vn_eq "daemon A exits 0 on SIGTERM" 0 "$VN_DRC"
vn_stop_daemon B TERM
vn_eq "daemon B exits 0 on SIGTERM" 0 "$VN_DRC"

vn_section "an IPv6 underlay (fd00:c6:13::/64), links in clear"
ADDR_A=fd00:c6:13::1 ADDR_B=fd00:c6:13::2
for h in "gA $ADDR_A" "gB $ADDR_B"; do
    set -- $h
    vn_in "$1" sysctl -qw net.ipv6.conf.ul.disable_ipv6=0 net.ipv6.conf.ul.accept_dad=0 ||
        vn_die "cannot enable IPv6 on $1's ul"
    vn_ip "$1" addr add "$2/64" dev ul nodad || vn_die "address $2 in $1"
done
vn_check "the IPv6 underlay answers pings" vn_ping gA "$ADDR_B" 3
VN_UDP_CLIENT_OPTS=()
VN_UDP_HOST=([A]=$ADDR_A [B]=$ADDR_B)
vn_start_daemon A6 gA "$PASS_A" -h "$ADDR_A" -p "$PORT" -d vmnet1
vn_start_daemon B6 gB "$PASS_B" -h "$ADDR_B" -p "$PORT" -d eth0
udp_capture_bg gB ul "$ADDR_A" "$PORT" v6
carries ipv6
vn_check "a frame's datagram B -> A went as IPv6 UDP to [$ADDR_A]:$PORT" vn_wait_file "$VN_TMP/cap-v6" 5
vn_finish
