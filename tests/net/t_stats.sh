#!/usr/bin/env bash
# STATS? counters and vnetclient --json: the frame and byte counters of both sides grow with a
# ping burst of known size; drop_filter counts the LAN traffic the handler must not forward;
# --json output of devices, handlers, stats, handle and close parses and has the documented fields.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons vmnet1 ghost0

NPING=20
PSIZE=1000                           # ICMP payload: frames of 14 + 20 + 8 + 1000 = 1042 bytes
FRAME_LEN=$((14 + 20 + 8 + PSIZE))

# stats_snap A|B: STATS? of the daemon (text), kept in SNAP_A / SNAP_B.
stats_snap() {
    case $1 in
        A) vn_client gB -p "$PASS_A" -h "$UL_A" -c stats >/dev/null; SNAP_A=$VN_OUT ;;
        B) vn_client gB -p "$PASS_B" -h "$UL_B" -c stats >/dev/null; SNAP_B=$VN_OUT ;;
    esac
}
# field SNAPSHOT ID NAME: the value of NAME for handler ID in a STATS? answer ("" when missing).
field() {
    printf '%s\n' "$1" | awk -v id="$2" -v f="$3" 'NR > 2 && $1 == id {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }'
}
# delta OLD NEW ID NAME: how much NAME grew for handler ID (a large negative number when missing).
delta() {
    local a b
    a=$(field "$1" "$3" "$4")
    b=$(field "$2" "$3" "$4")
    [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] || { echo -999999; return; }
    echo $((b - a))
}
# json_check DESCRIPTION PYTHON-BODY: run python on $VN_OUT (as variable d, parsed), count checks.
json_check() {
    local desc=$1 body=$2 out
    out=$(printf '%s' "$VN_OUT" | "$VN_PY" "$VN_PYDIR/json_check.py" "$body" 2>&1)
    if [ $? -eq 0 ]; then vn_ok "$desc"; else vn_fail "$desc: $out"; fi
}
# VN_OUT of vn_client has lost its final line feed (command substitution): json_check needs it.
json_client() {
    vn_client "$@"
    VN_OUT="$VN_OUT"$'\n'
}

vn_section "handle --json"
json_client gB --json -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" \
    -e eth0 -f vmnet1 -g local -j "$VM_MAC" "$BCAST"
