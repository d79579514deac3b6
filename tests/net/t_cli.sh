#!/usr/bin/env bash
# The command lines: --version/--help, usage errors (exit 2), a busy port
# (exit 1), network errors (client exit 3), passwords read from standard input without a terminal,
# the interactive echo command, the password hidden from ps, the dual-stack default listener,
# the scheduling policy (--sched), and the warning of a daemon left running as root (no --user).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

# run_in NS SECONDS PROGRAM ARGS...: sets VN_OUT (stdout+stderr) and VN_RC.
run_in() {
    local ns=$1 secs=$2
    shift 2
    VN_OUT=$(vn_in "$ns" setsid -w timeout -k 3 $((secs * VN_SLOW)) ${VN_WRAP[@]+"${VN_WRAP[@]}"} "$@" 2>&1 </dev/null)
    VN_RC=$?
    printf '  $ %s -> exit %s\n' "$(basename "$1") ${*:2}" "$VN_RC" | sed "s/$PASS_A/<PASS_A>/g; s/$PASS_B/<PASS_B>/g"
    [ -n "$VN_OUT" ] && printf '%s\n' "$VN_OUT" | head -n 5 | sed 's/^/  | /'
    return 0
}

vn_section "--version and --help"
run_in gB 5 "$VNET" --version
vn_eq "vnet --version exits 0" 0 "$VN_RC"
vn_match "vnet --version prints 1.0.0" '1\.0\.0' "$VN_OUT"
run_in gB 5 "$VNETCLIENT" --version
vn_eq "vnetclient --version exits 0" 0 "$VN_RC"
vn_match "vnetclient --version prints 1.0.0" '1\.0\.0' "$VN_OUT"
run_in gB 5 "$VNET" --help
vn_eq "vnet --help exits 0" 0 "$VN_RC"
vn_match "vnet --help shows the usage" '-d' "$VN_OUT"
run_in gB 5 "$VNETCLIENT" --help
vn_eq "vnetclient --help exits 0" 0 "$VN_RC"
vn_match "vnetclient --help names the commands" 'handle' "$VN_OUT"

vn_section "usage errors exit 2"
run_in gB 5 "$VNET"
vn_eq "vnet without arguments" 2 "$VN_RC"
run_in gB 5 "$VNET" "$PASS_B" -h "$UL_B" -p 4460
vn_eq "vnet without -d" 2 "$VN_RC"
run_in gB 5 "$VNET" "$PASS_B" -h "$UL_B" -p notaport -d eth0
vn_eq "vnet -p notaport" 2 "$VN_RC"
run_in gB 5 "$VNETCLIENT" -p "$PASS_B" -c handlers
vn_eq "vnetclient without -h" 2 "$VN_RC"
run_in gB 5 "$VNETCLIENT" -p "$PASS_B" -h "$UL_B"
vn_eq "vnetclient without -c" 2 "$VN_RC"
run_in gB 5 "$VNETCLIENT" -p "$PASS_B" -h "$UL_B" -c frobnicate
vn_eq "vnetclient -c frobnicate" 2 "$VN_RC"
run_in gB 5 "$VNETCLIENT" -p "$PASS_B" -h "$UL_B" -c close
vn_eq "vnetclient -c close without -i" 2 "$VN_RC"
run_in gB 5 "$VNETCLIENT" -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 -g local
vn_eq "vnetclient -c handle without -j" 2 "$VN_RC"
run_in gB 5 "$VNETCLIENT" --ca /nonexistent -p "$PASS_B" -h "$UL_B" -c handlers
vn_eq "vnetclient --ca without -s" 2 "$VN_RC"

vn_section "runtime errors"
run_in gB 5 "$VNET" "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0
vn_eq "a second vnet on a port in use exits 1" 1 "$VN_RC"
vn_client gB -p "$PASS_B" -h "$UL_B" -o 4999 -c handlers
vn_eq "vnetclient to a port where nothing listens exits 3" 3 "$VN_RC"
vn_match "... and says why" '[^ ]' "$VN_ERR"
vn_check "the first daemon is still running" kill -0 "${VN_DPID[B]}"

if [ -z "$VNET_WRAP" ]; then
    vn_section "the password is not visible in ps"
    cmdline=$(tr '\0' ' ' <"/proc/${VN_DPID[B]}/cmdline")
    vn_log "gB daemon cmdline: $(printf '%s' "$cmdline" | sed "s/$PASS_B/<PASS_B>/g")"
    vn_check "/proc/PID/cmdline of the gB daemon does not show its password" \
        eval '! printf "%s" "$cmdline" | grep -qF -- "$PASS_B"'
fi

vn_section "passwords from standard input when there is no terminal"
vn_client_input "$PASS_B"$'\n' gB -h "$UL_B" -c handlers
vn_eq "handlers with the password on stdin" 0 "$VN_RC"
vn_match "... answers OK handlers" '^OK handlers' "$VN_OUT"
vn_client_input "wrongPassword"$'\n' gB -h "$UL_B" -c handlers
vn_eq "a wrong password on stdin: exit 1" 1 "$VN_RC"
vn_client_input "$PASS_B"$'\n'"$PASS_A"$'\n' gB -h "$UL_B" -c handle -d "$UL_A" -e eth0 -f vmnet1 \
    -g local -j "$VM_MAC" "$BCAST"
