#!/usr/bin/env bash
# Reconnecting handlers (vnetclient handle -r, RHANDLE): a TCP stream vm -> h1 survives a kill -9
# and restart of the daemon in gA; B shows the reconnect states and counts the reconnection;
# close -i ends it for good. Then a handlers file (--handlers FILE, password as @PATH) brings the
# bridge up at start, and its bad lines are logged with their line numbers.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons
command -v iperf3 >/dev/null || vn_die "iperf3 not installed"

# rhandle_seed: the example scenario's handle command with -r, run from gB; sets VN_HID.
rhandle_seed() {
    vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -r -b "$PASS_A" -d "$UL_A" \
        -e eth0 -f vmnet1 -g local -j "$VM_MAC" "$BCAST"
    VN_HID=""
    [ "$VN_RC" = 0 ] && [[ $VN_OUT =~ ^OK\ ([0-9]+)$ ]] && VN_HID=${BASH_REMATCH[1]}
    [ -n "$VN_HID" ]
}
# b_stats_field ID FIELD: a field of handler ID in B's STATS? answer.
b_stats_field() {
    vn_client gB -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
    printf '%s\n' "$VN_OUT" | awk -v id="$1" -v f="$2" '$1 == id {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}
now() { date +%s.%N; }

vn_section "a reconnecting handler (handle -r) from gB"
vn_check "handle -r answers OK ID" rhandle_seed
RID=$VN_HID
vn_handlers_B
vn_match "B's HANDLERS? line is in VNET 0.9's format (ending with the addresses)" "^$RID LOCAL $UL_B [0-9]+ eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$VN_LINES"
vn_eq "B's STATS? says it reconnects (reconnecting=yes)" yes "$(b_stats_field "$RID" reconnecting)"
vn_eq "B's STATS? state=up" up "$(b_stats_field "$RID" state)"
vn_eq "B's STATS? reconnects=0 at first" 0 "$(b_stats_field "$RID" reconnects)"
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_section "an iperf3 TCP stream vm -> h1 (12 s) while A is killed (kill -9) and restarted"
# Where the kernel allows it (Linux >= 6.15), cap the VM's TCP retransmission backoff at 1 s so
# that the stream resumes soon after the reconnection; older kernels keep their default (120 s).
vn_in vm sysctl -qw net.ipv4.tcp_rto_max_ms=1000 2>/dev/null || true
SRV_JSON=$VN_TMP/iperf-server.json
CLI_JSON=$VN_TMP/iperf-client.json
vn_bg h1 timeout -k 3 60 iperf3 -s -1 -J -B "$H1_IP" -p 5201 >"$SRV_JSON" 2>&1
SRV_PID=$VN_BG
vn_wait_until 5 vn_listening h1 5201
vn_bg vm timeout -k 3 50 iperf3 -c "$H1_IP" -p 5201 -t 12 -i 1 -J --connect-timeout 5000 >"$CLI_JSON" 2>&1
CLI_PID=$VN_BG
sleep 3
vn_stop_daemon A KILL
T_KILL=$(now)
# While A is down: watch B's view of the handler (bounded: about 1.5 s; A restarts after ~2 s,
# between B's first attempt, ~1 s after the loss, and its second, ~2 s later).
states=""
end=$(( $(date +%s%N) + 1500000000 ))
while [ "$(date +%s%N)" -lt "$end" ]; do
    s=$(b_stats_field "$RID" state)
    case " $states " in *" $s "*) ;; *) states="$states $s" ;; esac
    sleep 0.2
done
vn_log "B's reconnect states while A was down:$states"
vn_match "while A is down, B's STATS? shows state waiting or connecting" '(^| )(waiting|connecting)( |$)' "$states"
vn_handlers_B >/dev/null
down_line=$(printf '%s\n' "$VN_LINES" | awk -v id="$RID" '$1 == id')
vn_match "while A is down, B keeps handler $RID, with no connection ('- 0')" \
    "^$RID LOCAL - 0 eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$down_line"
vn_client gB -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
down_stats=$(printf '%s\n' "$VN_OUT" | awk -v id="$RID" '$1 == id')
vn_match "while A is down, B's STATS? says state=waiting or connecting, uptime=0" \
    "^$RID state=(waiting|connecting) uptime=0 reconnects=0 " "$down_stats"