vn_eq "handle --json: exit 0" 0 "$VN_RC"
json_check "handle --json prints {\"id\": N} with a number N" '
ok(isinstance(d, dict) and list(d) == ["id"], "only the member id: %r" % d)
ok(type(d.get("id")) is int and d.get("id") > 0, "id is a positive number: %r" % d)
'
HID_B=$(printf '%s' "$VN_OUT" | "$VN_PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
vn_handlers_A
HID_A=$(printf '%s\n' "$VN_LINES" | awk 'NR == 1 {print $1}')
vn_log "handler: id $HID_B on B, id $HID_A on A"
vn_check "warm-up: ping vm -> h1 (ARP resolved)" vn_ping vm "$H1_IP" 2

vn_section "the counters grow with a burst of $NPING pings of $FRAME_LEN-byte frames (vm -> h1)"
stats_snap A
stats_snap B
out=$(vn_in vm timeout --foreground -k 2 30 ping -n -q -c "$NPING" -i 0.2 -W 2 -s "$PSIZE" "$H1_IP" 2>&1)
rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
rx=${rx:-0}
vn_log "ping -s $PSIZE vm -> h1: $rx/$NPING replies"
vn_check "at least $((NPING - 1)) of $NPING pings answered ($rx)" test "$rx" -ge $((NPING - 1))
OLD_A=$SNAP_A
OLD_B=$SNAP_B
# link_counts: the frames and bytes each handler sent and received, in the last snapshots.
link_counts() {
    local f
    for f in out_frames in_frames out_bytes in_bytes; do
        printf '%s %s ' "$(field "$SNAP_A" "$HID_A" $f)" "$(field "$SNAP_B" "$HID_B" $f)"
    done
}
# Both daemons' counters, taken while no frame crosses: a neighbour probe between the two
# STATS? would count on one side and not yet on the other. Up to 10 rounds.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    sleep 0.3
    stats_snap A
    stats_snap B
    first=$(link_counts)
    stats_snap A
    stats_snap B
    [ "$first" = "$(link_counts)" ] && break
    vn_log "frames crossed while the counters were read: again"
done
vn_log "A: $(field "$SNAP_A" "$HID_A" out_frames) out / $(field "$SNAP_A" "$HID_A" in_frames) in; B: $(field "$SNAP_B" "$HID_B" out_frames) out / $(field "$SNAP_B" "$HID_B" in_frames) in"
d=$(delta "$OLD_A" "$SNAP_A" "$HID_A" out_frames)
vn_check "A (REMOTE, vmnet1): out_frames grew by >= $NPING (the requests; +$d)" test "$d" -ge "$NPING"
d=$(delta "$OLD_A" "$SNAP_A" "$HID_A" out_bytes)
vn_check "A: out_bytes grew by >= $NPING x $FRAME_LEN (+$d)" test "$d" -ge $((NPING * FRAME_LEN))
d=$(delta "$OLD_A" "$SNAP_A" "$HID_A" in_frames)
vn_check "A: in_frames grew by >= $rx (the replies injected; +$d)" test "$d" -ge "$rx"
d=$(delta "$OLD_A" "$SNAP_A" "$HID_A" in_bytes)
vn_check "A: in_bytes grew by >= $rx x $FRAME_LEN (+$d)" test "$d" -ge $((rx * FRAME_LEN))
d=$(delta "$OLD_B" "$SNAP_B" "$HID_B" in_frames)
vn_check "B (LOCAL, eth0): in_frames grew by >= $NPING (the requests injected; +$d)" test "$d" -ge "$NPING"
d=$(delta "$OLD_B" "$SNAP_B" "$HID_B" in_bytes)
vn_check "B: in_bytes grew by >= $NPING x $FRAME_LEN (+$d)" test "$d" -ge $((NPING * FRAME_LEN))
d=$(delta "$OLD_B" "$SNAP_B" "$HID_B" out_frames)
vn_check "B: out_frames grew by >= $rx (the replies; +$d)" test "$d" -ge "$rx"
d=$(delta "$OLD_B" "$SNAP_B" "$HID_B" out_bytes)
vn_check "B: out_bytes grew by >= $rx x $FRAME_LEN (+$d)" test "$d" -ge $((rx * FRAME_LEN))
# What one side sent is what the other received (no loss on the TCP link).
vn_eq "A's out_frames = B's in_frames" "$(field "$SNAP_A" "$HID_A" out_frames)" "$(field "$SNAP_B" "$HID_B" in_frames)"
vn_eq "B's out_bytes = A's in_bytes" "$(field "$SNAP_B" "$HID_B" out_bytes)" "$(field "$SNAP_A" "$HID_A" in_bytes)"
for side in A B; do
    snap=SNAP_$side
    hid=HID_$side
    vn_eq "$side: state=up" up "$(field "${!snap}" "${!hid}" state)"
    vn_eq "$side: reconnects=0 (not a reconnecting handler)" 0 "$(field "${!snap}" "${!hid}" reconnects)"
    vn_check "$side: uptime >= 2 s after the burst ($(field "${!snap}" "${!hid}" uptime))" \
        test "$(field "${!snap}" "${!hid}" uptime)" -ge 2
    vn_eq "$side: drop_oversize=0" 0 "$(field "${!snap}" "${!hid}" drop_oversize)"
    vn_eq "$side: drop_inject=0" 0 "$(field "${!snap}" "${!hid}" drop_inject)"
    vn_eq "$side: drop_unlisted=0 (the peer sent only listed addresses)" 0 "$(field "${!snap}" "${!hid}" drop_unlisted)"
    vn_eq "$side: drop_offload=0 (and only sane offload metadata)" 0 "$(field "${!snap}" "${!hid}" drop_offload)"
    vn_eq "$side: drop_rogue=0 (no DHCP server, no router advertisement)" 0 "$(field "${!snap}" "${!hid}" drop_rogue)"
    vn_eq "$side: drop_flood=0 (pings are unicast)" 0 "$(field "${!snap}" "${!hid}" drop_flood)"
done
vn_match "the STATS? line has the documented fields in order" \
    "^$HID_B state=[a-z]+ uptime=[0-9]+ reconnects=[0-9]+ out_frames=[0-9]+ out_bytes=[0-9]+ in_frames=[0-9]+ in_bytes=[0-9]+ drop_filter=[0-9]+ drop_queue=[0-9]+ drop_inject=[0-9]+ drop_oversize=[0-9]+ drop_unlisted=[0-9]+ drop_offload=[0-9]+ reconnecting=no drop_aqm=[0-9]+ mark_aqm=[0-9]+ drop_device=[0-9]+ drop_loop=[0-9]+ drop_capture=[0-9]+ path=(udp|tcp|tcp-fallback) udp_out=[0-9]+ udp_out_bytes=[0-9]+ udp_in=[0-9]+ udp_in_bytes=[0-9]+ drop_auth=[0-9]+ drop_replay=[0-9]+ udp_big=[0-9]+ drop_udp=[0-9]+ drop_rogue=[0-9]+ drop_flood=[0-9]+\$" \
    "$(printf '%s\n' "$SNAP_B" | sed -n 3p)"

vn_section "drop_filter counts the LAN traffic h1 <-> h2 that the handler must not forward"
# The LAN bridge floods every frame (ageing 0: a hub), so gB's eth0 sees h1 <-> h2; static ARP
# entries keep broadcasts (which the handler forwards) out of it.
vn_ip lan link set br0 type bridge ageing_time 0
vn_ip h1 neigh replace "$H2_IP" lladdr "$H2_MAC" dev eth0 nud permanent
vn_ip h2 neigh replace "$H1_IP" lladdr "$H1_MAC" dev eth0 nud permanent
rx0=$(vn_rx gB eth0)
stats_snap A
stats_snap B
OLD_A=$SNAP_A
OLD_B=$SNAP_B
out=$(vn_in h1 timeout --foreground -k 2 30 ping -n -q -c "$NPING" -i 0.2 -W 2 "$H2_IP" 2>&1)
rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
rx=${rx:-0}
sleep 0.3
stats_snap A
stats_snap B
rx1=$(vn_rx gB eth0)
vn_log "ping h1 -> h2: $rx/$NPING replies; gB eth0 rx_packets +$((rx1 - rx0))"
vn_check "ping h1 -> h2 works ($rx/$NPING)" test "$rx" -ge $((NPING - 1))
vn_check "gB's eth0 saw the h1 <-> h2 frames (rx_packets +$((rx1 - rx0)) >= $((NPING + rx)))" \
    test $((rx1 - rx0)) -ge $((NPING + rx))
d=$(delta "$OLD_B" "$SNAP_B" "$HID_B" drop_filter)
vn_check "B: drop_filter grew by >= $((NPING + rx)) (the h1 <-> h2 frames; +$d)" test "$d" -ge $((NPING + rx))
d=$(delta "$OLD_B" "$SNAP_B" "$HID_B" out_frames)
vn_check "B did not forward them: out_frames grew by less than $NPING (+$d)" test "$d" -ge 0 -a "$d" -lt "$NPING"
d=$(delta "$OLD_A" "$SNAP_A" "$HID_A" in_frames)
vn_check "A did not inject them: in_frames grew by less than $NPING (+$d)" test "$d" -ge 0 -a "$d" -lt "$NPING"
vn_ip lan link set br0 type bridge ageing_time 30000

vn_section "vnetclient --json devices"
json_client gB --json -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "devices --json on A: exit 0" 0 "$VN_RC"
json_check "A's devices JSON: name, mac, mtu, state with the documented types and values" '
devs = d.get("devices")
ok(list(d) == ["devices"] and isinstance(devs, list) and len(devs) == 2, "a list of 2 devices: %r" % d)
for x in devs or []:
    ok(set(x) == {"name", "mac", "mtu", "state"}, "members name, mac, mtu, state: %r" % x)
    ok(isinstance(x.get("name"), str) and type(x.get("mtu")) is int, "name string, mtu number: %r" % x)
    ok(x.get("state") in ("up", "down", "absent"), "state up/down/absent: %r" % x)
byname = dict((x.get("name"), x) for x in devs or [])
v = byname.get("vmnet1", {})
ok(v.get("mac") == "'"$VMNET1_MAC"'" and v.get("mtu") == 1500 and v.get("state") == "up", "vmnet1: %r" % v)
g = byname.get("ghost0", {})
ok(g.get("mac", "missing") is None and g.get("mtu") == 0 and g.get("state") == "absent", "absent ghost0 (mac null, mtu 0): %r" % g)
ok([x.get("name") for x in devs or []] == ["vmnet1", "ghost0"], "the daemon order (vmnet1, ghost0)")
'

vn_section "vnetclient --json handlers (one ordinary, one reconnecting handler)"
json_client gB --json -p "$PASS_B" -h "$UL_B" -c handle -r -b "$PASS_A" -d "$UL_A" \
    -e eth0 -f vmnet1 -g local -j 02:00:c6:12:00:0e
vn_eq "handle -r --json: exit 0" 0 "$VN_RC"
json_check "handle -r --json prints {\"id\": N}" '
ok(list(d) == ["id"] and type(d["id"]) is int, "{id: number}: %r" % d)
'
RID=$(printf '%s' "$VN_OUT" | "$VN_PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
json_client gB --json -p "$PASS_B" -h "$UL_B" -c handlers
vn_eq "handlers --json on B: exit 0" 0 "$VN_RC"
json_check "B's handlers JSON: id, local{config,address,port,device}, remote{...}, addresses, reconnect" '
hs = d.get("handlers")
ok(list(d) == ["handlers"] and isinstance(hs, list) and len(hs) == 2, "a list of 2 handlers: %r" % d)
for h in hs or []:
    ok(set(h) == {"id", "local", "remote", "addresses", "reconnect", "path"}, "members: %r" % sorted(h))
    ok(h.get("path") in ("udp", "tcp", "tcp-fallback"), "path is a known one: %r" % h.get("path"))
    ok(type(h.get("id")) is int, "id number")
    for side in ("local", "remote"):
        s = h.get(side, {})
        ok(isinstance(s, dict) and set(s) == {"config", "address", "port", "device"}, "%s members: %r" % (side, s))
        ok(s.get("config") in ("LOCAL", "REMOTE") and isinstance(s.get("device"), str), "%s config/device: %r" % (side, s))
        ok(isinstance(s.get("address"), str) and type(s.get("port")) is int, "%s address string, port number: %r" % (side, s))
    ok(isinstance(h.get("addresses"), list) and all(isinstance(m, str) for m in h.get("addresses", [])), "addresses: list of strings")
byid = dict((h.get("id"), h) for h in hs or [])
h = byid.get('"${HID_B:-0}"', {})
ok(h.get("local") == {"config": "LOCAL", "address": "'"$UL_B"'", "port": h.get("local", {}).get("port"), "device": "eth0"}, "ordinary handler local: %r" % h.get("local"))
ok(h.get("remote") == {"config": "REMOTE", "address": "'"$UL_A"'", "port": '"$PORT"', "device": "vmnet1"}, "ordinary handler remote: %r" % h.get("remote"))
ok(h.get("addresses") == ["'"$VM_MAC"'", "'"$BCAST"'"], "ordinary handler addresses: %r" % h.get("addresses"))
ok("reconnect" in h and h.get("reconnect") is None, "ordinary handler: reconnect null: %r" % h.get("reconnect"))
r = byid.get('"${RID:-0}"', {})
ok(r.get("reconnect") == "up", "reconnecting handler: reconnect \"up\": %r" % r.get("reconnect"))
ok(r.get("addresses") == ["02:00:c6:12:00:0e"], "reconnecting handler addresses: %r" % r.get("addresses"))
'
json_client gB --json -p "$PASS_A" -h "$UL_A" -c handlers
json_check "A's handlers JSON: 2 handlers seen from A (REMOTE vmnet1 <-> LOCAL eth0, reconnect null)" '
hs = d.get("handlers") or []
ok(len(hs) == 2, "2 handlers: %r" % hs)
for h in hs:
    ok(h.get("local", {}).get("config") == "REMOTE" and h.get("local", {}).get("device") == "vmnet1"
       and h.get("local", {}).get("port") == '"$PORT"', "local side: %r" % h.get("local"))
    ok(h.get("remote", {}).get("config") == "LOCAL" and h.get("remote", {}).get("device") == "eth0"
       and h.get("remote", {}).get("address") == "'"$UL_B"'", "remote side: %r" % h.get("remote"))
    ok(h.get("reconnect", "missing") is None, "A does not reconnect: %r" % h.get("reconnect"))
'

vn_section "vnetclient --json stats"
stats_snap B
TEXT_B=$SNAP_B
json_client gB --json -p "$PASS_B" -h "$UL_B" -c stats
vn_eq "stats --json on B: exit 0" 0 "$VN_RC"
json_check "B's stats JSON: the documented fields, in order, numbers but state and path" '
st = d.get("stats")
ok(list(d) == ["stats"] and isinstance(st, list) and len(st) == 2, "a list of 2: %r" % d)
names = ["id", "state", "uptime", "reconnects", "out_frames", "out_bytes", "in_frames", "in_bytes",
         "drop_filter", "drop_queue", "drop_inject", "drop_oversize", "drop_unlisted", "drop_offload",
         "reconnecting", "drop_aqm", "mark_aqm", "drop_device", "drop_loop", "drop_capture",
         "path", "udp_out", "udp_out_bytes", "udp_in", "udp_in_bytes", "drop_auth", "drop_replay",
         "udp_big", "drop_udp", "drop_rogue", "drop_flood"]
for s in st or []:
    ok(list(s) == names, "members in the documented order: %r" % list(s))
    ok(s.get("state") in ("up", "waiting", "connecting"), "state string: %r" % s.get("state"))
    ok(s.get("reconnecting") in ("yes", "no"), "reconnecting yes or no: %r" % s.get("reconnecting"))
    ok(all(type(s.get(n)) is int and s.get(n) >= 0 for n in names if n not in ("state", "reconnecting", "path")), "numbers: %r" % s)
byid = dict((s.get("id"), s) for s in st or [])
o = byid.get('"${HID_B:-0}"', {})
ok(o.get("out_frames", 0) >= '"$NPING"' and o.get("in_frames", 0) >= '"$NPING"', "the ordinary handler kept its counters: %r" % o)
ok(o.get("drop_filter", 0) >= '"$NPING"', "... and its drop_filter: %r" % o)
ok(o.get("reconnects") == 0, "ordinary handler: reconnects 0")
ok(byid.get('"${RID:-0}"', {}).get("state") == "up", "reconnecting handler state up")
'
# The JSON and the text agree (the counters may have moved a little between the two requests).
jv=$(printf '%s' "$VN_OUT" | "$VN_PY" -c 'import json,sys
for s in json.load(sys.stdin)["stats"]:
    if s["id"] == '"${HID_B:-0}"': print(s["in_frames"])' 2>/dev/null)
tv=$(field "$TEXT_B" "$HID_B" in_frames)
vn_check "stats --json in_frames ($jv) is close to the text STATS? in_frames ($tv)" \
    test -n "$jv" -a -n "$tv" -a "${jv:-0}" -ge "${tv:-1}" -a "${jv:-0}" -le $((${tv:-0} + 10))

vn_section "close --json"
json_client gB --json -p "$PASS_B" -h "$UL_B" -c close -i "$RID"
vn_eq "close --json: exit 0" 0 "$VN_RC"
json_check "close --json prints {\"closed\": $RID}" '
ok(d == {"closed": '"${RID:-0}"'}, "%r" % d)
'
json_client gB --json -p "$PASS_B" -h "$UL_B" -c close -i 4242
vn_eq "close --json of an unknown id: exit 1" 1 "$VN_RC"
vn_eq "... and nothing on standard output" "" "$(printf '%s' "$VN_OUT" | tr -d '\n')"
vn_check "B lists 1 handler within 5 s" vn_wait_handlers B 1 5
vn_check "A lists 1 handler within 5 s" vn_wait_handlers A 1 5

vn_finish
