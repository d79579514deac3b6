# shellcheck shell=bash
# tests/net/lib_udp.sh - helpers of the datagram-path scenarios (t_udp_*.sh), sourced after lib.sh.
#
# udp_stats A|B: STATS? of daemon A or B (asked from gB; VN_UDP_CLIENT_OPTS, e.g. -s, go first)
# into VN_OUT; udp_field ID NAME: NAME's value for handler ID in that answer; udp_get A|B ID NAME:
# both at once; udp_path_is A|B ID PATH: handler ID says path=PATH; udp_first_id A|B: the first
# handler id the daemon lists. Python side: tests/net/py/udpatk.py (capture, count, spoof).

VN_UDP_CLIENT_OPTS=()
# VN_UDP_HOST[A|B]: the address to ask instead of UL_A / UL_B (an IPv6 underlay).
declare -A VN_UDP_HOST=()
udp_stats() {
    local host=$UL_A pass=$PASS_A
    [ "$1" = B ] && host=$UL_B pass=$PASS_B
    vn_client gB ${VN_UDP_CLIENT_OPTS[@]+"${VN_UDP_CLIENT_OPTS[@]}"} -p "$pass" -h "${VN_UDP_HOST[$1]:-$host}" \
        -c stats >/dev/null
}
udp_field() {
    printf '%s\n' "$VN_OUT" | awk -v id="$1" -v f="$2" 'NR > 2 && $1 == id {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}
udp_get() { udp_stats "$1"; udp_field "$2" "$3"; }
udp_path_is() { [ "$(udp_get "$1" "$2" path)" = "$3" ]; }
# udp_handler_up: the seed's handler made (vn_handle_seed); HID_A and HID_B set; both sides
# checked to say path=udp within 5 s.
udp_handler_up() {
    vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
    HID_B=$VN_HID
    HID_A=$(udp_first_id A)
    vn_check "B's handler says path=udp within 5 s" vn_wait_until 5 udp_path_is B "$HID_B" udp
    vn_check "A's handler says path=udp within 5 s" vn_wait_until 5 udp_path_is A "$HID_A" udp
}
udp_first_id() { udp_stats "$1"; printf '%s\n' "$VN_OUT" | awk 'NR == 3 {print $1}'; }
# udp_atk NS ARGS...: run tests/net/py/udpatk.py in NS (bounded).
udp_atk() {
    local ns=$1
    shift
    vn_in "$ns" timeout --foreground -k 3 40 "$VN_PY" "$VN_PYDIR/udpatk.py" "$@"
}
# udp_capture_bg NS DEV DST PORT TAG [MIN]: in the background, catch the first frame datagram
# (type 1; counter MIN or more) going to DST:PORT that DEV sees (20 s at most) into
# $VN_TMP/cap-TAG (hex).
udp_capture_bg() {
    rm -f "$VN_TMP/cap-$5" "$VN_TMP/cap-$5.ready"
    vn_bg "$1" timeout -k 3 30 "$VN_PY" "$VN_PYDIR/udpatk.py" capture "$2" "$3" "$4" 20 \
        "$VN_TMP/cap-$5" "${6:-0}"
    vn_wait_file "$VN_TMP/cap-$5.ready" 5 || vn_fail "capture $5 did not start"
}
# udp_count_bg NS DEV SECONDS TAG: in the background, count the UDP datagrams DEV sees (either
# way) for SECONDS, or until $VN_TMP/count-TAG.stop appears, into $VN_TMP/count-TAG.
udp_count_bg() {
    rm -f "$VN_TMP/count-$4" "$VN_TMP/count-$4.ready" "$VN_TMP/count-$4.stop"
    vn_bg "$1" timeout -k 3 $(($3 + 10)) "$VN_PY" "$VN_PYDIR/udpatk.py" count "$2" "$3" "$VN_TMP/count-$4"
    vn_wait_file "$VN_TMP/count-$4.ready" 5 || vn_fail "counter $4 did not start"
}
udp_count_get() {
    : >"$VN_TMP/count-$1.stop"
    vn_wait_file "$VN_TMP/count-$1" 10 || { echo -1; return; }
    cat "$VN_TMP/count-$1"
}
