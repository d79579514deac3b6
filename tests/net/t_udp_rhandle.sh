#!/usr/bin/env bash
# The datagram path of a reconnecting handler (RHANDLE, vnetclient handle -r): after the TCP
# link is cut (the daemon in gA killed with -9 and started again) and comes back, the new link
# makes a fresh offer and goes back to path=udp, pings pass as datagrams; a datagram caught on
# the underlay before the cut, sealed under the old link's keys, is refused (drop_auth) by the
# new link's handler.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_udp.sh
. "$(dirname "$0")/lib_udp.sh"
vn_require
vn_topology
vn_start_seed_daemons vmnet1

both_udp() { udp_path_is A "$HID_A" udp && udp_path_is B "$RID" udp; }
b_back_up() { udp_stats B; [ "$(udp_field "$RID" state)" = up ] && [ "$(udp_field "$RID" reconnects)" = 1 ]; }
UP_LOG='datagrams get through both ways'

vn_section "a reconnecting handler (handle -r) from gB on the datagram path"
vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -r -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
    -g local -j "$VM_MAC" "$BCAST"
vn_match "handle -r answers OK" '^OK [0-9]+$' "$VN_OUT"
RID=${VN_OUT#OK }
HID_A=$(udp_first_id A)
vn_check "both handlers say path=udp within 5 s" vn_wait_until 5 both_udp
# A datagram of a counter the new link will not have reached when it is sent again (a counter
# the new link has passed would be refused as a replay before its tag is checked): B's replies
# to 150 quick pings take B's counter past 100.
udp_capture_bg gB ul "$UL_A" "$PORT" old 100
vn_in vm timeout -k 2 20 ping -n -q -c 150 -i 0.01 -W 1 "$H1_IP" >/dev/null 2>&1
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3
vn_wait_file "$VN_TMP/cap-old" 10 || vn_die "no frame datagram B -> A seen on gB's ul"
OLD=$(cat "$VN_TMP/cap-old")
OLD_INDEX=$((16#${OLD:8:8}))
OLD_COUNTER=$((16#${OLD:16:16}))
vn_log "caught a datagram of the first link: receiver $OLD_INDEX, counter $OLD_COUNTER"

vn_section "the TCP link cut (A killed with -9) and back (A started again)"
vn_stop_daemon A KILL
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
vn_check "B's handler is up again after one reconnection (within 15 s)" vn_wait_until -i 0.5 15 b_back_up
vn_check "A lists the handler again" vn_wait_handlers A 1 5
HID_A=$(udp_first_id A)
vn_check "both handlers say path=udp again within 5 s" vn_wait_until 5 both_udp
vn_eq "B logged datagrams getting through twice (one per link)" 2 \
    "$(grep -c "handler $RID: $UP_LOG" "$VN_TMP/vnet-B.log")"
udp_stats A; OUT_A=$(udp_field "$HID_A" udp_out)
vn_check "ping vm -> h1 on the new link" vn_ping vm "$H1_IP" 5
udp_stats A
vn_check "A's new handler sent the replies as datagrams (udp_out $OUT_A -> $(udp_field "$HID_A" udp_out))" \
    test "$(udp_field "$HID_A" udp_out)" -ge $((OUT_A + 4))

vn_section "the old link's datagram sent to the new link's handler"
vn_eq "the new handler on A has the old one's receiver index (a fresh daemon's first)" \
    "$OLD_INDEX" "$HID_A"
IN_A=$(udp_field "$HID_A" udp_in)
udp_atk gB replay "$UL_A" "$PORT" "$OLD" 5
udp_stats A
vn_eq "A's new handler refused the 5 copies as not authentic (drop_auth)" 5 "$(udp_field "$HID_A" drop_auth)"
vn_eq "A's new handler's drop_replay" 0 "$(udp_field "$HID_A" drop_replay)"
vn_eq "A's new handler's udp_in did not count them" "$IN_A" "$(udp_field "$HID_A" udp_in)"
vn_eq "A's new handler is still on path=udp" udp "$(udp_field "$HID_A" path)"
vn_check "ping vm -> h1 after the replays" vn_ping vm "$H1_IP" 3
vn_finish
