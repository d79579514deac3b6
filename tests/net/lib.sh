# shellcheck shell=bash
# tests/net/lib.sh - shared helpers for the vnet network-namespace scenarios.
#
# Sourced by every tests/net/t_*.sh.  It builds the example scenario of the VNET 0.9 README inside network
# namespaces that belong to this run only, starts and stops the daemons, runs vnetclient, and
# tears everything down on exit (also on failure and on Ctrl-C).
#
# Traffic rule: the scenarios address only loopback and the addresses below, inside namespaces
# created here: 198.18.0.0/24 for the hosts, 198.19.0.0/24 for the underlay between the daemons.
#
# Topology (vn_topology):
#
#   ns vm  eth0 198.18.0.10 (VM_MAC)          ns h1 eth0 198.18.0.1     ns h2 eth0 198.18.0.2
#        |                                          |                        |
#   ns gA vmnet1 (no IP)                       ns lan: bridge br0 (p-h1, p-h2, p-gB)
#   ns gA ul 198.19.0.1  <-- underlay veth -->  ns gB ul 198.19.0.2;  ns gB eth0 -> lan p-gB
#
#   gA = "machine44-1" (hosts the VM), gB = "machine42-2" (the proxy on the LAN).
#   With --vm2: ns vm2 eth0 198.18.0.11 (VM2_MAC) <-> gA vmnet2.
#
# Helpers to know first: vn_require (skips, exit 4, when not root or without ip netns),
# vn_topology, vn_start_daemon, vn_client, vn_check/vn_eq/vn_match, vn_wait_until (bounded polls),
# vn_py/vn_py_checks (python checkers importing vnlib.py, beside this file), vn_finish.
#
# Environment: VNET, VNETCLIENT (default build/vnet, build/vnetclient of the repository),
# VNET_WRAP (optional command prefix, e.g. "valgrind -q --error-exitcode=99"),
# VN_LOGDIR (where to keep logs; default: a temporary directory, removed when the scenario passes).

# shellcheck disable=SC2034  # globals set here are used by the scenarios
set -u

VN_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VN_ROOT=$(cd "$VN_LIB_DIR/../.." && pwd)

vn_abspath() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$VN_ROOT/$1" ;;
    esac
}
VNET=$(vn_abspath "${VNET:-build/vnet}")
VNETCLIENT=$(vn_abspath "${VNETCLIENT:-build/vnetclient}")
VNET_WRAP=${VNET_WRAP:-}
VN_WRAP=()
if [ -n "$VNET_WRAP" ]; then
    read -r -a VN_WRAP <<< "$VNET_WRAP"
fi
# Waiting bounds are stretched when the programs run under a wrapper (valgrind is slow).
VN_SLOW=1
[ -n "$VNET_WRAP" ] && VN_SLOW=5
VN_PY=/usr/bin/python3
[ -x "$VN_PY" ] || VN_PY=$(command -v python3 || echo python3)
# The scenarios' python: vnlib.py from here (run as a program: "$VN_PY" "$VN_VNLIB" CMD ...), and
# the programs and helper modules of tests/net/py/; no __pycache__ left in the source tree.
VN_VNLIB=$VN_LIB_DIR/vnlib.py
VN_PYDIR=$VN_LIB_DIR/py
export PYTHONDONTWRITEBYTECODE=1

# ---- fixed addresses and secrets of the scenario
PASS_A=alphaSecret44    # daemon in gA (machine44-1)
PASS_B=bravoSecret42    # daemon in gB (machine42-2)
PORT=4455
UL_A=198.19.0.1
UL_B=198.19.0.2
VM_IP=198.18.0.10
VM2_IP=198.18.0.11
H1_IP=198.18.0.1
H2_IP=198.18.0.2
VM_MAC=02:00:c6:12:00:0a
VM2_MAC=02:00:c6:12:00:0b
H1_MAC=02:00:c6:12:00:01
H2_MAC=02:00:c6:12:00:02
VMNET1_MAC=02:00:c6:13:00:a1
VMNET2_MAC=02:00:c6:13:00:a2
GB_ETH0_MAC=02:00:c6:13:00:b0
UL_A_MAC=02:00:c6:13:00:01
UL_B_MAC=02:00:c6:13:00:02
BCAST=ff:ff:ff:ff:ff:ff

