#!/usr/bin/env bash
# tests/vm/check-vm.sh - `make check-vm`: the example scenario of the VNET 0.9
# README with a real virtual machine.
#
# A QEMU guest (Debian's cloud kernel, virtio-net, a busybox initramfs: tests/vm/mkguest.sh) runs
# in namespace gA ("machine44-1") on TAP device vmnet1, the VM's host-only network. The daemons
# bridge it, for its MAC address and broadcast, to the LAN of gB ("machine42-2"), where h2 runs
# busybox udhcpd (pool 198.18.0.100-149) and h1 is the host it talks to. The bridge is made as in
# that example, from gB, with `vnetclient ... handle -r` (reconnecting). Checks, in clear and then
# with -s (TLS): the guest's DHCP lease from h2 through vnet; ping both ways; iperf3 TCP both ways,
# each end connecting once. Then QEMU is stopped (its TAP disappears), started again after a few
# seconds (a new TAP of the same name), and the same handler carries the rebooted guest: lease,
# ping and TCP again. A section with a failed check prints where frames stopped (vm_diag); if
# the guest's own NIC is found wedged with vnet out of the path, QEMU is restarted and the
# section run again, once (vm_nic_wedged, traffic).
#
# Topology: tests/net/lib.sh (vn_topology), less its veth "vm"; the guest replaces it:
#
#   QEMU guest eth0 (VM_MAC, DHCP)      ns h1 198.18.0.1     ns h2 198.18.0.2 + udhcpd
#        |                                    |                     |
#   ns gA vmnet1 (QEMU's TAP)           ns lan: bridge br0 (p-h1, p-h2, p-gB)
#   ns gA ul 198.19.0.1  <-- underlay -->  ns gB ul 198.19.0.2; ns gB eth0 -> lan
#
# Environment: VNET, VNETCLIENT (as for tests/net), VM_DIR (guest files, default build/vm),
# VNET_VM_ACCEL=kvm|tcg (default: KVM when /dev/kvm works and the CPU shows VT-x or AMD-V, else
# TCG). Without QEMU, or a guest kernel, that cannot be installed: prints SKIP and exits 0.
set -u
here=$(cd "$(dirname "$0")" && pwd)
VM_DIR=${VM_DIR:-$here/../../build/vm}

vm_skip() {
    echo "check-vm: SKIP: $*"
    exit 0
}

# ---- what the check needs: QEMU (installed from Debian if missing), the guest files.
[ "$(id -u)" = 0 ] || vm_skip "needs root (network namespaces, TAP devices)"
mkdir -p "$VM_DIR" || exit 1
VM_DIR=$(cd "$VM_DIR" && pwd)
if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "check-vm: installing qemu-system-x86"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends qemu-system-x86 ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends qemu-system-x86; }; } \
        >"$VM_DIR/apt.log" 2>&1
    command -v qemu-system-x86_64 >/dev/null ||
        vm_skip "QEMU (qemu-system-x86) is missing and cannot be installed (see $VM_DIR/apt.log)"
fi
bash "$here/mkguest.sh" "$VM_DIR"
case $? in
    0) ;;
    2) vm_skip "no guest (above): install linux-image-cloud-amd64 and busybox-static, or let apt-get reach Debian" ;;
    *) echo "check-vm: FAIL: making the guest (tests/vm/mkguest.sh)"; exit 1 ;;
esac

# shellcheck source=tests/net/lib.sh
. "$here/../net/lib.sh"
vn_require
CON=$VN_TMP/console.sock
MON=$VN_TMP/monitor.sock
DHCP_FIRST=198.18.0.100
DHCP_LAST=198.18.0.149
GUEST_IP=""
QEMU_PID=""
declare -A GBPS=()

# ---- the guest
# vm_accel_args: QEMU's accelerator and CPU options for ACCEL.
vm_accel_args() {
    case $ACCEL in
        kvm) QEMU_ACCEL=(-accel kvm -cpu host) ;;
        *) QEMU_ACCEL=(-accel tcg -cpu qemu64) ;;
    esac
}
if [ -n "${VNET_VM_ACCEL:-}" ]; then
    ACCEL=$VNET_VM_ACCEL
