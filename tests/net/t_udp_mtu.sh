#!/usr/bin/env bash
# Frame sizes on the datagram path. With the underlay and the LAN at MTU 1500 (and --udp-mtu
# 1500, the default), a full-size frame does not fit one datagram: 1472-byte pings that may not
# be fragmented (1514-byte frames) and VLAN-tagged 1518-byte frames pass over the TCP link,
# counted in udp_big, while small frames go as datagrams. An iperf3 TCP transfer goes as
# datagrams (its SYNs' MSS clamped, its super-frames cut): path=udp, udp_out grows, udp_big does
# not; its segments travel with partial checksums, and with B's injecting device summing in
# software (tx checksumming off) h1's stack checks every one: no checksum error. With --udp-mtu 9000 on an underlay and a LAN at MTU 9000, jumbo pings go as datagrams.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
command -v iperf3 >/dev/null || vn_die "iperf3 not installed"
vn_topology

# ping_df NS DST SIZE: 3 pings of SIZE bytes that may not be fragmented; all 3 must return.
ping_df() {
    local out rx
    out=$(vn_in "$1" timeout --foreground -k 2 15 ping -n -c 3 -i 0.3 -W 2 -M "do" -s "$3" "$2" 2>&1)
    rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
    vn_log "ping -s $3 -M do $1 -> $2: ${rx:-0}/3 replies"
    [ "${rx:-0}" = 3 ]
}
# snap: A's and B's udp_out and udp_big into OUT_A BIG_A OUT_B BIG_B.
snap() {
    udp_stats A
    OUT_A=$(udp_field "$HID_A" udp_out) BIG_A=$(udp_field "$HID_A" udp_big)
    udp_stats B
    OUT_B=$(udp_field "$HID_B" udp_out) BIG_B=$(udp_field "$HID_B" udp_big)
    vn_log "A: udp_out=$OUT_A udp_big=$BIG_A; B: udp_out=$OUT_B udp_big=$BIG_B"
}
# grew WHAT BEFORE AFTER MIN: AFTER >= BEFORE + MIN.
grew() { vn_check "$1 grew by at least $4 ($2 -> $3)" test "${3:-0}" -ge $(( ${2:-0} + $4 )); }
both_udp() { udp_path_is A "$HID_A" udp && udp_path_is B "$HID_B" udp; }
start_handler() {
    vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
    HID_B=$VN_HID
    HID_A=$(udp_first_id A)
    vn_check "both handlers say path=udp within 5 s" vn_wait_until 5 both_udp
}

vn_section "MTU 1500 everywhere, --udp-mtu 1500 (default)"
vn_start_seed_daemons vmnet1
start_handler
snap; O_A=$OUT_A B_A=$BIG_A B_B=$BIG_B
vn_check "ping -s 1472 -M do vm -> h1 (1514-byte frames)" ping_df vm "$H1_IP" 1472
snap
grew "A's udp_big (the requests went over TCP)" "$B_A" "$BIG_A" 3
grew "B's udp_big (the replies went over TCP)" "$B_B" "$BIG_B" 3
vn_eq "A's handler is still on path=udp" udp "$(udp_get A "$HID_A" path)"

vn_section "VLAN-tagged frames (VID 42) h1 -> VM: 3 small, 3 of 1518 bytes (py/vlan.py)"
# The machines here have no 8021q module: the tagged frames are written and read raw.
rm -f "$VN_TMP/ready-vlan" "$VN_TMP/ready-vlan.stop" "$VN_TMP/wire-vlan"
vn_bg vm "$VN_PY" "$VN_PYDIR/vlan.py" listen eth0 $((30 * VN_SLOW)) VLANMARK "$VN_TMP/ready-vlan" \
    "$VN_TMP/wire-vlan"
vn_wait_file "$VN_TMP/ready-vlan" 5 || vn_fail "listener in vm did not start"
snap; O_B=$OUT_B B_B=$BIG_B
for i in 1 2 3; do
    vn_in h1 "$VN_PY" "$VN_PYDIR/vlan.py" send eth0 "$VM_MAC" "$H1_MAC" 8100 002a "VLANMARK-small$i"
    vn_in h1 "$VN_PY" "$VN_PYDIR/vlan.py" send eth0 "$VM_MAC" "$H1_MAC" 8100 002a "VLANMARK-full$i" 1518
done
# heard_vlan REGEX N: the listener in vm heard N frames matching REGEX.
heard_vlan() { [ "$(grep -c "$1" "$VN_TMP/wire-vlan" 2>/dev/null)" = "$2" ]; }
sleep 1
: >"$VN_TMP/ready-vlan.stop"
vn_wait_file "$VN_TMP/wire-vlan" 5 || vn_fail "listener in vm wrote nothing"
vn_log "heard in vm: $(tr '\n' ';' <"$VN_TMP/wire-vlan")"
vn_check "the VM got the 3 small tagged frames" heard_vlan '^8100 002a 88b5 96 ' 3
vn_check "the VM got the 3 full-size tagged frames (1514 bytes untagged)" heard_vlan '^8100 002a 88b5 1514 ' 3
snap
grew "B's udp_out (the small tagged frames went as datagrams)" "$O_B" "$OUT_B" 3
grew "B's udp_big (the full-size tagged frames went over TCP)" "$B_B" "$BIG_B" 3