# ---- per-run names
VN_SCEN=$(basename "$0" .sh)
VN_SCEN=${VN_SCEN#t_}
# run.sh passes its own prefix (vnPID-) so that it can sweep up after a scenario it had to kill.
VN_RUN_PREFIX=${VN_RUN_PREFIX:-vn$$-}
VN_PFX="${VN_RUN_PREFIX}${VN_SCEN:0:8}-"
VN_FAILS=0
VN_CHECKS=0
declare -A VN_DPID=()     # daemon tag -> pid
VN_BGPIDS=()              # other background processes
if [ -n "${VN_LOGDIR:-}" ]; then
    VN_TMP="$VN_LOGDIR/$VN_SCEN"
    rm -rf "$VN_TMP"
    mkdir -p "$VN_TMP"
    VN_TMP_KEEP=1
else
    VN_TMP=$(mktemp -d "/tmp/vnet-$VN_SCEN.XXXXXX")
    VN_TMP_KEEP=0
fi
# PYTHONPATH of the python programs: vnlib and the helper modules of tests/net/py/ (exported:
# every program the scenario starts, in any namespace, finds them).
VN_PYPATH=$VN_LIB_DIR:$VN_PYDIR
export PYTHONPATH=$VN_PYPATH
VN_T0=$(date +%s)

# ---- reporting
vn_log() { printf '[%s +%ss] %s\n' "$(date +%T)" "$(( $(date +%s) - VN_T0 ))" "$*"; }
vn_ok() { VN_CHECKS=$((VN_CHECKS + 1)); printf 'ok   - %s\n' "$*"; }
vn_fail() { VN_CHECKS=$((VN_CHECKS + 1)); VN_FAILS=$((VN_FAILS + 1)); printf 'FAIL - %s\n' "$*"; }
# vn_check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
vn_check() {
    local desc=$1
    shift
    if "$@"; then vn_ok "$desc"; else vn_fail "$desc"; fi
}
# vn_wait_until [-i STEP] SECONDS COMMAND...: run COMMAND (a program or a shell function) every
# STEP seconds (default 0.1) until it succeeds, then return 0; return 1 once SECONDS have passed
# (SECONDS is stretched by VN_SLOW under a wrapper such as valgrind). COMMAND always runs at least
# once, and once more after the deadline's last sleep. Like the kernel selftests' slowwait.
vn_wait_until() {
    local step=0.1 end
    if [ "$1" = -i ]; then
        step=$2
        shift 2
    fi
    end=$(( ${EPOCHREALTIME/[.,]/} + $1 * VN_SLOW * 1000000 ))
    shift
    until "$@"; do
        [ "${EPOCHREALTIME/[.,]/}" -ge "$end" ] && return 1
        sleep "$step"
    done
}
# vn_skip REASON: the scenario cannot run on this machine (not root, no network namespaces): it
# exits with status 4, as the kernel selftests do, and run.sh reports "SKIP name (REASON)".
VN_SKIP_RC=4
VN_SKIPPED=""
vn_skip() {
    VN_SKIPPED=$*
    exit "$VN_SKIP_RC"
}
# vn_die MESSAGE: a failure after which the scenario cannot go on.
vn_die() { vn_fail "$*"; exit 1; }
vn_section() { printf '\n== %s\n' "$*"; }

# vn_eq DESCRIPTION EXPECTED ACTUAL
vn_eq() {
    if [ "$2" = "$3" ]; then vn_ok "$1 ($3)"; else vn_fail "$1: expected '$2', got '$3'"; fi
}
# vn_match DESCRIPTION EXTENDED-REGEX TEXT (case-insensitive)
vn_match() {
    if printf '%s\n' "$3" | grep -Eiq -- "$2"; then vn_ok "$1"; else vn_fail "$1: /$2/ not in: $3"; fi
}

# ---- cleanup
vn_dump_logs() {
    local f
    for f in "$VN_TMP"/vnet-*.log; do
        [ -e "$f" ] || continue
        printf -- '--- tail of %s\n' "$f"
        tail -n 25 "$f"
    done
}

# vn_all_stopped: succeeds when no daemon or background process of the scenario is alive.
vn_all_stopped() {
    local tag pid
    for tag in "${!VN_DPID[@]}"; do kill -0 "${VN_DPID[$tag]}" 2>/dev/null && return 1; done
    for pid in "${VN_BGPIDS[@]}"; do kill -0 "$pid" 2>/dev/null && return 1; done
    return 0
}

vn_cleanup() {
    local rc=$? pid ns p tag
    set +e
    trap - EXIT INT TERM
    for tag in "${!VN_DPID[@]}"; do
        kill -TERM "${VN_DPID[$tag]}" 2>/dev/null
    done
    for pid in "${VN_BGPIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    vn_wait_until -i 0.25 5 vn_all_stopped
    for tag in "${!VN_DPID[@]}"; do kill -KILL "${VN_DPID[$tag]}" 2>/dev/null; done
    for pid in "${VN_BGPIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    # Anything still living in our namespaces was started by this scenario.
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -F -- "$VN_PFX"); do
        case $ns in "$VN_PFX"*) ;; *) continue ;; esac
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
        rm -rf -- "/etc/netns/$ns"     # vn_hosts
    done
    wait 2>/dev/null
    if [ -n "$VN_SKIPPED" ] && [ "$VN_FAILS" -eq 0 ]; then
        printf 'RESULT: SKIP %s (%s)\n' "$VN_SCEN" "$VN_SKIPPED"
        [ "$VN_TMP_KEEP" = 1 ] || rm -rf "$VN_TMP"
        rc=$VN_SKIP_RC
    elif [ "$VN_FAILS" -gt 0 ] || [ "$rc" -ne 0 ]; then
        vn_dump_logs
        printf 'RESULT: FAIL %s (%d of %d checks failed, exit %d, %ss; logs in %s)\n' \
            "$VN_SCEN" "$VN_FAILS" "$VN_CHECKS" "$rc" "$(( $(date +%s) - VN_T0 ))" "$VN_TMP"
        [ "$rc" -eq 0 ] && rc=1
    else
        printf 'RESULT: PASS %s (%d checks, %ss)\n' "$VN_SCEN" "$VN_CHECKS" "$(( $(date +%s) - VN_T0 ))"
        [ "$VN_TMP_KEEP" = 1 ] || rm -rf "$VN_TMP"
    fi
    exit "$rc"
}
trap vn_cleanup EXIT
trap 'vn_log "interrupted"; exit 130' INT TERM

