#!/usr/bin/env bash
# Admission of new control connections under attack (vnet-security(7) CONNECTION LIMITS):
# 1. idle connections churned (at 40 % of what the daemon takes, 2,000 to 8,000 a second; see
#    FLOOD_RATE) from 8 addresses of one IPv4 /24, then of one IPv6 /64, never lock out a client
#    from another network that waits 20, 50 or 200 ms before its HELLO;
# 2. nor do idle connections from every /64 of one IPv6 /56 (a home allocation), neither for an
#    IPv4 client nor for one from another /56 of the same /48;
# 3. one host that holds 32 or more idle connections, or churns them, does not lock out another
#    host of its /24 that sends its HELLO promptly;
# 4. a daemon that runs out of file descriptors (prlimit --nofile 40) still lets such a client in,
#    does not spin, and logs the shortage about once a second with a count.
#
#   ns atk  eth0 198.18.0.101-108/24, fd00:18::101-108/64,  <-> va 198.18.0.1, fd00:18::1  ns srv
#                fd00:18:0:N::2/64 for N = 0..ff (the /56)         (route fd00:18::/56)    (vnet)
#   ns good eth0 198.19.0.2/24, fd00:19::2/64,             <-> vg 198.19.0.1, fd00:19::1,
#                fd00:18:0:100::2/64                              fd00:18:0:100::1
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v prlimit >/dev/null || vn_die "missing tool: prlimit (util-linux)"

SRV4=198.19.0.1
SRV6=fd00:19::1
ATK4=198.18.0.1
ATK6=fd00:18::1
ATK4_SRC=$(printf '198.18.0.%d,' 101 102 103 104 105 106 107 108)
ATK6_SRC=$(printf 'fd00:18::%d,' 101 102 103 104 105 106 107 108)

