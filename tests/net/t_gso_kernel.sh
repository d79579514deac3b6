#!/usr/bin/env bash
# The frames that gso_segment (src/gso.c) cuts from a super-frame are frames a kernel accepts, as
# it would a NIC's segmentation. gso_send (tests/net/gso_send.c) cuts a UDP_L4, a TCPv4 and a
# TCPv6 super-frame with a partial checksum, as the kernel hands them over, and sends the
# segments through a packet socket, no offload, from ns a to ns b over a veth whose receive
# checksum offload is off in b (a veth otherwise marks the frames of a packet socket as checked):
# b's kernel verifies every IP header and checksum.
#  - UDP: a socket in b receives the 20 datagrams, each the bytes sent; no checksum error;
#  - TCP (no socket in b): the 45 segments each arrive (TcpInSegs) and are answered with a reset,
#    with no checksum or header error, IPv4 and IPv6;
#  - a negative control: one segment's last byte flipped after the cut is counted as a checksum
#    error (UDP and TCP), and its datagram is not delivered.
# Traffic: only the veth between the two namespaces of this run (198.18.0.1 -> 198.18.0.2,
# fd00:c612::1 -> fd00:c612::2).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v ethtool >/dev/null || vn_skip "no ethtool"
command -v nstat >/dev/null || vn_skip "no nstat (iproute2)"

# The helper: built by make netns beside the programs; else here, with the Makefile's warnings.
SEND=$(dirname "$VNET")/gso_send
if [ ! -x "$SEND" ]; then
    SEND=$VN_TMP/gso_send
    ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$VN_ROOT/include" \
        -o "$SEND" "$VN_ROOT/tests/net/gso_send.c" "$VN_ROOT/src/gso.c" || vn_die "cannot build gso_send"
fi

A_MAC=02:00:c6:12:00:01
B_MAC=02:00:c6:12:00:02
vn_add_ns a 1
vn_add_ns b
vn_ip a link add eth0 address "$A_MAC" type veth peer name eth0 address "$B_MAC" netns "${VN_PFX}b" ||
    vn_die "veth a <-> b"
vn_in b sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
vn_ip a addr add 198.18.0.1/24 dev eth0
vn_ip b addr add 198.18.0.2/24 dev eth0
vn_ip b -6 addr add fd00:c612::2/64 dev eth0 nodad
vn_ip a link set eth0 up
vn_ip b link set eth0 up
vn_in b ethtool -K eth0 rx off >/dev/null 2>&1 || vn_die "ethtool -K eth0 rx off in b"
vn_match "b checks the checksums itself (rx checksum offload off)" 'rx-checksumming: off' \
    "$(vn_in b ethtool -k eth0)"

# counter NAME: one of b's SNMP counters (nstat: absolute, history untouched).
counter() { vn_in b nstat -asz "$1" | awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }'; }
declare -A BEFORE=()
COUNTERS=(UdpInDatagrams UdpInCsumErrors UdpInErrors TcpInSegs TcpInCsumErrors TcpInErrs TcpOutRsts
          IpInHdrErrors Ip6InHdrErrors)
snapshot() { local c; for c in "${COUNTERS[@]}"; do BEFORE[$c]=$(counter "$c"); done; }
delta() { echo $(( $(counter "$1") - BEFORE[$1] )); }
delta_at_least() { [ "$(delta "$1")" -ge "$2" ]; }

# udp CORRUPT COUNT: send the UDP super-frame's segments to a socket in b that waits for COUNT
# datagrams; sets GOT (its result line).
udp() {
    local res=$VN_TMP/udp-$1
    rm -f "$VN_TMP/ready" "$res"
    vn_bg b "$VN_PY" "$VN_PYDIR/gso_recv.py" 198.18.0.2 5201 "$2" "$VN_TMP/ready" "$res"
    vn_wait_file "$VN_TMP/ready" 5 || vn_die "UDP receiver in b did not start"
    snapshot
    vn_eq "gso_send cuts the UDP super-frame into 20 datagrams" "sent 20" \
        "$(vn_in a "$SEND" eth0 "$A_MAC" "$B_MAC" udp4 "$1")"
    vn_wait_file "$res" 15 || vn_die "UDP receiver in b did not finish"
    GOT=$(cat "$res")
}

vn_section "UDP_L4: 20 datagrams of 1000 bytes (the last 500)"
udp -1 20
vn_eq "b's socket receives the 20 datagrams, each the bytes sent" "got 20 asexpected 20" "$GOT"
vn_eq "b counts 20 UDP datagrams in" 20 "$(delta UdpInDatagrams)"
vn_eq "b counts no UDP checksum error" 0 "$(delta UdpInCsumErrors)"
vn_eq "b counts no IPv4 header error" 0 "$(delta IpInHdrErrors)"

# tcp KIND CORRUPT: send the TCP super-frame's 45 segments; waits until b has counted them.
tcp() {
    snapshot
    vn_eq "gso_send cuts the $1 super-frame into 45 segments" "sent 45" \
        "$(vn_in a "$SEND" eth0 "$A_MAC" "$B_MAC" "$1" "$2")"
    vn_wait_until 5 delta_at_least TcpInSegs 45
}

for kind in tcp4 tcp6; do
    vn_section "$kind: 45 segments (1448 bytes, IPv6 1440) to a port with no socket"
    tcp "$kind" -1
    vn_eq "$kind: b counts the 45 segments in" 45 "$(delta TcpInSegs)"
    vn_eq "$kind: b counts no TCP checksum error" 0 "$(delta TcpInCsumErrors)"
    vn_eq "$kind: b counts no bad TCP segment" 0 "$(delta TcpInErrs)"
    vn_eq "$kind: b answers each with a reset (no socket: the segment was sound)" 45 "$(delta TcpOutRsts)"
    vn_eq "$kind: b counts no IP header error" 0 "$(( $(delta IpInHdrErrors) + $(delta Ip6InHdrErrors) ))"
done

vn_section "negative control: one byte of one segment flipped after the cut"
udp 3 19
vn_eq "UDP: b's socket receives the 19 others" "got 19 asexpected 19" "$GOT"
vn_eq "UDP: b counts the flipped datagram as a checksum error" 1 "$(delta UdpInCsumErrors)"
tcp tcp4 3
vn_eq "TCP: b counts the flipped segment as a checksum error" 1 "$(delta TcpInCsumErrors)"
vn_eq "TCP: b resets the 44 others" 44 "$(delta TcpOutRsts)"
vn_finish
