#!/usr/bin/env bash
# SIGHUP reloads the handlers file, the password file and the certificates, changing only what
# changed. B holds 1,000 handlers to A from a handlers file (line 1: the VM's address and the
# broadcast address, the others one address each, as t_many_handlers has them). One frame goes
# through each; then one line is changed, one removed, one added, and B gets SIGHUP while a ping
# flood runs from the VM to h1 through line 1's handler: the 998 untouched lines keep their
# handlers (same ids on both daemons, so the same links, and counters that go on), the flood loses
# nothing, the changed and added lines get new handlers and the removed one's closes. Then a file
# with a bad line, and one that others may write: nothing changes, B's log says why, systemd's
# notification says the reload failed. Last, A's --password-file changes: a login with the new
# password works, the old one is refused, the established handlers go on.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology

N=1000
HFILE=$VN_TMP/handlers
PWA=$VN_TMP/password-A
NOTIFY=$VN_TMP/notify.sock
printf '%s\n' "$PASS_A" >"$PWA"
chmod 600 "$PWA"
mac() { printf '02:00:c6:%02x:%02x:01' $(($1 >> 8)) $(($1 & 255)); }
# write_file [changed]: the file, 1,000 lines (the first: the VM's address and the broadcast
# address, line I+1: mac(I)); "changed": line 501 lists one more address, line 601 is gone and a
# line for mac(1000) is added.
write_file() {
    PW=$PASS_A awk -v n=$N -v a="$UL_A" -v p="$PORT" -v first="$VM_MAC $BCAST" -v ch="${1:-}" 'BEGIN {
        for (i = 0; i < n + (ch != ""); i++) {
            if (ch != "" && i == 600)
                continue
            m = i ? sprintf("02:00:c6:%02x:%02x:01", int(i / 256), i % 256) : first
            if (ch != "" && i == 500)
                m = m " 02:00:c6:ff:00:01"
            printf "HANDLE %s LOCAL eth0 REMOTE %s %s vmnet1 %s\n", ENVIRON["PW"], a, p, m
        }
    }' >"$HFILE.new"
    chmod 600 "$HFILE.new"
    mv "$HFILE.new" "$HFILE"
}
reloads() { grep -c "reload [0-9]* \(done\|failed\)" "$VN_TMP/vnet-$1.log"; }
# hup TAG: SIGHUP to the daemon, wait (bounded) until it logs the reload's outcome.
hup() {
    local n
    n=$(reloads "$1")
    kill -HUP "${VN_DPID[$1]}"
    vn_wait_until 20 eval "[ \"\$(reloads $1)\" -gt $n ]" || vn_fail "daemon $1 logs no reload outcome"
    RELOAD_LOG=$(grep "reload [0-9]* \(done\|failed\)" "$VN_TMP/vnet-$1.log" | tail -n 1)
    vn_log "daemon $1: $RELOAD_LOG"
}
snap() { vn_py gB reload_snap.py snap "$1" "$2" "$VN_TMP/snap-$3.json"; }

write_file
vn_bg gB "$VN_PY" "$VN_PYDIR/notify_sink.py" "$NOTIFY" 300 "$VN_TMP/notify.out"
vn_wait_file "$NOTIFY" 5 || vn_die "no notification socket"
# "--password-file FILE" takes the place of the password word.
vn_start_daemon A gA --password-file "$PWA" -h "$UL_A" -p "$PORT" -d vmnet1
NOTIFY_SOCKET=$NOTIFY vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 \
    --handlers "$HFILE"

vn_section "$N handlers from the file, one frame through each"
vn_check "A lists the file's $N handlers within 60 s" vn_wait_handlers A $N 60
vn_check "B lists them too" vn_wait_handlers B $N 10
vn_in h1 env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_PYDIR/manylib.py" send eth0 "$H1_MAC"
vn_check "ping vm -> h1 through line 1's handler" vn_ping vm "$H1_IP" 3
vn_log "saving both daemons' handlers and counters"
snap "$UL_B" "$PASS_B" B0
snap "$UL_A" "$PASS_A" A0
vn_log "saved"

vn_section "line 501 changed, line 601 removed, a line added; SIGHUP during a ping flood"
CHANGED=$(mac 500) REMOVED=$(mac 600) ADDED=$(mac $N)
write_file changed
vn_log "file changed"
FLOOD=$VN_TMP/flood.out
vn_in vm timeout -k 2 40 ping -n -q -i 0.004 -c 2000 -w 30 "$H1_IP" >"$FLOOD" 2>&1 &
FLOOD_PID=$!
VN_BGPIDS+=("$FLOOD_PID")
sleep 1
hup B
vn_match "B's reload is done, keeping 998 lines, closing 2 handlers, starting 2" \
    "reload 1 done: handlers file: 998 lines kept, 2 closed, 2 started" "$RELOAD_LOG"