# vn_finish: end of a scenario: stop the daemons still running with SIGTERM (each must exit 0:
# this also catches sanitizer or valgrind reports at exit), then exit 1 when any check failed.
vn_finish() {
    local tag
    for tag in "${!VN_DPID[@]}"; do
        vn_stop_daemon "$tag" TERM
        vn_eq "daemon $tag exits 0 on SIGTERM" 0 "$VN_DRC"
    done
    [ "$VN_FAILS" -eq 0 ] && exit 0
    exit 1
}

# ---- preconditions
vn_require() {
    local err
    [ "$(id -u)" = 0 ] || vn_skip "not root: network namespaces need root"
    command -v ip >/dev/null || vn_skip "no ip command (iproute2)"
    if ! err=$(ip netns add "${VN_PFX}probe" 2>&1); then
        vn_skip "ip netns does not work here: ${err%%$'\n'*}"
    fi
    ip netns del "${VN_PFX}probe"
    [ -x "$VNET" ] || vn_die "vnet binary not found or not executable: $VNET (run make)"
    [ -x "$VNETCLIENT" ] || vn_die "vnetclient binary not found or not executable: $VNETCLIENT (run make)"
    local t
    for t in ip ss timeout setsid; do
        command -v "$t" >/dev/null || vn_die "missing tool: $t"
    done
    "$VN_PY" -c 'import socket' 2>/dev/null || vn_die "missing tool: python3"
    vn_log "scenario $VN_SCEN: vnet=$VNET vnetclient=$VNETCLIENT wrap='${VNET_WRAP}' prefix=$VN_PFX"
}

# ---- namespaces
vn_ns() { printf '%s%s\n' "$VN_PFX" "$1"; }
# vn_in NS COMMAND...: run COMMAND inside our namespace NS.
vn_in() {
    local ns=$1
    shift
    ip netns exec "$VN_PFX$ns" "$@"
}
vn_ip() {
    local ns=$1
    shift
    ip -n "$VN_PFX$ns" "$@"
}
# vn_hosts NS "ADDRESS NAME"...: NS gets a hosts file of its own (localhost and these lines), so
# that host names resolve there: "ip netns exec" mounts /etc/netns/<namespace>/hosts over
# /etc/hosts. Removed with the namespace.
vn_hosts() {
    local ns=$1
    shift
    mkdir -p "/etc/netns/$VN_PFX$ns" || vn_die "mkdir /etc/netns/$VN_PFX$ns"
    printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$@" >"/etc/netns/$VN_PFX$ns/hosts" ||
        vn_die "cannot write /etc/netns/$VN_PFX$ns/hosts"
}

vn_add_ns() {
    local n=$1 host=${2:-0}
    ip netns add "$VN_PFX$n" || vn_die "ip netns add $VN_PFX$n"
    vn_ip "$n" link set lo up
    if [ "$host" = 1 ]; then
        # Hosts speak IPv4 only: no IPv6 autoconfiguration chatter in the frame counts.
        vn_in "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    else
        # Daemon hosts keep ::1 on lo but new devices get no IPv6.
        vn_in "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    fi
}

# vn_add_vm NAME GA_DEV MAC IP: a "virtual machine" namespace wired to gA's GA_DEV.
vn_add_vm() {
    local n=$1 dev=$2 mac=$3 ipaddr=$4 devmac=$5
    vn_add_ns "$n" 1
    vn_ip gA link add "$dev" address "$devmac" type veth peer name eth0 address "$mac" netns "$VN_PFX$n" ||
        vn_die "veth $dev <-> $n"
    vn_ip "$n" addr add "$ipaddr/24" dev eth0
    vn_ip "$n" link set eth0 up
    vn_ip gA link set "$dev" up
}

# vn_lan_port NS DEV BRIDGE: NS's DEV is a port of BRIDGE in the namespace lan (its peer p-DEV).
vn_lan_port() {
    vn_ip lan link add "p-$2" type veth peer name "$2" netns "$VN_PFX$1" || vn_die "veth $2"
    vn_ip lan link set "p-$2" master "$3" up
    vn_ip "$1" link set "$2" up
}

