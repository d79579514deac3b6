#!/usr/bin/env bash
# The cost of reconnecting handlers whose peer is down: a -s daemon (key mode) with 16 RHANDLE
# lines in its handlers file, to an address where nothing listens. Each handler derives the
# TLS key of its peer's password once (a tenth of a second of CPU, on purpose), keeps it, and
# its retries derive nothing: over 10 s of retries the daemon uses well under half a second of
# CPU, and its -v log shows one derivation per handler.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
N=16

# count_handlers HOST PASSWORD: the number of handlers a -s daemon lists (-1 if no answer).
count_handlers() {
    vn_client gB -s -p "$2" -h "$1" -c handlers >/dev/null
    local n
    n=$(printf '%s\n' "$VN_OUT" | sed -n 2p)
    [ "$VN_RC" = 0 ] && [ -n "$n" ] && echo "$n" || echo -1
}

vn_section "$N reconnecting handlers (RHANDLE, -s key mode) to $UL_A:$PORT, where nothing listens"
PWFILE=$VN_TMP/pass-A
HFILE=$VN_TMP/handlers
printf '%s\n' "$PASS_A" >"$PWFILE"
chmod 600 "$PWFILE"
for ((i = 0; i < N; i++)); do
    printf 'RHANDLE @%s LOCAL eth0 REMOTE %s %s vmnet1 02:00:c6:12:01:%02x\n' \
        "$PWFILE" "$UL_A" "$PORT" "$i"
done >"$HFILE"
chmod 600 "$HFILE"
LOG=$VN_TMP/vnet-B.log
vn_start_daemon B gB "$PASS_B" -v -s -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE"
PID=${VN_DPID[B]}
# The first attempts (and their derivations) are over once every line says it keeps trying.
vn_wait_until 20 eval '[ "$(grep -c "not connected yet" "$LOG")" -ge "$N" ]'
vn_eq "all $N handlers exist, not connected yet, and keep trying" "$N" \
    "$(grep -c 'not connected yet.*it will keep trying' "$LOG")"

vn_section "10 s of retries"
hz=$(getconf CLK_TCK)
t0=$(vn_cpu_ticks "$PID")
a0=$(grep -c 'HANDLE LOCAL eth0 .*: connecting' "$LOG")
sleep 10
t1=$(vn_cpu_ticks "$PID")
a1=$(grep -c 'HANDLE LOCAL eth0 .*: connecting' "$LOG")
attempts=$((a1 - a0))
cpu_ms=$(( (t1 - t0) * 1000 / hz ))
vn_log "in 10 s: $attempts attempts, $cpu_ms ms of CPU (utime+stime of pid $PID)"
vn_check "the handlers retried meanwhile ($attempts attempts, at least $((2 * N)))" \
    test "$attempts" -ge $((2 * N))
vn_check "the daemon used under 0.5 s of CPU for them ($cpu_ms ms)" test "$cpu_ms" -lt 500
vn_eq "one key derivation per handler in the -v log" "$N" \
    "$(grep -c 'derived the TLS key of its password' "$LOG")"
vn_check "the password is not in the log" eval "! grep -Fq '$PASS_A' '$LOG'"
vn_eq "B still answers and lists the $N handlers" "$N" "$(count_handlers "$UL_B" "$PASS_B")"

vn_section "the kept key works: once A is up, every handler connects"
vn_start_daemon A gA "$PASS_A" -s -h "$UL_A" -p "$PORT" -d vmnet1
vn_wait_until -i 1 40 eval '[ "$(count_handlers "$UL_A" "$PASS_A")" = "$N" ]'
vn_eq "A lists $N handlers within 40 s (the longest wait between attempts is 30 s)" "$N" \
    "$(count_handlers "$UL_A" "$PASS_A")"
vn_eq "still one derivation per handler" "$N" "$(grep -c 'derived the TLS key of its password' "$LOG")"

vn_finish