elif [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -Eqw 'vmx|svm' /proc/cpuinfo; then
    ACCEL=kvm
else
    ACCEL=tcg
    vn_log "no usable KVM (/dev/kvm, or VT-x/AMD-V in /proc/cpuinfo): plain emulation (TCG)"
fi
vm_accel_args

# vm_run SECONDS COMMAND: run COMMAND (one line) in the guest; sets VM_OUT and VM_RC.
vm_run() {
    VM_OUT=$(timeout -k 2 $(($1 + 5)) "$VN_PY" "$here/vmconsole.py" "$CON" "$1" "$2")
    VM_RC=$?
    printf '  guest$ %s   -> exit %s\n' "$2" "$VM_RC"
    [ -n "$VM_OUT" ] && printf '%s\n' "$VM_OUT" | sed 's/^/  | /'
    return 0
}

# vm_start: start QEMU in gA on TAP vmnet1, set the TAP up once it exists (as a hypervisor's
# script would) and wait until the guest's console answers; fails when any of it does not happen.
vm_start() {
    local i secs
    rm -f "$CON" "$MON"
    vn_log "starting QEMU ($ACCEL)"
    vn_bg gA qemu-system-x86_64 "${QEMU_ACCEL[@]}" -M q35 -m 256 -smp 1 -nodefaults -no-user-config \
        -display none -no-reboot -kernel "$VM_DIR/vmlinuz" -initrd "$VM_DIR/initrd.gz" \
        -append "console=ttyS0 quiet panic=-1" \
        -chardev "socket,id=con,path=$CON,server=on,wait=off,logfile=$VN_TMP/console.log,logappend=on" \
        -serial chardev:con -monitor "unix:$MON,server=on,wait=off" \
        -netdev tap,id=n0,ifname=vmnet1,script=no,downscript=no \
        -device "virtio-net-pci,id=nic0,netdev=n0,mac=$VM_MAC" >>"$VN_TMP/qemu.log" 2>&1
    QEMU_PID=$VN_BG
    for ((i = 0; i < 100; i++)); do
        vn_link_exists gA vmnet1 && break
        kill -0 "$QEMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    vn_link_exists gA vmnet1 || { vn_log "QEMU made no TAP vmnet1 in gA"; return 1; }
    vn_ip gA link set vmnet1 up
    # A KVM guest boots in a second or two; give TCG a minute on a busy machine.
    secs=60
    [ "$ACCEL" = kvm ] && secs=20
    timeout -k 2 $((secs + 5)) "$VN_PY" "$here/vmconsole.py" "$CON" "$secs" --ready ||
        { vn_log "the guest's console did not answer in $secs s"; return 1; }
    vn_log "guest up (QEMU pid $QEMU_PID)"
}

# vm_boot: vm_start; with KVM, plain emulation (TCG) for good if that fails.
vm_boot() {
    vm_start && return 0
    if [ "$ACCEL" = kvm ]; then
        vn_log "KVM could not run the guest: plain emulation (TCG) instead"
        tail -n 3 "$VN_TMP/qemu.log"
        vm_halt
        ACCEL=tcg
        vm_accel_args
        vm_start && return 0
    fi
    tail -n 20 "$VN_TMP/console.log" "$VN_TMP/qemu.log"
    vn_die "the guest did not boot"
}

# vm_halt: stop QEMU (SIGTERM, bounded wait, then SIGKILL), by its pid.
vm_halt() {
    local i
    [ -n "$QEMU_PID" ] || return 0
    kill -TERM "$QEMU_PID" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$QEMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$QEMU_PID" 2>/dev/null
    wait "$QEMU_PID" 2>/dev/null
    vn_log "QEMU (pid $QEMU_PID) stopped"
    QEMU_PID=""
}

# vm_diag TAG: after a failed check, what tells where frames stop: the TAP's counters (frames
# the TAP dropped: QEMU stopped reading them), both daemons' STATS?, the guest's view of its
# NIC, and QEMU's virtio queues (rx 0, tx 1: a ring the guest stopped refilling or emptying).
vm_diag() {
    local q
    vn_log "$1: diagnostics after a failed check"
    vn_in gA ip -s -s link show vmnet1 2>&1 | sed 's/^/  gA| /'
    vn_in gB ip -s link show eth0 2>&1 | sed 's/^/  gB| /'
    vn_client gA ${VN_QUERY_OPTS[@]+"${VN_QUERY_OPTS[@]}"} -p "$PASS_A" -h "$UL_A" -c stats
    vn_client gB ${VN_QUERY_OPTS[@]+"${VN_QUERY_OPTS[@]}"} -p "$PASS_B" -h "$UL_B" -c stats
    vm_run 10 "cd /sys/class/net/eth0/statistics && grep . rx_packets rx_dropped rx_errors tx_packets tx_dropped tx_errors; ip neigh; grep virtio /proc/interrupts; dmesg | tail -n 15"
    tail -n 5 "$VN_TMP/qemu.log" | sed 's/^/  qemu.log| /'
    for q in 0 1; do
        timeout -k 2 12 "$VN_PY" "$here/vmconsole.py" "$MON" 10 --hmp \
            "info virtio-queue-status /machine/peripheral/nic0/virtio-backend $q" 2>&1 |
            sed "s/^/  qemu q$q| /"
    done
}

# ---- the LAN's DHCP server: busybox udhcpd in h2, 198.18.0.100-149 only.
cat >"$VN_TMP/udhcpd.conf" <<EOF
start $DHCP_FIRST
end $DHCP_LAST
max_leases 50
interface eth0
lease_file $VN_TMP/udhcpd.leases
pidfile $VN_TMP/udhcpd.pid
option subnet 255.255.255.0
option lease 600
EOF

# ---- checks
# rhandle [-s]: the handle command of that example, reconnecting, from gB; sets RID.
rhandle() {
    vn_client gB "$@" -p "$PASS_B" -h "$UL_B" -c handle -r -b "$PASS_A" -d "$UL_A" \
        -e eth0 -f vmnet1 -g local -j "$VM_MAC" "$BCAST"
    RID=""
    [ "$VN_RC" = 0 ] && [[ $VN_OUT =~ ^OK\ ([0-9]+)$ ]] && RID=${BASH_REMATCH[1]}
    [ -n "$RID" ]
}

# in_pool IP: IP is one of udhcpd's addresses.
in_pool() {
    local last=${1##*.}
    [[ $1 =~ ^198\.18\.0\.[0-9]+$ ]] && [ "$last" -ge "${DHCP_FIRST##*.}" ] && [ "$last" -le "${DHCP_LAST##*.}" ]
}

# guest_dhcp: udhcpc in the guest (bounded); sets GUEST_IP.
guest_dhcp() {
    local lease server
    vm_run 40 "rm -f /tmp/lease; timeout 35 udhcpc -i eth0 -s /etc/udhcpc.sh -f -q -n -t 10 -T 3 -A 1 >/dev/null 2>&1 && cat /tmp/lease"
    read -r lease server <<<"$VM_OUT"
    vn_eq "$1: the guest's udhcpc gets a lease (exit 0)" 0 "$VM_RC"
    vn_eq "$1: ... from the DHCP server on the far LAN (h2)" "$H2_IP" "${server:-none}"
    vn_check "$1: ... an address of its pool ($DHCP_FIRST-$DHCP_LAST): ${lease:-none}" in_pool "${lease:-none}"
    GUEST_IP=${lease:-198.18.0.254}
}

# guest_ping: 5 pings from the guest to h1, at least 4 replies.
guest_ping() {
    local rx
    vm_run 20 "ping -c 5 -i 0.2 -W 2 $H1_IP"
    rx=$(printf '%s\n' "$VM_OUT" | sed -n 's/.* \([0-9][0-9]*\) packets received.*/\1/p')
    vn_log "ping guest -> h1: ${rx:-0}/5 replies"
    [ "${rx:-0}" -ge 4 ]
}

# tcp_guest_to_h1 TAG: iperf3 client in the guest, server in h1 (3 s); the server's report.
tcp_guest_to_h1() {
    local i json=$VN_TMP/iperf-guest-to-h1-$1.json
    vn_bg h1 timeout -k 3 40 iperf3 -s -1 -J -B "$H1_IP" -p 5201 >"$json" 2>&1
    local spid=$VN_BG
    for ((i = 0; i < 50; i++)); do
        [ -n "$(vn_in h1 ss -Hltn 'sport = :5201' 2>/dev/null)" ] && break
        sleep 0.1
    done
    vm_run 30 "timeout 25 iperf3 -c $H1_IP -p 5201 -t 3 --connect-timeout 5000 | tail -n 4"
    wait "$spid" 2>/dev/null
    vn_iperf_parse "$json"
    GBPS[$1-out]=$VN_IPERF_GBPS
    vn_log "iperf3 guest -> h1 ($1): received ${VN_IPERF_BYTES:-0} bytes, ${VN_IPERF_GBPS:-0} Gbit/s ${VN_IPERF_ERR:+error=$VN_IPERF_ERR}"
    [ "$VM_RC" = 0 ] && [ -z "${VN_IPERF_ERR:-}" ] && [ "${VN_IPERF_BYTES:-0}" -gt 0 ]
}

# tcp_h1_to_guest TAG: iperf3 server in the guest, client in h1 (3 s); the client's report.
tcp_h1_to_guest() {
    local json=$VN_TMP/iperf-h1-to-guest-$1.json
    vm_run 10 "iperf3 -s -1 -D -B $GUEST_IP -p 5201 && for i in 1 2 3 4 5 6 7 8 9 10; do netstat -ltn | grep -q ':5201 ' && break; sleep 0.2; done"
    vn_in h1 timeout --foreground -k 3 25 iperf3 -c "$GUEST_IP" -p 5201 -t 3 -J --connect-timeout 5000 >"$json" 2>&1
    vn_iperf_parse "$json"
    GBPS[$1-in]=$VN_IPERF_GBPS
    vn_log "iperf3 h1 -> guest ($1): received ${VN_IPERF_BYTES:-0} bytes, ${VN_IPERF_GBPS:-0} Gbit/s ${VN_IPERF_ERR:+error=$VN_IPERF_ERR}"
    vm_run 5 "killall iperf3 2>/dev/null; true"
    [ -z "${VN_IPERF_ERR:-}" ] && [ "${VN_IPERF_BYTES:-0}" -gt 0 ]
}

# b_field ID NAME: the value of NAME for B's handler ID in STATS?.
b_field() {
    vn_client gB ${VN_QUERY_OPTS[@]+"${VN_QUERY_OPTS[@]}"} -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
    printf '%s\n' "$VN_OUT" | awk -v id="$1" -v f="$2" '$1 == id && $2 ~ /^state=/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}

# traffic TAG: DHCP, ping both ways, TCP both ways between the guest and h1; the frames went
# as datagrams (the default path), the guest's TCP super-frames cut and coalesced on the way.
traffic_checks() {
    local in0 out0
    in0=$(b_field "${RID:-0}" udp_in)
    out0=$(b_field "${RID:-0}" udp_out)
    guest_dhcp "$1"
    vn_check "$1: ping guest -> h1" guest_ping
    vn_check "$1: ping h1 -> guest ($GUEST_IP)" vn_ping h1 "$GUEST_IP" 5
    vn_check "$1: TCP guest -> h1 (iperf3 3 s, the guest connects) received data" tcp_guest_to_h1 "$1"
    vn_check "$1: TCP h1 -> guest (iperf3 3 s, h1 connects) received data" tcp_h1_to_guest "$1"
    vn_eq "$1: B's handler sends as datagrams (STATS? path)" udp "$(b_field "${RID:-0}" path)"
    vn_check "$1: B received the guest's frames as datagrams (udp_in ${in0:-?} -> $(b_field "${RID:-0}" udp_in))" \
        test "$(b_field "${RID:-0}" udp_in)" -gt $((${in0:-0} + 1000))
    vn_check "$1: B sent h1's frames as datagrams (udp_out ${out0:-?} -> $(b_field "${RID:-0}" udp_out))" \
        test "$(b_field "${RID:-0}" udp_out)" -gt $((${out0:-0} + 1000))
}

# vm_nic_wedged: after failed checks, whether the guest's own NIC has stopped passing frames, a
# fault of the emulated machine that vnet did not cause. True when QEMU runs, reported no virtio
# error, the guest's console answers and its kernel reported no panic, BUG, Oops or bad GSO frame
# (what a malformed frame from vnet would cause), and yet, with vnet out of the path, frames the
# guest sends (udhcpc's DISCOVERs) do not reach the TAP (vmnet1's rx_packets), or ARP requests
# sent on the TAP from gA, from an address in no handler's list, do not reach the guest (its
# eth0 rx_packets).
vm_nic_wedged() {
    local tap0 tap1 g0 g1 oops
    kill -0 "$QEMU_PID" 2>/dev/null || { vn_log "QEMU has exited: not a wedged NIC"; return 1; }
    if grep -qi virtio "$VN_TMP/qemu.log"; then
        vn_log "QEMU reported a virtio error: not a wedged NIC"
        grep -i virtio "$VN_TMP/qemu.log" | tail -n 3 | sed 's/^/  qemu| /'
        return 1
    fi
    tap0=$(vn_in gA cat /sys/class/net/vmnet1/statistics/rx_packets)
    vm_run 10 "cat /sys/class/net/eth0/statistics/rx_packets; dmesg | grep -cE 'Kernel panic|BUG:|Oops|general protection|bad gso'; timeout 5 udhcpc -i eth0 -n -q -t 2 -T 1 -s /bin/true >/dev/null 2>&1; true"
    g0=$(printf '%s\n' "$VM_OUT" | sed -n 1p)
    oops=$(printf '%s\n' "$VM_OUT" | sed -n 2p)
    tap1=$(vn_in gA cat /sys/class/net/vmnet1/statistics/rx_packets)
    vn_in gA "$VN_PY" "$VN_VNLIB" sendarp vmnet1 02:00:c6:12:00:ee 198.18.0.251 198.18.0.250 3 0.05 >/dev/null
    vm_run 5 "cat /sys/class/net/eth0/statistics/rx_packets"
    g1=$(printf '%s\n' "$VM_OUT" | sed -n 1p)
    vn_log "the guest's NIC without vnet: sent to the TAP ${tap0:-?} -> ${tap1:-?}, received from it ${g0:-?} -> ${g1:-?}; kernel faults reported: ${oops:-?}"
    if ! [[ ${tap0:-} =~ ^[0-9]+$ && ${tap1:-} =~ ^[0-9]+$ && ${g0:-} =~ ^[0-9]+$ && ${g1:-} =~ ^[0-9]+$ ]]; then
        vn_log "the guest's console did not answer: not a wedged NIC"
        return 1
    fi
    [ "${oops:-1}" = 0 ] || { vn_log "the guest's kernel reported a fault: not a wedged NIC"; return 1; }
    [ "$tap1" -le "$tap0" ] || [ "$g1" -le "$g0" ]
}

# traffic TAG: traffic_checks. When some fail and the guest's own NIC is found wedged
# (vm_nic_wedged: seen once under TCG), QEMU is restarted and, once B's handler is back, the
# section's failed checks are set aside and its checks run again, once a run; the log and the
# last lines say so. A fault on vnet's side leaves the NIC working: its failures stand.
VM_RESTARTED=""
traffic() {
    local fails=$VN_FAILS checks=$VN_CHECKS
    traffic_checks "$1"
    [ "$VN_FAILS" = "$fails" ] && return 0
    vm_diag "$1"
    [ -z "$VM_RESTARTED" ] || return 0
    vm_nic_wedged || return 0
    VM_RESTARTED=$1
    vn_log "$1: the guest's NIC passes no frames to or from its TAP, vnet aside: QEMU restarted"
    vm_halt
    vm_boot
    if ! vn_wait_handlers A 1 20; then
        vn_fail "$1 (again): B reconnects to A within 20 s of the new TAP"
        return 0
    fi
    vn_log "$1: the $((VN_FAILS - fails)) failed checks above set aside; the section's checks run again"
    VN_FAILS=$fails
    VN_CHECKS=$checks
    vn_ok "$1 (again): B reconnected to A after QEMU's restart (A lists 1 handler)"
    traffic_checks "$1"
    [ "$VN_FAILS" = "$fails" ] || vm_diag "$1"
}

# b_reconnect ID: "RECONNECTING STATE" of B's handler ID, from STATS? (e.g. "yes up").
b_reconnect() {
    vn_client gB ${VN_QUERY_OPTS[@]+"${VN_QUERY_OPTS[@]}"} -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
    printf '%s\n' "$VN_OUT" | awk -v id="$1" '$1 == id && $2 ~ /^state=/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        print v["reconnecting"], v["state"] }'
}

# ---- the run
vn_topology
vn_ip gA link del vmnet1 # the veth of lib.sh's pretend VM: QEMU's TAP takes its name
ip netns del "$(vn_ns vm)"
vn_bg h2 "$VM_DIR/busybox" udhcpd -f "$VN_TMP/udhcpd.conf" >>"$VN_TMP/udhcpd.log" 2>&1

vn_section "clear: the example's daemons, a QEMU guest on TAP vmnet1, handle -r from gB"
vn_start_seed_daemons
vm_boot
vm_run 10 "rm -f /tmp/lease; timeout 8 udhcpc -i eth0 -s /etc/udhcpc.sh -f -q -n -t 2 -T 2 -A 1 >/dev/null 2>&1"
vn_check "before any handler, the guest gets no DHCP lease (udhcpc fails)" test "$VM_RC" != 0
vn_check "handle -r (the example's command) answers OK ID" rhandle
traffic clear

vn_section "TLS: both daemons restarted with -s, handle -s -r"
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "${RID:-0}"
vn_check "B lists 0 handlers after close -i" vn_wait_handlers B 0 5
vn_stop_daemon A TERM
vn_stop_daemon B TERM
vn_start_daemon A gA "$PASS_A" -s -h "$UL_A" -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -s -h "$UL_B" -p "$PORT" -d eth0
VN_QUERY_OPTS=(-s)
vn_check "handle -s -r answers OK ID" rhandle -s
vn_handlers_B
vn_match "B lists the handler on vmnet1" "^$RID LOCAL .* vmnet1 " "$VN_LINES"
vn_eq "B's handler is a reconnecting one, up (STATS?)" "yes up" "$(b_reconnect "$RID")"
traffic tls

vn_section "QEMU restarted: its TAP disappears and comes back; the same handle -r carries the guest"
# The daemons' logs from here on only: a restart for a wedged NIC above logs the same lines.
A_LINES=$(wc -l <"$VN_TMP/vnet-A.log")
B_LINES=$(wc -l <"$VN_TMP/vnet-B.log")
vm_halt
vn_check "vmnet1 is gone from gA with QEMU" eval '! vn_link_exists gA vmnet1'
sleep 3
vn_match "A's log: its half of the handler closed, device vmnet1 removed" \
    "closed: device vmnet1 was removed" "$(tail -n +$((A_LINES + 1)) "$VN_TMP/vnet-A.log")"
vn_match "while the guest is down, B keeps handler $RID, reconnecting (waiting or connecting)" \
    "^yes (waiting|connecting)\$" "$(b_reconnect "$RID")"
vn_match "B's log: while vmnet1 was gone, A refused B's attempt to reconnect" \
    "device vmnet1 does not exist" "$(tail -n +$((B_LINES + 1)) "$VN_TMP/vnet-B.log")"
vm_boot
vn_check "B reconnects to A within 20 s of the new TAP (A lists 1 handler)" vn_wait_handlers A 1 20
vn_eq "B's handler $RID is up again, with no new handle command" "yes up" "$(b_reconnect "$RID")"
traffic restarted
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
vn_match "B's STATS? counts the reconnection" "^$RID state=up uptime=[0-9]+ reconnects=[1-9]" "$VN_OUT"

vn_section "end"
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c close -i "$RID"
vm_halt
[ -n "$VM_RESTARTED" ] &&
    vn_log "NOTE: QEMU was restarted once, in section $VM_RESTARTED, for a wedged guest NIC (diagnostics above)"
vn_log "throughput (iperf3 TCP, Gbit/s, accelerator $ACCEL): clear guest->h1 ${GBPS[clear-out]:-?} h1->guest ${GBPS[clear-in]:-?}; TLS guest->h1 ${GBPS[tls-out]:-?} h1->guest ${GBPS[tls-in]:-?}; after the restart guest->h1 ${GBPS[restarted-out]:-?} h1->guest ${GBPS[restarted-in]:-?}"
vn_finish