# vn_one_broadcast LABEL TARGET: h1 asks once (ARP) for TARGET, an unused address; h2 counts the
# copies of that request on its eth0 for 3 s into COPIES.
vn_one_broadcast() {
    rm -f "$VN_TMP/ready-$1" "$VN_TMP/count-$1"
    vn_bg h2 "$VN_PY" "$VN_VNLIB" count eth0 3 "$2" "$VN_TMP/ready-$1" "$VN_TMP/count-$1"
    vn_wait_file "$VN_TMP/ready-$1" 5 || vn_die "frame counter in h2 did not start"
    vn_in h1 "$VN_PY" "$VN_VNLIB" sendarp eth0 "$H1_MAC" "$H1_IP" "$2" 1 0 >/dev/null
    vn_wait_file "$VN_TMP/count-$1" 15 || vn_die "frame counter in h2 did not finish"
    COPIES=$(awk -v ip="$2" '$1 == ip {print $2}' "$VN_TMP/count-$1")
    vn_log "$1: h2 saw $COPIES copies of one broadcast in 3 s"
}

# vn_add_lanhost NAME MAC IP: a host on the LAN bridge.
vn_add_lanhost() {
    local n=$1 mac=$2 ipaddr=$3
    vn_add_ns "$n" 1
    vn_ip lan link add "p-$n" type veth peer name eth0 address "$mac" netns "$VN_PFX$n" || vn_die "veth p-$n"
    vn_ip lan link set "p-$n" master br0 up
    vn_ip "$n" addr add "$ipaddr/24" dev eth0
    vn_ip "$n" link set eth0 up
}

# vn_underlay: the veth "ul" between gA (UL_A) and gB (UL_B), the daemons' link; both exist.
vn_underlay() {
    vn_ip gA link add ul address "$UL_A_MAC" type veth peer name ul address "$UL_B_MAC" netns "$VN_PFX"gB ||
        vn_die "underlay veth"
    vn_ip gA addr add "$UL_A/24" dev ul
    vn_ip gB addr add "$UL_B/24" dev ul
    vn_ip gA link set ul up
    vn_ip gB link set ul up
}

# vn_topology [--vm2]: build the example scenario of the VNET 0.9 README (see the top
# of this file).
vn_topology() {
    local vm2=0
    [ "${1:-}" = --vm2 ] && vm2=1
    vn_log "building topology (prefix $VN_PFX)"
    vn_add_ns gA
    vn_add_ns gB
    vn_add_ns lan 1
    vn_underlay
    # the LAN
    vn_ip lan link add br0 type bridge stp_state 0 forward_delay 0 || vn_die "bridge"
    vn_ip lan link set br0 up
    vn_ip lan link add p-gB type veth peer name eth0 address "$GB_ETH0_MAC" netns "$VN_PFX"gB || vn_die "veth gB"
    vn_ip lan link set p-gB master br0 up
    vn_ip gB link set eth0 up
    vn_add_lanhost h1 "$H1_MAC" "$H1_IP"
    vn_add_lanhost h2 "$H2_MAC" "$H2_IP"
    # the VM(s) on machine44-1
    vn_add_vm vm vmnet1 "$VM_MAC" "$VM_IP" "$VMNET1_MAC"
    [ $vm2 = 1 ] && vn_add_vm vm2 vmnet2 "$VM2_MAC" "$VM2_IP" "$VMNET2_MAC"
    # underlay reachable?
    vn_in gA ping -c 1 -W 2 -q "$UL_B" >/dev/null || vn_die "underlay ping gA -> gB failed"
    vn_log "topology ready"
}

# ---- daemons
# vn_start_daemon TAG NS PASSWORD ARGS...: start vnet in NS (log: $VN_TMP/vnet-TAG.log) and wait
# until it listens on the -p port (default 4455).
vn_start_daemon() {
    local tag=$1 ns=$2 pass=$3
    shift 3
    local log="$VN_TMP/vnet-$tag.log" port=$PORT a prev=""
    for a in "$@"; do
        [ "$prev" = -p ] && port=$a
        prev=$a
    done
    vn_log "start $tag in $ns: vnet ****** $*"
    ip netns exec "$VN_PFX$ns" ${VN_WRAP[@]+"${VN_WRAP[@]}"} "$VNET" "$pass" "$@" >>"$log" 2>&1 &
    VN_DPID[$tag]=$!
    vn_wait_listen "$ns" "$port" "${VN_DPID[$tag]}" || vn_die "daemon $tag does not listen on port $port"
    vn_log "daemon $tag pid ${VN_DPID[$tag]} listening on port $port"
}

# vn_listening NS PORT: succeeds when something in NS listens on TCP PORT.
vn_listening() { [ -n "$(vn_in "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]; }
# vn_gone PID: succeeds when process PID no longer exists.
vn_gone() { ! kill -0 "$1" 2>/dev/null; }
vn_listening_or_gone() { vn_listening "$1" "$2" || vn_gone "$3"; }
# vn_wait_listen NS PORT PID: wait (10 s) until something in NS listens on TCP PORT; fails at
# once when process PID exits first.
vn_wait_listen() {
    local ns=$1 port=$2 pid=$3
    vn_wait_until 10 vn_listening_or_gone "$ns" "$port" "$pid"
    vn_listening "$ns" "$port" && return 0
    vn_gone "$pid" && vn_log "process $pid exited before listening"
    return 1
}

