#!/usr/bin/env bash
# The datagram path under attack from the underlay: datagrams sent to the listening daemon's UDP
# port by someone who does not hold the keys. Random bytes and headers for no handler do nothing
# visible; well-formed headers for the handler's receiver index with a bad tag count in drop_auth;
# a captured real datagram sent again counts in drop_replay; truncated copies (0-40 bytes, and all
# but the last byte) are dropped (drop_replay with their used counter, drop_auth with a fresh
# one). Throughout, the handler stays up on path=udp, pings pass and the daemon answers STATS?.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
vn_topology
vn_start_seed_daemons vmnet1

vn_section "a handler on the datagram path; one real datagram B -> A caught on the underlay"
vn_handle_seed || vn_die "handle failed: $VN_OUT $VN_ERR"
HID_B=$VN_HID
HID_A=$(udp_first_id A)
vn_check "A's handler $HID_A says path=udp within 5 s" vn_wait_until 5 udp_path_is A "$HID_A" udp
vn_check "B's handler $HID_B says path=udp within 5 s" vn_wait_until 5 udp_path_is B "$HID_B" udp
udp_capture_bg gB ul "$UL_A" "$PORT" real
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_wait_file "$VN_TMP/cap-real" 10 || vn_die "no frame datagram B -> A seen on gB's ul"
REAL=$(cat "$VN_TMP/cap-real")
vn_log "caught a datagram of $(( ${#REAL} / 2 )) bytes: ${REAL:0:32}..."
vn_eq "its receiver index is A's handler's" "$HID_A" "$((16#${REAL:8:8}))"

# after WHAT AUTH REPLAY: A's handler counts AUTH in drop_auth and REPLAY in drop_replay, is still
# on path=udp, and a ping passes through it.
after() {
    udp_stats A
    vn_eq "after $1: A's drop_auth" "$2" "$(udp_field "$HID_A" drop_auth)"
    vn_eq "after $1: A's drop_replay" "$3" "$(udp_field "$HID_A" drop_replay)"
    vn_eq "after $1: A's handler is still on the datagram path" udp "$(udp_field "$HID_A" path)"
    vn_check "after $1: ping vm -> h1" vn_ping vm "$H1_IP" 3
}

vn_section "random bytes, and headers for a receiver that does not exist"
udp_atk gB random "$UL_A" "$PORT" 50
udp_atk gB unknown "$UL_A" "$PORT" 20
after "random bytes and unknown receivers" 0 0

vn_section "well-formed headers for A's handler with a bad tag"
udp_atk gB forge "$UL_A" "$PORT" "$HID_A" 40
after "40 forged datagrams" 40 0

vn_section "the real datagram sent again"
udp_atk gB replay "$UL_A" "$PORT" "$REAL" 5
after "5 replays" 40 5

vn_section "truncated copies of the real datagram"
# 0-31 bytes hold no whole header and tag: nothing visible. 32-40 bytes and all but the last byte
# (10 datagrams) carry the used counter: refused as replays before anything else.
udp_atk gB trunc "$UL_A" "$PORT" "$REAL"
after "truncated copies" 40 15
# The same with a counter never seen: they fail authentication.
udp_atk gB trunc "$UL_A" "$PORT" "$REAL" fresh
after "truncated copies with a fresh counter" 50 15

vn_section "the daemons after the attacks"
udp_stats A
vn_match "A answers STATS? with its handler" "^$HID_A state=up " "$(printf '%s\n' "$VN_OUT" | sed -n 3p)"
udp_stats B
vn_eq "B's handler saw no bad datagram (drop_auth)" 0 "$(udp_field "$HID_B" drop_auth)"
vn_check "A still lists its handler" vn_handlers_count A 1
vn_finish