vn_client gB --json -p "$PASS_B" -h "$UL_B" -c handlers >/dev/null
vn_check "while A is down, handlers --json: local address null, port 0; remote = the address dialled" \
    "$VN_PY" "$VN_PYDIR/reconnect_waiting.py" "$VN_OUT" "$RID" "$UL_A" "$PORT"
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
T_RESTART=$(now)
vn_log "A killed at $T_KILL, restarted at $T_RESTART"
wait "$CLI_PID"
CLI_RC=$?
wait "$SRV_PID" 2>/dev/null
vn_eq "the iperf3 client completes (exit 0)" 0 "$CLI_RC"
read -r total after nint < <("$VN_PY" "$VN_PYDIR/reconnect_intervals.py" "$SRV_JSON" "$T_RESTART"
)
vn_log "iperf3 receiver: $total bytes in $nint intervals, $after bytes in the intervals after A's restart"
vn_check "the receiver got bytes in total ($total)" test "${total:--1}" -gt 0
vn_check "the receiver got bytes after A's restart ($after)" test "${after:--1}" -gt 0
vn_check "B reconnects within 10 s" vn_wait_handlers A 1 10
vn_handlers_B
vn_match "at the end, B's HANDLERS? shows it connected" "^$RID LOCAL $UL_B [0-9]+ eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$VN_LINES"
vn_eq "B's STATS? reconnects=1" 1 "$(b_stats_field "$RID" reconnects)"
vn_eq "B's STATS? state=up" up "$(b_stats_field "$RID" state)"
vn_match "B's log says it reconnected (reconnection 1)" "handler $RID: reconnected to $UL_A:$PORT \\(reconnection 1\\)" "$(cat "$VN_TMP/vnet-B.log")"
vn_check "ping vm -> h1 after the reconnection" vn_ping vm "$H1_IP" 3

vn_section "CLOSE on the peer (A) ends only the current connection: the handler comes back"
vn_handlers_A
AID=$(printf '%s\n' "$VN_LINES" | awk 'NR == 1 {print $1}')
vn_client gB -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
V1_OUT=$(printf '%s\n' "$VN_OUT" | awk -v id="$RID" '$1 == id' | grep -o 'out_frames=[0-9]*' | cut -d= -f2)
V1_IN=$(printf '%s\n' "$VN_OUT" | awk -v id="$RID" '$1 == id' | grep -o 'in_frames=[0-9]*' | cut -d= -f2)
vn_client gB -p "$PASS_A" -h "$UL_A" -c close -i "${AID:-0}"
vn_eq "close -i $AID on A: exit 0" 0 "$VN_RC"
vn_check "B reconnects within 10 s: STATS? reconnects=2, state=up" vn_wait_until -i 0.5 10 eval \
    '[ "$(b_stats_field "$RID" reconnects)" = 2 ] && [ "$(b_stats_field "$RID" state)" = up ]'
vn_handlers_A
vn_eq "A lists 1 handler again" 1 "$VN_COUNT"
vn_check "... under a new id (it was $AID)" test "$(printf '%s\n' "$VN_LINES" | awk 'NR == 1 {print $1}')" != "$AID"
vn_client gB -p "$PASS_B" -h "$UL_B" -c stats >/dev/null
V2_OUT=$(printf '%s\n' "$VN_OUT" | awk -v id="$RID" '$1 == id' | grep -o 'out_frames=[0-9]*' | cut -d= -f2)
V2_IN=$(printf '%s\n' "$VN_OUT" | awk -v id="$RID" '$1 == id' | grep -o 'in_frames=[0-9]*' | cut -d= -f2)
vn_check "B's counters go on across connections: out_frames $V1_OUT -> $V2_OUT, in_frames $V1_IN -> $V2_IN" \
    test "${V1_OUT:-x}" -gt 1000 -a "${V2_OUT:-0}" -ge "${V1_OUT:-1}" -a "${V2_IN:-0}" -ge "${V1_IN:-1}"
vn_check "ping vm -> h1 through the handler that came back" vn_ping vm "$H1_IP" 3

vn_section "close -i on B ends the reconnecting handler for good"
vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "$RID"
vn_eq "close -i $RID: exit 0" 0 "$VN_RC"
vn_eq "close answers 'OK closed $RID'" "OK closed $RID" "$VN_OUT"
vn_check "B lists 0 handlers within 5 s" vn_wait_handlers B 0 5
vn_check "A lists 0 handlers within 5 s" vn_wait_handlers A 0 5
n0=$(grep -Ec 'connecting|next attempt|reconnected' "$VN_TMP/vnet-B.log")
sleep 4
n1=$(grep -Ec 'connecting|next attempt|reconnected' "$VN_TMP/vnet-B.log")
vn_eq "no reconnection attempt in B's log in the 4 s after the close" "$n0" "$n1"
vn_handlers_A
vn_eq "A still lists 0 handlers 4 s after the close" 0 "$VN_COUNT"
vn_check "ping vm -> h1 fails after the close" vn_ping_fails vm "$H1_IP"