# vn_start_seed_daemons [GA_DEVICES...]: the two daemons of the example scenario.
vn_start_seed_daemons() {
    local devs=("$@")
    [ ${#devs[@]} -eq 0 ] && devs=(vmnet1)
    vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d "${devs[@]}"
    vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0
}

# vn_stop_daemon TAG [SIGNAL]: signal the daemon, wait (bounded) for it, set VN_DRC to its exit
# status (or "timeout").
vn_stop_daemon() {
    local tag=$1 sig=${2:-TERM} pid=${VN_DPID[$1]}
    kill "-$sig" "$pid" 2>/dev/null
    VN_DRC=timeout
    if vn_wait_until 10 vn_gone "$pid"; then
        wait "$pid" 2>/dev/null
        VN_DRC=$?
    else
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    unset "VN_DPID[$tag]"
    vn_log "daemon $tag (pid $pid) after SIG$sig: exit $VN_DRC"
}

# vn_cpu_ticks PID: user+system CPU ticks of a process.
vn_cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# ---- the client
# vn_client NS ARGS...: run vnetclient in NS without a terminal (setsid) and with empty stdin;
# sets VN_OUT (stdout), VN_ERR (stderr), VN_RC (exit status).
vn_client() {
    vn_client_input "" "$@"
}
# vn_client_input TEXT NS ARGS...: same, TEXT is given on standard input.
vn_client_input() {
    local input=$1 ns=$2
    shift 2
    local errf="$VN_TMP/client.err"
    VN_OUT=$(printf '%s' "$input" | ip netns exec "$VN_PFX$ns" setsid -w \
        timeout -k 5 $((45 * VN_SLOW)) ${VN_WRAP[@]+"${VN_WRAP[@]}"} "$VNETCLIENT" "$@" 2>"$errf")
    VN_RC=$?
    VN_ERR=$(cat "$errf")
    {
        printf '  $ vnetclient'
        printf ' %q' "$@"
        printf '   -> exit %s\n' "$VN_RC"
        [ -n "$VN_OUT" ] && printf '%s\n' "$VN_OUT" | sed 's/^/  | /'
        [ -n "$VN_ERR" ] && printf '%s\n' "$VN_ERR" | sed 's/^/  ! /'
    } | sed "s/$PASS_A/<PASS_A>/g; s/$PASS_B/<PASS_B>/g"
    return 0
}

# vn_query NS HOST PASSWORD COMMAND: "handlers" or "devices"; sets VN_OUT/VN_RC and VN_COUNT
# (the count line, or -1 when the answer is malformed) and VN_LINES (the listed lines).
# VN_QUERY_OPTS: vnetclient options put before the others (e.g. -s for daemons run with -s).
VN_QUERY_OPTS=()
vn_query() {
    local ns=$1 host=$2 pass=$3 cmd=$4 first count
    vn_client "$ns" ${VN_QUERY_OPTS[@]+"${VN_QUERY_OPTS[@]}"} -p "$pass" -h "$host" -c "$cmd"
    VN_COUNT=-1
    VN_LINES=""
    [ "$VN_RC" = 0 ] || return 1
    first=$(printf '%s\n' "$VN_OUT" | sed -n 1p)
    count=$(printf '%s\n' "$VN_OUT" | sed -n 2p)
    case $first in OK*) ;; *) return 1 ;; esac
    case $count in '' | *[!0-9]*) return 1 ;; esac
    VN_COUNT=$count
    VN_LINES=$(printf '%s\n' "$VN_OUT" | sed -n '3,$p')
    [ "$(printf '%s' "$VN_LINES" | grep -c .)" = "$count" ] || return 1
    return 0
}
vn_handlers_A() { vn_query gB "$UL_A" "$PASS_A" handlers; }
vn_handlers_B() { vn_query gB "$UL_B" "$PASS_B" handlers; }

# vn_handlers_count A|B N: succeeds when HANDLERS? of daemon A or B counts N.
vn_handlers_count() {
    "vn_handlers_$1" >/dev/null
    [ "$VN_COUNT" = "$2" ]
}
# vn_wait_handlers A|B N SECONDS: poll HANDLERS? (every 0.5 s) until the count is N.
vn_wait_handlers() { vn_wait_until -i 0.5 "$3" vn_handlers_count "$1" "$2"; }