vn_section "an iperf3 TCP transfer vm -> h1 (3 s), B's eth0 summing in software"
# The cut segments carry partial checksums, which B passes on or joins into super-frames with a
# partial checksum of their own: with eth0's tx checksumming and segmentation off, the kernel
# completes every checksum in software before the frames reach the LAN, and h1 checks them.
vn_in gB ethtool -K eth0 tx off >/dev/null 2>&1 || vn_die "ethtool -K eth0 tx off in gB"
# csum_errors NS: the TCP checksum errors NS's stack counted.
csum_errors() { vn_in "$1" nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }'; }
CE_H1=$(csum_errors h1)
snap; O_A=$OUT_A O_B=$OUT_B B_A=$BIG_A B_B=$BIG_B
rm -f "$VN_TMP/syn" "$VN_TMP/syn.ready" "$VN_TMP/syn.stop"
vn_bg h1 timeout -k 3 40 "$VN_PY" "$VN_PYDIR/udpatk.py" synmss eth0 30 "$VN_TMP/syn"
vn_wait_file "$VN_TMP/syn.ready" 5 || vn_fail "SYN listener in h1 did not start"
vn_check "iperf3 vm -> h1 passes" vn_iperf h1 "$H1_IP" vm
vn_eq "h1 counted no TCP checksum error during the transfer" "$CE_H1" "$(csum_errors h1)"
: >"$VN_TMP/syn.stop"
vn_wait_file "$VN_TMP/syn" 5 || vn_fail "SYN listener in h1 wrote nothing"
vn_log "MSS of the VM's SYNs as h1 got them: $(tr '\n' ' ' <"$VN_TMP/syn")"
vn_check "h1 got the VM's SYNs with their MSS clamped below the VM's 1460" \
    awk '{ n++; if ($1 == 0 || $1 >= 1460) bad++ } END { exit !(n > 0 && bad == 0) }' "$VN_TMP/syn"
snap
vn_check "both handlers are still on path=udp" both_udp
grew "A's udp_out (the transfer went as datagrams)" "$O_A" "$OUT_A" 1000
grew "B's udp_out (its ACKs went as datagrams)" "$O_B" "$OUT_B" 100
vn_eq "A's udp_big did not grow during the transfer" "$B_A" "$BIG_A"
vn_eq "B's udp_big did not grow during the transfer" "$B_B" "$BIG_B"
vn_stop_daemon A TERM
vn_eq "daemon A exits 0 on SIGTERM" 0 "$VN_DRC"
vn_stop_daemon B TERM
vn_eq "daemon B exits 0 on SIGTERM" 0 "$VN_DRC"

vn_section "MTU 9000 on the underlay and the LAN, --udp-mtu 9000"
for pair in "gA ul" "gB ul" "vm eth0" "gA vmnet1" "gB eth0" "lan p-gB" "lan p-h1" "lan p-h2" \
    "h1 eth0" "h2 eth0"; do
    set -- $pair
    vn_ip "$1" link set dev "$2" mtu 9000 || vn_die "mtu 9000 on $2 in $1"
done
: >"$VN_TMP/vnet-A.log"
: >"$VN_TMP/vnet-B.log"
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --udp-mtu 9000
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --udp-mtu 9000
start_handler
snap; O_A=$OUT_A O_B=$OUT_B
vn_check "ping -s 8000 -M do vm -> h1 (8042-byte frames)" ping_df vm "$H1_IP" 8000
snap
grew "A's udp_out (jumbo requests as datagrams)" "$O_A" "$OUT_A" 3
grew "B's udp_out (jumbo replies as datagrams)" "$O_B" "$OUT_B" 3
vn_eq "A's udp_big" 0 "$BIG_A"
vn_eq "B's udp_big" 0 "$BIG_B"

vn_section "the underlay at MTU 1500, the daemons at --udp-mtu 9000 (set too large)"
# The route's MTU bounds the datagrams: an iperf3 transfer's segments are cut to fit it, and
# every datagram leaves whole, with DF set: vnet never sends a fragment, which an off-path
# host could replace (vnet-security(7)).
vn_stop_daemon A TERM
vn_stop_daemon B TERM
for ns in gA gB; do vn_ip "$ns" link set dev ul mtu 1500 || vn_die "mtu 1500 on ul in $ns"; done
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --udp-mtu 9000
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --udp-mtu 9000
start_handler
vn_bg gB timeout -k 2 30 tcpdump -i ul -n -v -l -c 300 udp >"$VN_TMP/ul.txt" 2>"$VN_TMP/ul.err"
vn_wait_until 5 grep -q "listening on" "$VN_TMP/ul.err" || vn_fail "tcpdump on gB's ul did not start"
vn_check "iperf3 vm -> h1 passes" vn_iperf h1 "$H1_IP" vm
vn_wait_until 10 grep -q "packets captured" "$VN_TMP/ul.err"
udp_stats A
vn_eq "A's drop_udp" 0 "$(udp_field "$HID_A" drop_udp)"
vn_check "A's udp_out grew by at least 1000" test "$(udp_field "$HID_A" udp_out)" -ge 1000
# ip_lines PATTERN: IPv4 header lines tcpdump printed on gB's ul that match PATTERN.
ip_lines() { grep "proto UDP" "$VN_TMP/ul.txt" | grep -cE -- "$1"; }
vn_log "on gB's ul: $(ip_lines '') UDP packets, $(ip_lines 'flags \[DF\]') with DF, $(ip_lines 'offset [1-9]|flags \[\+\]') fragments"
vn_eq "UDP packets seen on gB's ul" 300 "$(ip_lines '')"
vn_eq "of them with DF set" 300 "$(ip_lines 'flags \[DF\]')"
vn_eq "of them fragments (offset > 0 or more to come)" 0 "$(ip_lines 'offset [1-9]|flags \[\+\]')"
vn_finish