vn_section "a handlers file brings the bridge up at start (B restarted with --handlers)"
vn_stop_daemon B TERM
vn_eq "B exits 0 on SIGTERM" 0 "$VN_DRC"
PWFILE=$VN_TMP/pass-A
HFILE=$VN_TMP/handlers
PWOPEN=$VN_TMP/pass-A-open
printf '%s\n' "$PASS_A" >"$PWFILE"
chmod 600 "$PWFILE"
printf '%s\n' "$PASS_A" >"$PWOPEN"
chmod 644 "$PWOPEN"
cat >"$HFILE" <<EOF
# handlers of B (gB), for the netns test

RHANDLE @$PWFILE local eth0 remote $UL_A $PORT vmnet1 $VM_MAC $BCAST   # the VM, whenever A is up
HANDLE @$PWFILE LOCAL eth9 REMOTE $UL_A $PORT vmnet1 02:00:c6:12:00:0e
FROBNICATE the handlers
RHANDLE @$PWOPEN LOCAL eth0 REMOTE $UL_A $PORT vmnet1 02:00:c6:12:00:0f
HANDLE @$PWFILE LOCAL eth0 REMOTE $UL_A $PORT vmnet1 zz:00:c6:12:00:0f
EOF
chmod 600 "$HFILE"
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE"
vn_check "B establishes the file's handler within 10 s" vn_wait_handlers B 1 10
vn_check "ping vm -> h1 works, without any vnetclient handle" vn_ping vm "$H1_IP" 5
vn_handlers_B
vn_match "B lists it, connected" "^[0-9]+ LOCAL $UL_B [0-9]+ eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$VN_LINES"
FILE_ID=$(printf '%s\n' "$VN_LINES" | awk 'NR == 1 {print $1}')
vn_eq "... as a reconnecting handler, up (STATS?)" "yes up" \
    "$(b_stats_field "${FILE_ID:-0}" reconnecting) $(b_stats_field "${FILE_ID:-0}" state)"
vn_handlers_A
vn_eq "A lists 1 handler" 1 "$VN_COUNT"
BLOG=$(cat "$VN_TMP/vnet-B.log")
vn_match "B's log: line 3 established" "$HFILE:3: handler [0-9]+ established" "$BLOG"
vn_match "B's log: line 4 (device eth9 not among -d) reported with its line number" "$HFILE:4: .*eth9" "$BLOG"
vn_match "B's log: line 5 (FROBNICATE) reported with its line number" "$HFILE:5: " "$BLOG"
vn_match "B's log: line 6 (password file readable by others) reported with its line number" "$HFILE:6: " "$BLOG"
vn_match "B's log: line 7 (bad MAC) reported with its line number" "$HFILE:7: " "$BLOG"
vn_check "B's log names no line 1 or 2 (comment and blank line)" eval "! grep -Eq '$HFILE:(1|2):' '$VN_TMP/vnet-B.log'"
vn_check "the password never appears in B's log" eval "! grep -Fq '$PASS_A' '$VN_TMP/vnet-B.log'"

vn_section "the handlers file's RHANDLE keeps trying when the peer is not up yet"
vn_stop_daemon B TERM
vn_stop_daemon A TERM
: >"$VN_TMP/vnet-B.log"
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE"
sleep 0.5
vn_handlers_B
vn_eq "A is down: B still lists the file's RHANDLE handler" 1 "$VN_COUNT"
vn_match "... not connected: '- 0'" \
    "^[0-9]+ LOCAL - 0 eth0 <-> REMOTE $UL_A $PORT vmnet1 $VM_MAC $BCAST\$" "$VN_LINES"
FID=$(printf '%s\n' "$VN_LINES" | awk 'NR == 1 {print $1}')
vn_match "... and STATS? says waiting or connecting" '^(waiting|connecting)$' "$(b_stats_field "${FID:-0}" state)"
vn_match "B logs that line 3 is not connected yet and will keep trying" \
    "$HFILE:3: handler [0-9]+ not connected yet .*it will keep trying" "$(cat "$VN_TMP/vnet-B.log")"
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
vn_check "once A is up, B connects within 10 s (A lists 1 handler)" vn_wait_handlers A 1 10
vn_check "ping vm -> h1 works, still without any vnetclient handle" vn_ping vm "$H1_IP" 3
vn_eq "the first connection is not a reconnection: STATS? reconnects=0" 0 "$(b_stats_field "${FID:-0}" reconnects)"
vn_eq "STATS? state=up" up "$(b_stats_field "${FID:-0}" state)"

vn_finish
