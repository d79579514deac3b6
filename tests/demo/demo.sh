#!/usr/bin/env bash
# tests/demo/demo.sh - a guided tour of vnet (run it with "make demo", as root).
#
# Builds the example of the VNET 0.9 README (section 7) out of network namespaces on this
# machine, bridges a "virtual machine" onto a LAN it is not plugged into, shows that it works,
# and removes everything again. Nothing outside this machine is touched: the demo's hosts use
# 198.18.0.0/24 and the link between the two vnet daemons uses 198.19.0.0/24, all inside
# namespaces that exist only while the demo runs.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$root/$1" ;; esac; }
VNET=$(abs "${VNET:-build/vnet}")
VNETCLIENT=$(abs "${VNETCLIENT:-build/vnetclient}")

P="vndemo$$-"          # every namespace of this demo starts with this
PASS_A=secret44        # password of the daemon on machine44-1
PASS_B=secret42        # password of the daemon on machine42-2
VM_MAC=02:00:c6:12:00:0a
PIDS=()
LOGDIR=$(mktemp -d /tmp/vnet-demo.XXXXXX)

B='' D='' G='' R='' N=''
if [ -t 1 ]; then B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; fi
step=0
say() { printf '%s\n' "$*"; }
title() { step=$((step + 1)); printf '\n%s%d. %s%s\n' "$B" "$step" "$*" "$N"; }
# show WHERE COMMAND...: print the command as the user would type it on that machine, then run it.
show() {
    local where=$1
    shift
    printf '%s   [%s]$ %s%s\n' "$D" "$where" "$*" "$N"
}
ns() { local n=$1; shift; ip netns exec "$P$n" "$@"; }
fail() { printf '%sdemo failed: %s%s\n' "$R" "$*" "$N"; exit 1; }