# veth SIDE_DEV PEER_NS V4/24 V6/64 PEER_V4S PEER_V6S: srv's SIDE_DEV <-> PEER_NS's eth0.
veth() {
    local dev=$1 peer=$2 a4=$3 a6=$4 p4=$5 p6=$6 a
    vn_ip srv link add "$dev" type veth peer name eth0 netns "$(vn_ns "$peer")" || vn_die "veth $dev"
    vn_in srv sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=0"
    vn_in "$peer" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
    vn_ip srv addr add "$a4/24" dev "$dev"
    vn_ip srv addr add "$a6/64" dev "$dev" nodad
    for a in ${p4//,/ }; do vn_ip "$peer" addr add "$a/24" dev eth0; done
    for a in ${p6//,/ }; do vn_ip "$peer" addr add "$a/64" dev eth0 nodad; done
    vn_ip srv link set "$dev" up
    vn_ip "$peer" link set eth0 up
}
vn_add_ns srv
vn_add_ns atk
vn_add_ns good
veth va atk "$ATK4" "$ATK6" "$ATK4_SRC" "$ATK6_SRC"
veth vg good "$SRV4" "$SRV6" 198.19.0.2 fd00:19::2
# Every /64 of the attacker's /56, and the good client in the next /56 of the same /48.
ATK56_SRC=$(printf 'fd00:18:0:%x::2,' $(seq 0 255))
for a in ${ATK56_SRC//,/ }; do echo "addr add $a/64 dev eth0 nodad"; done | vn_ip atk -batch - ||
    vn_die "the attacker's /56"
vn_ip srv -6 route add fd00:18::/56 dev va || vn_die "route to the attacker's /56"
SRV6_56=fd00:18:0:100::1
vn_ip srv addr add "$SRV6_56/64" dev vg nodad
vn_ip good addr add fd00:18:0:100::2/64 dev eth0 nodad
vn_in good ping -c 1 -W 2 -q "$SRV4" >/dev/null || vn_die "ping good -> srv"
vn_in atk ping -c 1 -W 2 -q 198.18.0.1 >/dev/null || vn_die "ping atk -> srv"
# IPv6 on the veths: wait until the links carry it.
vn_wait_until -i 0.2 6 eval 'vn_in good ping -6 -c 1 -W 1 -q "$SRV6" >/dev/null 2>&1 &&
    vn_in good ping -6 -c 1 -W 1 -q "$SRV6_56" >/dev/null 2>&1 &&
    vn_in atk ping -6 -c 1 -W 1 -q -I fd00:18:0:ff::2 "$ATK6" >/dev/null 2>&1'

# The flooder is flood.py, FLOOD_RATE connections a second. The rate is bounded because the
# kernel, not the daemon, takes a connection first: past what the daemon accepts, the listening
# socket's queue fills and the kernel drops every new SYN, a client's too, whatever the daemon
# would choose (vnet-security(7); make bench MODES=accept measures it). So flood_calibrate first
# measures what this daemon takes, on this machine now (under AddressSanitizer, about half),
# and the floods run at 40 % of it, 8,000 a second at most and 2,000 at least (in 200 ms, 400
# new connections: more than the 256 not logged in a daemon holds); flood_end checks that the
# kernel dropped none, so that the checks are about the daemon's choice.
FLOOD_RATE=8000

# kernel_counter NAME: srv's TCP counter NAME (nstat).
kernel_counter() {
    vn_in srv nstat -asz "$1" 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'
}
# listen_overflows: SYNs and handshakes srv's kernel dropped because an accept queue was full
# (the daemon accepted slower than the flood connected).
listen_overflows() { kernel_counter TcpExtListenOverflows; }
# flood_start TAG DST SOURCES SECONDS KEEP GAP: start the flooder in atk (FLOOD_PID), at
# FLOOD_RATE unless GAP. flood_end stops it once the logins it covers are done: SECONDS is only
# a bound, longer than they may take.
flood_start() {
    local tag=$1
    rm -f "$VN_TMP/flood-$tag.ready" "$VN_TMP/flood-$tag.ready.stop" "$VN_TMP/flood-$tag.out"
    vn_bg atk timeout -k 2 60 "$VN_PY" "$(dirname "$0")/flood.py" "$2" "$PORT" "$3" "$4" "$5" "$6" \
        "$FLOOD_RATE" "$VN_TMP/flood-$tag.ready" "$VN_TMP/flood-$tag.out"
    FLOOD_PID=$VN_BG
    FLOOD_T0=$(date +%s)
    FLOOD_OVF0=$(listen_overflows)
    vn_wait_file "$VN_TMP/flood-$tag.ready" 10 || vn_fail "flooder $tag did not start"
}
# flood_end TAG MIN: stop the flooder, log its count and check that it made more than MIN, and
# that the kernel dropped none of its connections for a full accept queue.
flood_end() {
    local made ovf
    : >"$VN_TMP/flood-$1.ready.stop"
    wait "$FLOOD_PID" 2>/dev/null
    FLOOD_SECS=$(($(date +%s) - FLOOD_T0 + 1))
    ovf=$(($(listen_overflows) - ${FLOOD_OVF0:-0}))
    vn_log "flooder $1: $(tr '\n' ' ' <"$VN_TMP/flood-$1.out" 2>/dev/null)accept queue overflows $ovf"
    made=$(awk '$1 == "made" {print $2}' "$VN_TMP/flood-$1.out" 2>/dev/null)
    vn_check "the flooder $1 opened connections (${made:-none})" test "${made:-0}" -gt "$2"
    vn_eq "the daemon accepted them as they came: the kernel dropped none for a full queue" \
        0 "$ovf"
}

# good_logins HOST LABEL [NS [SOURCE]]: from NS (good) and SOURCE (any), 5 connections for each
# pause (20, 50, 200 ms) between connect and HELLO; each must be answered "OK 1.0" within 5 s (the
# first failure ends the five).
good_logins() {
    vn_py_checks "${3:-good}" admission_logins.py "$1" "$2" "${4:-}"
}

# flood_calibrate: 2 s of flood.py unpaced from 198.18.0.0/24; what the daemon took a second
# (connections the kernel queued for it, less those still queued) sets FLOOD_RATE.
flood_calibrate() {
    local p0 p1 q taken
    p0=$(kernel_counter TcpPassiveOpens)
    vn_in atk timeout -k 2 20 "$VN_PY" "$(dirname "$0")/flood.py" "$ATK4" "$PORT" "$ATK4_SRC" 2 400 \
        0 0 "$VN_TMP/calibrate.ready" "$VN_TMP/calibrate.out"
    p1=$(kernel_counter TcpPassiveOpens)
    q=$(vn_in srv ss -Hltn "sport = :$PORT" | awk '{q += $2} END {print q + 0}')
    taken=$(((p1 - p0 - q) / 2))
    FLOOD_RATE=$((taken * 4 / 10))
    [ "$FLOOD_RATE" -le 8000 ] || FLOOD_RATE=8000
    [ "$FLOOD_RATE" -ge 2000 ] || FLOOD_RATE=2000
    vn_log "unpaced: $(tr '\n' ' ' <"$VN_TMP/calibrate.out" 2>/dev/null)the daemon took $taken a second ($q still queued); floods at $FLOOD_RATE a second"
    sleep 1
}

vn_start_daemon S srv "$PASS_A" -p "$PORT" -d va
flood_calibrate
vn_section "idle connections, $FLOOD_RATE a second, from 8 addresses of 198.18.0.0/24 and of fd00:18::/64"
flood_start v4 "$ATK4" "$ATK4_SRC" 30 400 0
good_logins "$SRV4" "IPv4 client from 198.19.0.0/24 under an IPv4 flood"
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
flood_end v4 1000
flood_start v6 "$ATK6" "$ATK6_SRC" 30 400 0
good_logins "$SRV6" "IPv6 client from fd00:19::/64 under an IPv6 flood"
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
flood_end v6 1000

vn_section "idle connections, $FLOOD_RATE a second, from all 256 /64s of fd00:18:0:0::/56, one each in turn"
flood_start v6-56 "$ATK6" "$ATK56_SRC" 30 400 0
good_logins "$SRV4" "IPv4 client from 198.19.0.0/24 under a flood from one IPv6 /56"
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
flood_end v6-56 1000
flood_start v6-56b "$ATK6" "$ATK56_SRC" 30 400 0
good_logins "$SRV6_56" "IPv6 client from fd00:18:0:100::/56 under a flood from fd00:18:0:0::/56"
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
flood_end v6-56b 1000

vn_section "one host of 198.18.0.0/24 holds 60 idle connections, then churns them, $FLOOD_RATE a second"
# 60 connections at once from 198.18.0.103, all kept, then one more every 3 s.
flood_start hold "$ATK4" 198.18.0.103 30 100 3
good_logins "$ATK4" "host 198.18.0.104 beside a host that holds 60 idle connections" \
    atk 198.18.0.104
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
flood_end hold 59
flood_start churn "$ATK4" 198.18.0.103 30 400 0
good_logins "$ATK4" "host 198.18.0.104 beside a host that churns idle connections" \
    atk 198.18.0.104
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
flood_end churn 1000
vn_client good -p "$PASS_A" -h "$SRV4" -c devices
vn_match "after the floods, vnetclient -c devices gets 'OK devices'" '^OK devices' "$VN_OUT"
vn_stop_daemon S TERM
vn_eq "daemon S exits 0 on SIGTERM" 0 "$VN_DRC"

vn_section "out of file descriptors: the daemon may hold 40 (prlimit); idle connections exhaust them"
vn_start_daemon F srv "$PASS_A" -p "$PORT" -d va
FPID=${VN_DPID[F]}
vn_eq "the daemon's pid is vnet's own" vnet "$(cat "/proc/$FPID/comm" 2>/dev/null)"
prlimit --pid "$FPID" --nofile=40:40 || vn_die "prlimit --pid $FPID --nofile=40:40"
vn_log "daemon F: $(grep 'Max open files' "/proc/$FPID/limits")"
# 60 connections at once, then 20 a second, from one address, all kept open: past ~30, no
# descriptor is left.
flood_start fd "$ATK4" 198.18.0.101 40 900 0.05
sleep 0.5
cpu0=$(vn_cpu_ticks "$FPID")
t0=$(date +%s.%N)
good_logins "$SRV4" "client from 198.19.0.0/24 while the daemon is out of descriptors"
vn_client good -p "$PASS_A" -h "$SRV4" -c devices
vn_match "while out of descriptors, vnetclient -c devices (HELLO, DEVICES?) gets 'OK devices'" \
    '^OK devices' "$VN_OUT"
vn_check "the flooder was still running meanwhile" kill -0 "$FLOOD_PID"
# The daemon's CPU time over the rest of the exhaustion: a loop that spins would burn a whole CPU.
while [ "$("$VN_PY" -c "import sys; print(int(float(sys.argv[2]) - float(sys.argv[1]) < 5))" \
    "$t0" "$(date +%s.%N)")" = 1 ]; do
    sleep 0.2
done
cpu1=$(vn_cpu_ticks "$FPID")
hz=$(getconf CLK_TCK)
vn_log "daemon F used $((cpu1 - cpu0)) ticks (of $hz a second) in 5 s of exhaustion"
vn_check "the daemon does not spin: under 0.5 s of CPU in 5 s ($((cpu1 - cpu0)) ticks)" \
    test $(((cpu1 - cpu0) * 2)) -lt "$hz"
flood_end fd 100
LOGF=$VN_TMP/vnet-F.log
nlines=$(grep -Eci 'descriptor|open files' "$LOGF")
vn_log "daemon F log lines about descriptors: $nlines"
grep -Ei 'descriptor|open files' "$LOGF" | head -n 12
vn_check "in $FLOOD_SECS s of exhaustion, at most $((FLOOD_SECS + 2)) log lines about it ($nlines)" \
    test "$nlines" -le $((FLOOD_SECS + 2))
vn_match "the log says what happened, with a count" \
    'out of descriptors \(too many open files\): .*[0-9]+ connections? let in' "$(cat "$LOGF")"
sleep 0.5
vn_client good -p "$PASS_A" -h "$SRV4" -c devices
vn_match "after the flood, vnetclient -c devices gets 'OK devices'" '^OK devices' "$VN_OUT"

vn_finish