# vn_handle_seed [DEV2 [MACS...]]: the handle command of the example scenario, run from gB.
# Sets VN_HID (the id answered, or empty).
vn_handle_seed() {
    local dev2=${1:-vmnet1}
    shift || true
    local macs=("$@")
    [ ${#macs[@]} -eq 0 ] && macs=("$VM_MAC" "$BCAST")
    vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" \
        -e eth0 -f "$dev2" -g local -j "${macs[@]}"
    VN_HID=""
    if [ "$VN_RC" = 0 ] && [[ $VN_OUT =~ ^OK\ ([0-9]+)$ ]]; then
        VN_HID=${BASH_REMATCH[1]}
        return 0
    fi
    return 1
}

# ---- traffic (bounded)
# vn_ping NS DST [COUNT]: succeeds when at least COUNT-1 (and at least 1) replies arrive.
vn_ping() {
    local ns=$1 dst=$2 n=${3:-5} out rx
    out=$(vn_in "$ns" timeout --foreground -k 2 $((n + 8)) ping -n -c "$n" -i 0.2 -W 2 "$dst" 2>&1)
    rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
    rx=${rx:-0}
    vn_log "ping $ns -> $dst: $rx/$n replies"
    [ "$rx" -ge 1 ] && [ "$rx" -ge $((n - 1)) ]
}
# vn_ping_fails NS DST: succeeds when no reply at all arrives to 3 pings.
vn_ping_fails() {
    local ns=$1 dst=$2 out rx
    out=$(vn_in "$ns" timeout --foreground -k 2 10 ping -n -c 3 -i 0.3 -W 1 "$dst" 2>&1)
    rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
    rx=${rx:-0}
    vn_log "ping $ns -> $dst (expected to fail): $rx/3 replies"
    # Forget the failed ARP resolution, or the next pings could be refused for a few seconds.
    vn_ip "$ns" neigh flush all >/dev/null 2>&1
    [ "$rx" -eq 0 ]
}

# vn_bg NS COMMAND...: run COMMAND in NS in the background, tracked for cleanup; sets VN_BG.
vn_bg() {
    local ns=$1
    shift
    ip netns exec "$VN_PFX$ns" "$@" &
    VN_BG=$!
    VN_BGPIDS+=("$VN_BG")
}

# vn_wait_file FILE SECONDS: wait (bounded) until FILE exists.
vn_wait_file() { vn_wait_until "$2" test -e "$1"; }

# vn_rx NS DEV: rx_packets of a device.
vn_rx() { vn_in "$1" cat "/sys/class/net/$2/statistics/rx_packets" 2>/dev/null || echo 0; }

# vn_promisc NS DEV: succeeds when DEV is in promiscuous mode (IFF_PROMISC or promiscuity > 0).
vn_promisc() {
    local out
    out=$(vn_ip "$1" -d link show dev "$2" 2>/dev/null)
    case $out in *PROMISC*) return 0 ;; esac
    [[ $out =~ promiscuity\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]
}

# ---- python helpers: tests/net/vnlib.py (raw protocol client, frame sender and counters)

# vn_py NS PROGRAM [ARGS...]: run the python3 program tests/net/py/PROGRAM (e.g. protocol.py)
# inside NS, with vnlib importable and the scenario's constants in the environment.
vn_py() {
    local ns=$1 prog=$2
    shift 2
    ip netns exec "$VN_PFX$ns" env PYTHONPATH="$VN_PYPATH" PASS_A="$PASS_A" PASS_B="$PASS_B" \
        UL_A="$UL_A" UL_B="$UL_B" PORT="$PORT" VM_MAC="$VM_MAC" BCAST="$BCAST" \
        H1_IP="$H1_IP" H1_MAC="$H1_MAC" GB_ETH0_MAC="$GB_ETH0_MAC" \
        timeout --foreground -k 5 $((50 * VN_SLOW)) "$VN_PY" "$VN_PYDIR/$prog" "$@"
}

# vn_py_checks NS PROGRAM [ARGS...]: as vn_py, counting the program's ok/FAIL lines into the
# scenario's totals.
vn_py_checks() {
    local out rc n f
    out=$(vn_py "$@")
    rc=$?
    printf '%s\n' "$out"
    n=$(printf '%s\n' "$out" | grep -c '^ok   - ')
    f=$(printf '%s\n' "$out" | grep -c '^FAIL - ')
    VN_CHECKS=$((VN_CHECKS + n + f))
    VN_FAILS=$((VN_FAILS + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        vn_fail "python checker exited $rc"
    fi
}

# vn_parse_handler LINE: split a HANDLERS? line
# "ID LCONF LADDR LPORT LDEV <-> RCONF RADDR RPORT RDEV MAC..." into H_ID, H_LCONF, H_LADDR,
# H_LPORT, H_LDEV, H_RCONF, H_RADDR, H_RPORT, H_RDEV, H_MACS (lower case); fails when malformed.
vn_parse_handler() {
    local arrow
    read -r H_ID H_LCONF H_LADDR H_LPORT H_LDEV arrow H_RCONF H_RADDR H_RPORT H_RDEV H_MACS <<< "$1"
    H_MACS=$(printf '%s' "${H_MACS:-}" | tr 'A-F' 'a-f')
    [[ ${H_ID:-} =~ ^[0-9]+$ ]] || return 1
    [ "${arrow:-}" = "<->" ] || return 1
    [[ ${H_LPORT:-} =~ ^[0-9]+$ ]] && [[ ${H_RPORT:-} =~ ^[0-9]+$ ]] || return 1
    [[ ${H_LCONF:-} =~ ^(LOCAL|REMOTE)$ ]] && [[ ${H_RCONF:-} =~ ^(LOCAL|REMOTE)$ ]] || return 1
    [ -n "$H_MACS" ]
}

# vn_iperf_parse FILE: the bytes received, the rate and the error of the iperf3 -J report in FILE
# (of either end) into VN_IPERF_BYTES, VN_IPERF_GBPS, VN_IPERF_ERR.
vn_iperf_parse() {
    read -r VN_IPERF_BYTES VN_IPERF_GBPS VN_IPERF_ERR < <("$VN_PY" "$VN_PYDIR/iperf_parse.py" "$1")
}

# vn_iperf SERVER_NS SERVER_IP CLIENT_NS: a bounded 3-second iperf3 TCP run from CLIENT_NS to
# SERVER_IP; sets VN_IPERF_BYTES (received), VN_IPERF_GBPS, VN_IPERF_ERR; fails when the run failed.
vn_iperf() {
    local sns=$1 sip=$2 cns=$3
    VN_IPERF_BYTES=0
    VN_IPERF_GBPS=0
    VN_IPERF_ERR=""
    command -v iperf3 >/dev/null || { VN_IPERF_ERR="iperf3 not installed"; return 1; }
    vn_bg "$sns" timeout -k 3 30 iperf3 -s -1 -B "$sip" -p 5201 >>"$VN_TMP/iperf-server.log" 2>&1
    local spid=$VN_BG
    vn_wait_until 5 vn_listening "$sns" 5201
    vn_in "$cns" timeout --foreground -k 3 25 iperf3 -c "$sip" -p 5201 -t 3 -J --connect-timeout 5000 \
        >"$VN_TMP/iperf-$cns-to-$sns.json" 2>&1
    vn_iperf_parse "$VN_TMP/iperf-$cns-to-$sns.json"
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    vn_log "iperf3 $cns -> $sip: received ${VN_IPERF_BYTES:-0} bytes, ${VN_IPERF_GBPS:-0} Gbit/s ${VN_IPERF_ERR:+error=$VN_IPERF_ERR}"
    [ -z "${VN_IPERF_ERR:-}" ] && [ "${VN_IPERF_BYTES:-0}" -gt 0 ]
}

# vn_tap_bg NS TAG VNLIB-COMMAND ARGS...: run a vnlib.py capture command in NS in the background,
# with the ready and output files of TAG as its last arguments; wait until it is ready.
vn_tap_bg() {
    local ns=$1 tag=$2
    shift 2
    rm -f "$VN_TMP/ready-$tag" "$VN_TMP/ready-$tag.stop" "$VN_TMP/wire-$tag"
    vn_bg "$ns" "$VN_PY" "$VN_VNLIB" "$@" "$VN_TMP/ready-$tag" "$VN_TMP/wire-$tag"
    vn_wait_file "$VN_TMP/ready-$tag" 5 || vn_fail "wiretap $tag did not start"
}
# vn_wiretap_start NS DEV TAG NEEDLE...: watch the TCP and UDP payload to/from port $PORT on DEV (in the
# background, until vn_wiretap_get, at most 60 s), counting the segments that contain each NEEDLE.
vn_wiretap_start() {
    local ns=$1 dev=$2 tag=$3
    shift 3
    local IFS=,
    vn_tap_bg "$ns" "$tag" tcpgrep "$dev" $((60 * VN_SLOW)) "$PORT" "$*"
}
# vn_marks_start NS DEV TAG MARKER...: count the frames arriving on DEV (not those it sends) that
# contain each MARKER (in the background, until vn_wiretap_get TAG MARKER, at most 60 s); the key
# "frames" is the number of frames seen.
vn_marks_start() {
    local ns=$1 dev=$2 tag=$3
    shift 3
    local IFS=,
    vn_tap_bg "$ns" "$tag" marks "$dev" $((60 * VN_SLOW)) "$*"
}
# vn_wiretap_get TAG KEY: "segments", "payload" or "hits-NEEDLE" (stops the tap first); for
# vn_marks_start, "frames" or a marker.
vn_wiretap_get() {
    : >"$VN_TMP/ready-$1.stop"
    vn_wait_file "$VN_TMP/wire-$1" 5 || { echo -1; return; }
    awk -v k="$2" '$1 == k {print $2}' "$VN_TMP/wire-$1"
}
# vn_ping_pattern NS DST: 5 pings whose payload repeats "vnet-wire-check!".
WIRE_NEEDLE=vnet-wire-check!
vn_ping_pattern() {
    vn_in "$1" timeout --foreground -k 2 10 ping -n -q -c 5 -i 0.2 -W 2 -s 200 \
        -p 766e65742d776972652d636865636b21 "$2" >/dev/null 2>&1
}

# vn_link_exists NS DEV: succeeds when DEV exists in NS; vn_link_gone: when it does not.
vn_link_exists() { vn_ip "$1" link show dev "$2" >/dev/null 2>&1; }
vn_link_gone() { ! vn_link_exists "$1" "$2"; }

# ---- a guest behind a TAP device vmtap in gA (ip tuntap ... vnet_hdr), four handlers on it in A
# The guest's frames G1 -> D1 ... G4 -> D4 go through one handler each: a LOCAL side captures by
# destination (A's handlers list D1, D2, D3), a REMOTE side by source (B's handler lists G4); the
# D addresses are nowhere.
GUEST_G=(- 02:00:c6:12:00:21 02:00:c6:12:00:22 02:00:c6:12:00:23 02:00:c6:12:00:24)
GUEST_D=(- 02:00:c6:12:00:31 02:00:c6:12:00:32 02:00:c6:12:00:33 02:00:c6:12:00:34)
vn_guest_tap_add() { vn_ip gA tuntap add dev vmtap mode tap vnet_hdr && vn_ip gA link set vmtap up; }
# vn_guest_send I MARKER plain|ufo COUNT: the guest writes COUNT frames G_I -> D_I into vmtap.
vn_guest_send() {
    vn_in gA "$VN_PY" "$VN_VNLIB" tapsend vmtap "${GUEST_G[$1]}" "${GUEST_D[$1]}" "$2" "$3" "$4"
}
# vn_stats_fields A|B NAME: the values of NAME in the daemon's STATS? lines, on one line.
vn_stats_fields() {
    local host=$UL_A pass=$PASS_A
    [ "$1" = B ] && host=$UL_B pass=$PASS_B
    vn_client gB -p "$pass" -h "$host" -c stats >/dev/null
    printf '%s\n' "$VN_OUT" | sed -n '3,$p' | grep -o " $2=[^ ]*" | cut -d= -f2 | tr '\n' ' ' |
        sed 's/ $//'
}
vn_guest_states_are() { [ "$(vn_stats_fields A state)" = "$*" ]; }
# vn_stats_sum NS HOST PASSWORD NAME: the sum of counter NAME over the STATS? lines of the daemon
# at HOST, asked from namespace NS.
vn_stats_sum() {
    vn_client "$1" -p "$3" -h "$2" -c stats >/dev/null
    printf '%s\n' "$VN_OUT" | sed -n '3,$p' | grep -o " $4=[0-9]*" | cut -d= -f2 |
        awk '{s += $1} END {print s + 0}'
}
# vn_injected B N K: the daemon lists N handlers, each of which injected at least K frames.
vn_injected() {
    [ "$(vn_stats_fields "$1" in_frames | tr ' ' '\n' | awk -v k="$3" '$1 >= k' | grep -c .)" = "$2" ]
}
# vn_guest_start_A shared|classic: start A on vmtap with a handlers file of one HANDLE line (its
# list: D1; B must be up), with the shared capture or (without CAP_BPF) the classic engine.
vn_guest_start_A() {
    local hfile=$VN_TMP/handlers saved=("${VN_WRAP[@]+"${VN_WRAP[@]}"}")
    printf 'HANDLE %s LOCAL vmtap REMOTE %s %s eth0 %s\n' "$PASS_B" "$UL_B" "$PORT" "${GUEST_D[1]}" >"$hfile"
    chmod 600 "$hfile"
    : >"$VN_TMP/vnet-A.log"
    # shellcheck disable=SC2054  # setpriv takes one comma-separated list
    [ "$1" = classic ] && VN_WRAP=(setpriv --bounding-set=-bpf,-sys_admin "${saved[@]+"${saved[@]}"}")
    vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmtap --handlers "$hfile"
    VN_WRAP=("${saved[@]+"${saved[@]}"}")
    if [ "$1" = shared ]; then
        vn_check "A runs the shared capture" grep -q "capture: one socket per device" "$VN_TMP/vnet-A.log"
    else
        vn_check "A runs the classic engine" grep -q "capture: one socket and classic BPF" "$VN_TMP/vnet-A.log"
    fi
}
# vn_guest_handlers: besides the handlers file's (D1), an RHANDLE (D2) and a HANDLE (D3) made by
# a client of A, and a HANDLE made on B (G4, REMOTE vmtap on A); all four up.
vn_guest_handlers() {
    vn_check "A establishes the handlers file's handler" vn_wait_handlers A 1 10
    vn_client gB -p "$PASS_A" -h "$UL_A" -c handle -r -b "$PASS_B" -d "$UL_B" -e vmtap -f eth0 -g local -j "${GUEST_D[2]}"
    vn_match "RHANDLE on A (client)" '^OK [0-9]+$' "$VN_OUT"
    vn_client gB -p "$PASS_A" -h "$UL_A" -c handle -b "$PASS_B" -d "$UL_B" -e vmtap -f eth0 -g local -j "${GUEST_D[3]}"
    vn_match "HANDLE on A (client)" '^OK [0-9]+$' "$VN_OUT"
    vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmtap -g local -j "${GUEST_G[4]}"
    vn_match "HANDLE on B, REMOTE vmtap (its half on A)" '^OK [0-9]+$' "$VN_OUT"
    vn_check "A lists 4 handlers, all up" vn_wait_until -i 0.5 5 vn_guest_states_are up up up up
}