cleanup() {
    local rc=$? pid n
    trap - EXIT INT TERM
    set +e
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    sleep 0.5
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        case $n in "$P"*) ;; *) continue ;; esac
        # Whatever still runs in a namespace of ours was started here: stop it with it.
        for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del "$n" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "$rc" -ne 0 ]; then
        for f in "$LOGDIR"/*.log; do
            [ -e "$f" ] && { printf -- '--- %s\n' "$f"; tail -n 15 "$f"; }
        done
    fi
    rm -rf "$LOGDIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'printf "\ninterrupted: cleaning up\n"; exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "run me as root (I create network namespaces): sudo make demo"
[ -x "$VNET" ] && [ -x "$VNETCLIENT" ] || fail "build vnet first (make): $VNET or $VNETCLIENT missing"

say "${B}vnet demo: bridge a virtual machine onto a LAN it is not plugged into${N}"
say
say "This is the example of the VNET 0.9 README, section 7, in miniature:"
say "  - machine44-1 hosts a virtual machine (VM) on its host-only network device vmnet1;"
say "  - the VM should appear on another network, the LAN of machine42-2, with hosts h1 and h2;"
say "  - a vnet daemon on each machine, and one 'handler' between them, carry the VM's"
say "    Ethernet frames: in sealed or stamped UDP datagrams where UDP gets through, over"
say "    their TCP connection otherwise."
say "Every machine here is a network namespace on this computer; nothing leaves it."

title "Build the machines and networks (ip netns, veth pairs, a bridge)"
for n in m44 m42 lan vm h1 h2; do ip netns add "$P$n" || fail "ip netns add"; ns "$n" ip link set lo up; done
for n in lan vm h1 h2; do ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
# the VM, plugged into machine44-1's vmnet1
ip -n "${P}m44" link add vmnet1 type veth peer name eth0 address "$VM_MAC" netns "${P}vm"
ip -n "${P}vm" addr add 198.18.0.10/24 dev eth0
ip -n "${P}vm" link set eth0 up
ip -n "${P}m44" link set vmnet1 up
# the link between the two machines (the "Internet" between the 44 and 42 networks)
ip -n "${P}m44" link add ul type veth peer name ul netns "${P}m42"
ip -n "${P}m44" addr add 198.19.0.1/24 dev ul
ip -n "${P}m42" addr add 198.19.0.2/24 dev ul
ip -n "${P}m44" link set ul up
ip -n "${P}m42" link set ul up
# the LAN of machine42-2: a switch (bridge) with machine42-2's eth0, h1 and h2 on it
ip -n "${P}lan" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "${P}lan" link set br0 up
ip -n "${P}lan" link add p-m42 type veth peer name eth0 netns "${P}m42"
ip -n "${P}lan" link set p-m42 master br0 up
ip -n "${P}m42" link set eth0 up
i=1
for h in h1 h2; do
    ip -n "${P}lan" link add "p-$h" type veth peer name eth0 netns "$P$h"
    ip -n "${P}lan" link set "p-$h" master br0 up
    ip -n "$P$h" addr add "198.18.0.$i/24" dev eth0
    ip -n "$P$h" link set eth0 up
    i=$((i + 1))
done
ns m44 ping -c 1 -W 2 -q 198.19.0.2 >/dev/null || fail "the two machines cannot reach each other"
say "  machine44-1  (ns ${P}m44): vmnet1 -> the VM;  198.19.0.1 towards machine42-2"
say "  the VM       (ns ${P}vm):  198.18.0.10, MAC $VM_MAC (an address of the LAN!)"
say "  machine42-2  (ns ${P}m42): eth0 on the LAN;   198.19.0.2 towards machine44-1"
say "  h1, h2       (ns ${P}h1, ${P}h2): 198.18.0.1 and 198.18.0.2 on the LAN"

title "Without vnet the VM cannot reach the LAN"
show vm "ping -c 2 198.18.0.1"
if ns vm timeout 6 ping -n -c 2 -W 1 -q 198.18.0.1 >/dev/null 2>&1; then
    fail "the VM already reaches h1?"
fi
ip -n "${P}vm" neigh flush all   # forget the failed ARP lookup
say "   no answer, as expected: the VM is plugged into machine44-1, not into the LAN."

title "Start a vnet daemon on each machine"
say "   Each daemon gets a password and the devices it may bridge (-d)."
show machine44-1 "vnet $PASS_A -h 198.19.0.1 -p 4455 -d vmnet1"
# Started as a simple command (not through the function ns): $! is then vnet's own pid.
ip netns exec "${P}m44" "$VNET" "$PASS_A" -h 198.19.0.1 -p 4455 -d vmnet1 >"$LOGDIR/machine44-1.log" 2>&1 &
PIDS+=($!)
show machine42-2 "vnet $PASS_B -h 198.19.0.2 -p 4455 -d eth0"
ip netns exec "${P}m42" "$VNET" "$PASS_B" -h 198.19.0.2 -p 4455 -d eth0 >"$LOGDIR/machine42-2.log" 2>&1 &
PIDS+=($!)
for n in m44 m42; do
    for ((i = 0; i < 100; i++)); do
        [ -n "$(ns "$n" ss -Hltn 'sport = :4455')" ] && break
        sleep 0.1
    done
    [ -n "$(ns "$n" ss -Hltn 'sport = :4455')" ] || fail "the daemon in $n does not listen"
done
say "   both daemons listen on port 4455. Their first log lines:"
sed 's/^/     /' "$LOGDIR/machine44-1.log" "$LOGDIR/machine42-2.log" | head -n 6

title "Ask for a handler with vnetclient"
say "   We ask machine42-2's daemon to connect to machine44-1's and bridge its eth0 with"
say "   machine44-1's vmnet1 for the VM's MAC and for broadcasts (needed for ARP)."
say "   -g local: machine42-2 forwards frames whose DESTINATION is in the list (frames for the"
say "   VM); machine44-1 then does the opposite and forwards frames whose SOURCE is the VM."
say "   (Without -p and -b, vnetclient would prompt for the two passwords.)"
show machine42-2 "vnetclient -p $PASS_B -h 198.19.0.2 -c handle -b $PASS_A -d 198.19.0.1 -e eth0 -f vmnet1 -g local -j $VM_MAC ff:ff:ff:ff:ff:ff"
out=$(ns m42 timeout 30 "$VNETCLIENT" -p "$PASS_B" -h 198.19.0.2 -c handle -b "$PASS_A" -d 198.19.0.1 \
    -e eth0 -f vmnet1 -g local -j "$VM_MAC" ff:ff:ff:ff:ff:ff </dev/null 2>&1) || fail "handle: $out"
printf '     %s\n' "$out"
hid=${out#OK }
say "   '$out': handler $hid exists."

title "Ping across the bridge, both ways"
show vm "ping -c 3 198.18.0.1"
ns vm timeout 10 ping -n -c 3 -i 0.3 -W 2 198.18.0.1 | sed 's/^/     /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "the VM cannot ping h1"
show h2 "ping -c 3 198.18.0.10"
ns h2 timeout 10 ping -n -c 3 -i 0.3 -W 2 198.18.0.10 | sed 's/^/     /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "h2 cannot ping the VM"
say "   ${G}The VM is on the LAN${N}, although it is still plugged into machine44-1."

title "What the daemons say: HANDLERS? on both"
say "   (vnetclient can run on any machine that reaches a daemon; here it runs on machine42-2.)"
say "   Format: ID LOCAL-CONFIG ADDRESS PORT DEVICE <-> REMOTE-CONFIG ADDRESS PORT DEVICE MACs"
show machine42-2 "vnetclient -p $PASS_B -h 198.19.0.2 -c handlers"
ns m42 timeout 30 "$VNETCLIENT" -p "$PASS_B" -h 198.19.0.2 -c handlers </dev/null 2>&1 | sed 's/^/     /'
show machine42-2 "vnetclient -p $PASS_A -h 198.19.0.1 -c handlers"
ns m42 timeout 30 "$VNETCLIENT" -p "$PASS_A" -h 198.19.0.1 -c handlers </dev/null 2>&1 | sed 's/^/     /'
say "   Each daemon lists the same handler from its own side (its own id, its own view)."

title "Which path the frames took: STATS? on machine42-2's daemon"
show machine42-2 "vnetclient -p $PASS_B -h 198.19.0.2 -c stats"
stats=$(ns m42 timeout 30 "$VNETCLIENT" -p "$PASS_B" -h 198.19.0.2 -c stats </dev/null 2>&1)
printf '%s\n' "$stats" | tr ' ' '\n' | grep -E '^(path|out_frames|in_frames|udp_out|udp_in)=' |
    sed 's/^/     /'
case $stats in
*path=udp*) say "   ${G}path=udp${N}: the frames crossed as UDP datagrams (udp_out, udp_in), the TCP" \
    "connection kept for control." ;;
*) say "   path is not udp: the frames crossed over the TCP connection (see vnet-bridging(7))." ;;
esac

title "Close the handler and stop everything"
show machine42-2 "vnetclient -p $PASS_B -h 198.19.0.2 -c close -i $hid"
ns m42 timeout 30 "$VNETCLIENT" -p "$PASS_B" -h 198.19.0.2 -c close -i "$hid" </dev/null 2>&1 | sed 's/^/     /'
say "   Stopping the daemons with SIGTERM (Ctrl-C does the same) and removing the namespaces."
for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
names=(machine44-1 machine42-2)
for i in "${!PIDS[@]}"; do
    pid=${PIDS[$i]}
    # wait returns the daemon's exit status (bounded: the daemon's own shutdown is quick)
    for ((t = 0; t < 50; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && fail "the daemon of ${names[$i]} (pid $pid) did not stop on SIGTERM"
    wait "$pid"
    st=$?
    say "   ${names[$i]}'s daemon (pid $pid) exited with status $st; its last log lines:"
    tail -n 2 "$LOGDIR/${names[$i]}.log" | sed 's/^/     /'
    [ "$st" = 0 ] || fail "the daemon of ${names[$i]} exited with status $st"
done
PIDS=()

printf '\n%sDone.%s To try it on real machines, see man vnet(8) and vnetclient(1).\n' "$B" "$N"
exit 0