wait "$FLOOD_PID"
cat "$FLOOD"
vn_match "the ping flood through an untouched handler lost nothing" \
    "2000 packets transmitted, 2000 received, 0% packet loss" "$(cat "$FLOOD")"
vn_check "A lists $N handlers again" vn_wait_handlers A $N 20
snap "$UL_B" "$PASS_B" B1
snap "$UL_A" "$PASS_A" A1
vn_py_checks gB reload_snap.py kept "$VN_TMP/snap-B0.json" "$VN_TMP/snap-B1.json" B "$CHANGED" "$REMOVED"
vn_py_checks gB reload_snap.py kept "$VN_TMP/snap-A0.json" "$VN_TMP/snap-A1.json" A "$CHANGED" "$REMOVED"
vn_handlers_B
vn_check "B: the changed line's handler lists its new address" \
    eval "printf '%s\n' \"\$VN_LINES\" | grep -q ' $CHANGED 02:00:c6:ff:00:01\$'"
vn_check "B: the added line has its handler" eval "printf '%s\n' \"\$VN_LINES\" | grep -q ' $ADDED\$'"
vn_check "B: the removed line's handler is gone" eval "! printf '%s\n' \"\$VN_LINES\" | grep -q ' $REMOVED\$'"
vn_check "B logs why the removed line's handler closed" \
    grep -q "closed: its line left the handlers file" "$VN_TMP/vnet-B.log"

vn_section "a file with a bad line, then one that others may write: nothing changes"
cp "$HFILE" "$VN_TMP/handlers.good"
{
    sed 1,10d "$VN_TMP/handlers.good"
    printf 'HANDLE %s LOCAL eth9 REMOTE %s %s vmnet1 02:00:c6:ff:00:02\n' "$PASS_A" "$UL_A" "$PORT"
} >"$HFILE.new"
chmod 600 "$HFILE.new"
mv "$HFILE.new" "$HFILE"
BADLINE=$(($(wc -l <"$HFILE")))
hup B
vn_match "B: reload 2 failed, saying which line and why" \
    "reload 2 failed, nothing changed: $HFILE:$BADLINE: device eth9 is not one of this daemon's devices" \
    "$RELOAD_LOG"
snap "$UL_B" "$PASS_B" B2
vn_py_checks gB reload_snap.py same "$VN_TMP/snap-B1.json" "$VN_TMP/snap-B2.json" "B after the bad line"
sed 1,10d "$VN_TMP/handlers.good" >"$HFILE"
chmod 666 "$HFILE"
hup B
vn_match "B: reload 3 failed, saying why" \
    "reload 3 failed, nothing changed: $HFILE may be written by group or others" "$RELOAD_LOG"
snap "$UL_B" "$PASS_B" B3
vn_py_checks gB reload_snap.py same "$VN_TMP/snap-B1.json" "$VN_TMP/snap-B3.json" "B after chmod 666"
vn_check "systemd heard RELOADING=1 with the time" grep -q "^MONOTONIC_USEC=[0-9]*$" "$VN_TMP/notify.out"
vn_check "systemd heard that reload 3 failed" \
    grep -q "^STATUS=reload 3 failed, nothing changed: $HFILE may be written" "$VN_TMP/notify.out"
vn_check "the password never appears in B's log" eval "! grep -qF -- \"\$PASS_A\" \"\$VN_TMP/vnet-B.log\""
vn_check "B still serves: ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_section "A's password file changes: new logins take the new password"
NEWPASS=alphaNewSecret45
printf '%s\n' "$NEWPASS" >"$PWA.new"
chmod 644 "$PWA.new"
mv "$PWA.new" "$PWA"
hup A
vn_match "A: a password file that others may read is refused" \
    "reload 1 failed, nothing changed: $PWA is readable by group or others" "$RELOAD_LOG"
vn_check "A: the old password still logs in" vn_query gB "$UL_A" "$PASS_A" handlers
chmod 600 "$PWA"
hup A
vn_match "A: reload 2 done" "reload 2 done: password file read again" "$RELOAD_LOG"
vn_query gB "$UL_A" "$PASS_A" handlers
vn_match "A: the old password is refused" "authentication failed" "$VN_OUT $VN_ERR"
vn_query gB "$UL_A" "$NEWPASS" handlers
vn_eq "A: the new password logs in and A lists the $N established handlers" $N "$VN_COUNT"
vn_check "the established handlers go on: ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_check "the new password never appears in A's log" eval "! grep -qF -- \"\$NEWPASS\" \"\$VN_TMP/vnet-A.log\""

vn_finish
