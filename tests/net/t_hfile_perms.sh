#!/usr/bin/env bash
# The handlers file is obeyed as root (its @PATH password files are read before --user takes
# effect): vnet refuses, and exits 1, a handlers file that group or others may write, or that
# belongs to someone other than root or the user vnet runs as. A file of root's, mode 0600, or
# 0644 without a password written out, is used. A handlers file of another user's (with that
# --user) may name only that user's password files.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1

PWROOT=$VN_TMP/pass-root     # root's, 0600
PWNOBODY=$VN_TMP/pass-nobody # nobody's, 0600
HFILE=$VN_TMP/handlers
printf '%s\n' "$PASS_A" >"$PWROOT"
chmod 600 "$PWROOT"
printf '%s\n' "$PASS_A" >"$PWNOBODY"
chmod 600 "$PWNOBODY"
chown nobody "$PWNOBODY"
# handlers_file PWFILE: one RHANDLE line towards A, its password from PWFILE.
handlers_file() {
    rm -f "$HFILE"
    printf 'RHANDLE @%s LOCAL eth0 REMOTE %s %s vmnet1 %s %s\n' "$1" "$UL_A" "$PORT" "$VM_MAC" \
        "$BCAST" >"$HFILE"
}
# refused DESC [ARGS...]: vnet with --handlers $HFILE must exit 1 at once, saying why.
refused() {
    local desc=$1 out rc
    shift
    out=$(vn_in gB timeout -k 2 $((5 * VN_SLOW)) ${VN_WRAP[@]+"${VN_WRAP[@]}"} "$VNET" "$PASS_B" \
        -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE" "$@" 2>&1 </dev/null)
    rc=$?
    printf '%s\n' "$out" | sed 's/^/  | /'
    vn_eq "$desc: vnet exits 1" 1 "$rc"
    REFUSAL=$out
}
# used DESC [ARGS...]: vnet with --handlers $HFILE starts and establishes the file's handler.
used() {
    local desc=$1
    shift
    : >"$VN_TMP/vnet-B.log"
    vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE" "$@"
    vn_check "$desc: the file's handler is established within 10 s" vn_wait_handlers A 1 10
    vn_check "$desc: ping vm -> h1 through it" vn_ping vm "$H1_IP" 3
    vn_stop_daemon B TERM
    vn_eq "$desc: B exits 0 on SIGTERM" 0 "$VN_DRC"
    vn_wait_handlers A 0 10 || vn_fail "$desc: A still lists the handler after B stopped"
}

vn_section "refused: a handlers file that group or others may write, or of another user's"
handlers_file "$PWROOT"
chmod 666 "$HFILE"
refused "mode 0666"
vn_match "... and says why, with the fix" "$HFILE may be written by group or others.*chmod go-w $HFILE" "$REFUSAL"
chmod 620 "$HFILE"
refused "mode 0620 (group may write)"
vn_match "... and says why" "may be written by group or others" "$REFUSAL"
chmod 600 "$HFILE"
chown nobody "$HFILE"
refused "owned by nobody, mode 0600, vnet running as root"
vn_match "... and says why, with the fix" "$HFILE belongs to UID $(id -u nobody), neither root nor the user vnet runs as.*chown root" "$REFUSAL"
vn_handlers_A
vn_eq "A lists no handler: no line of a refused file was dialed" 0 "$VN_COUNT"
vn_check "the password never appears in the refusals" eval "! printf '%s' \"\$REFUSAL\" | grep -qF -- \"\$PASS_A\""

vn_section "used: root's file, 0600 or 0644 without a password written out"
chown root "$HFILE"
chmod 600 "$HFILE"
used "root's, mode 0600"
chmod 644 "$HFILE"
used "root's, mode 0644, password as @PATH"
printf 'RHANDLE %s LOCAL eth0 REMOTE %s %s vmnet1 %s\n' "$PASS_A" "$UL_A" "$PORT" "$VM_MAC" >"$HFILE"
: >"$VN_TMP/vnet-B.log"
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE"
vn_match "root's, mode 0644, a password written out: the line is skipped, saying why" \
    "$HFILE:1: a password written in a file that group or others can read" "$(cat "$VN_TMP/vnet-B.log")"
vn_stop_daemon B TERM
vn_eq "... B exits 0 on SIGTERM" 0 "$VN_DRC"
vn_check "the password never appears in B's log" eval "! grep -qF -- \"\$PASS_A\" \"\$VN_TMP/vnet-B.log\""

vn_section "a file of nobody's with --user nobody: used, but only with nobody's password files"
chmod 600 "$HFILE"
chown nobody "$HFILE"
handlers_file "$PWNOBODY"
chown nobody "$HFILE"
chmod 600 "$HFILE"
used "nobody's, mode 0600, --user nobody, nobody's password file" --user nobody
handlers_file "$PWROOT"
chown nobody "$HFILE"
chmod 600 "$HFILE"
: >"$VN_TMP/vnet-B.log"
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --handlers "$HFILE" --user nobody
vn_match "nobody's file naming root's password file: the line is skipped, saying why" \
    "$HFILE:1: password file $PWROOT belongs to UID 0, the handlers file to UID $(id -u nobody)" \
    "$(cat "$VN_TMP/vnet-B.log")"
sleep 1
vn_handlers_A
vn_eq "... and A lists no handler" 0 "$VN_COUNT"

vn_finish
