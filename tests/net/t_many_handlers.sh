#!/usr/bin/env bash
# 1,000 handlers on one device pair: B (gB, eth0 on the LAN) holds 1,000 handlers to
# A (gA, vmnet1), one MAC each; three of them list the broadcast address too. h1 sends one frame
# to each MAC and one broadcast: each frame goes through its own handler only (STATS? of both
# daemons, per handler), the broadcast arrives once through each of the three, nothing loops
# (frames counted on the VM's side and on the LAN, as t_broadcast_storm does). Then half of the
# handlers are closed and the other half still carries its frames, and only those.
# The daemons send keepalives every second: 1,000 idle links that hear them keep little memory.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" --keepalive 1 -d vmnet1
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" --keepalive 1 -d eth0

N=1000


# count_start NS TAG: count the test's frames arriving at NS's eth0 for 8 s.
count_start() {
    rm -f "$VN_TMP/ready-$2" "$VN_TMP/count-$2"
    vn_bg "$1" env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_PYDIR/manylib.py" count eth0 8 "$VN_TMP/ready-$2" "$VN_TMP/count-$2"
    vn_wait_file "$VN_TMP/ready-$2" 5 || vn_die "frame counter in $1 did not start"
}
count_wait() { vn_wait_file "$VN_TMP/count-$1" 20 || vn_die "frame counter $1 did not finish"; }

vn_section "$N handlers, one MAC each, three with the broadcast address"
vn_py_checks gB many_begin.py

vn_section "$N idle links exchanging keepalives keep little memory"
# A keepalive read into a fresh 128 KiB receive queue, wiped whole when the handler's timer gave
# it back, made every idle handler about 120 KiB resident (130 MB at 1,000 handlers).
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sleep 3
for d in A B; do
    rss=$(rss_kb "${VN_DPID[$d]}")
    if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "$VNET_WRAP" ]; then
        vn_log "daemon $d: RSS $rss KiB (not checked under a sanitizer or valgrind)"
    else
        vn_check "daemon $d: RSS $rss KiB with $N handlers, below 40 MiB" test "$rss" -lt 40960
    fi
done

vn_section "one frame to each MAC, one broadcast"
count_start vm all-vm
count_start h2 all-h2
vn_in h1 env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_PYDIR/manylib.py" send eth0 "$H1_MAC"
count_wait all-vm
count_wait all-h2
vn_py_checks gB many_counts.py "$VN_TMP/count-all-vm" "$VN_TMP/count-all-h2"
vn_py_checks gA many_gA.py

vn_section "the other half still works"
count_start vm half-vm
vn_in h1 env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_PYDIR/manylib.py" send eth0 "$H1_MAC"
count_wait half-vm
vn_py_checks gB many_half.py "$VN_TMP/count-half-vm"

vn_finish