vn_eq "handle with both passwords on stdin (-p's first, then -b's)" 0 "$VN_RC"
vn_match "... answers OK ID" '^OK [0-9]+$' "$VN_OUT"
vn_check "ping vm -> h1 through that handler" vn_ping vm "$H1_IP" 3

vn_section "the interactive echo command"
vn_client_input $'HANDLERS?\nDEVICES?\nDEVINFO?\n' gB -p "$PASS_B" -h "$UL_B" -c echo
vn_eq "echo exits 0 at end of input" 0 "$VN_RC"
vn_match "echo prints the HANDLERS? answer" '^OK handlers' "$VN_OUT"
vn_match "echo prints the DEVICES? answer" '^OK devices' "$VN_OUT"
vn_match "DEVICES? names the device alone, as VNET 0.9 does" '^eth0$' "$VN_OUT"
vn_match "echo prints the DEVINFO? answer" '^OK devinfo' "$VN_OUT"
vn_match "DEVINFO? gives its MAC, MTU and state" "^eth0 $GB_ETH0_MAC 1500 up\$" "$VN_OUT"
vn_client gB -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "vnetclient -c devices prints VNET 0.9's answer" "$(printf 'OK devices\n1\neth0')" "$VN_OUT"
vn_client gB -p "$PASS_B" -h "$UL_B" -c devinfo
vn_eq "vnetclient -c devinfo prints the details" "$(printf 'OK devinfo\n1\neth0 %s 1500 up' "$GB_ETH0_MAC")" "$VN_OUT"

vn_section "-h _ (the default): IPv6 and IPv4 on one socket"
vn_start_daemon D gA "$PASS_A" -p 4456 -d vmnet1 --sched normal
vn_client gA -p "$PASS_A" -h 127.0.0.1 -o 4456 -c devices
vn_eq "reachable over IPv4 loopback" 0 "$VN_RC"
vn_client gA -p "$PASS_A" -h ::1 -o 4456 -c devices
vn_eq "reachable over IPv6 loopback" 0 "$VN_RC"
vn_client gB -p "$PASS_A" -h "$UL_A" -o 4456 -c handlers
vn_eq "reachable from gB over the underlay" 0 "$VN_RC"

vn_section "--sched: SCHED_BATCH by default, unless told or started otherwise"
policy_of() { chrt -p "$1" 2>/dev/null | sed -n 's/.*scheduling policy: //p'; }
# Daemons inherit this shell's policy: only SCHED_OTHER is switched to SCHED_BATCH.
base=$(policy_of $$)
want=$base
[ "$base" = SCHED_OTHER ] && want=SCHED_BATCH
vn_eq "a daemon started under $base runs as $want" "$want" "$(policy_of "${VN_DPID[A]}")"
vn_eq "--sched normal keeps $base" "$base" "$(policy_of "${VN_DPID[D]}")"
VN_WRAP_SAVED=(${VN_WRAP[@]+"${VN_WRAP[@]}"})
VN_WRAP=(chrt -i 0 ${VN_WRAP[@]+"${VN_WRAP[@]}"})
vn_start_daemon E gA "$PASS_A" -p 4457 -d vmnet1
VN_WRAP=(${VN_WRAP_SAVED[@]+"${VN_WRAP_SAVED[@]}"})
vn_eq "a policy chosen with chrt (SCHED_IDLE) is kept" SCHED_IDLE "$(policy_of "${VN_DPID[E]}")"
run_in gB 5 "$VNET" "$PASS_B" --sched fast -h "$UL_B" -p 4460 -d eth0
vn_eq "--sched fast is a usage error" 2 "$VN_RC"

vn_section "started as root: a warning unless --user"
# log_has TAG REGEX: wait (bounded) until vnet's "ready" line is in the daemon's log, then grep.
log_has() {
    vn_wait_until 5 grep -q ' ready, ' "$VN_TMP/vnet-$1.log"
    grep -Eq -- "$2" "$VN_TMP/vnet-$1.log"
}
ROOT_WARN='warn.*running as root \(UID 0\).*write every file root owns.*--user'
vn_check "root without --user: the log warns that vnet keeps UID 0" log_has A "$ROOT_WARN"
vn_start_daemon F gA "$PASS_A" -p 4458 -d vmnet1 --user nobody
vn_check "root with --user nobody: the daemon becomes nobody" \
    test "$(awk '$1 == "Uid:" {print $3}' "/proc/${VN_DPID[F]}/status")" = "$(id -u nobody)"
vn_check "root with --user nobody: no such warning" eval "! log_has F '$ROOT_WARN'"
vn_client gA -p "$PASS_A" -h 127.0.0.1 -o 4458 -c devices
vn_eq "the daemon running as nobody answers" 0 "$VN_RC"

vn_finish
