#!/usr/bin/env bash
# The shared capture: many handlers on one device pair, one MAC each (three of them also list
# the broadcast address). Each handler's frames cross through it alone (its STATS? counters),
# each frame arrives once, a broadcast listed by three handlers arrives once through each,
# closing half of them leaves the other half working, and nothing loops. The daemons say they
# run the eBPF engine; started without CAP_BPF they run the classic one and still bridge.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require

N=${VN_ENGINE_HANDLERS:-120}    # handlers (fewer than the former limit of 128)
N2=6                            # handlers in the classic-engine phase

vn_log "building topology (prefix $VN_PFX)"
vn_add_ns gA
vn_add_ns gB
vn_add_ns sa 1
vn_add_ns sb 1
vn_underlay
vn_ip gA link add dA type veth peer name eth0 netns "$VN_PFX"sa || vn_die "veth dA"
vn_ip gB link add dB type veth peer name eth0 netns "$VN_PFX"sb || vn_die "veth dB"
for ns in gA:dA gB:dB sa:eth0 sb:eth0; do vn_ip "${ns%%:*}" link set "${ns#*:}" up; done
vn_in gA ping -c 1 -W 2 -q "$UL_B" >/dev/null || vn_die "underlay ping gA -> gB failed"


mac_of() { printf '02:00:00:00:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
OTHER=02:00:00:00:ff:fe

# handles FIRST LAST: handlers FIRST..LAST from gB (LOCAL dB <-> REMOTE dA), one MAC each; the
# first three also list the broadcast address. Their ids go to HID[i].
declare -A HID
handles() {
    local i macs bad=0
    for ((i = $1; i <= $2; i++)); do
        macs=("$(mac_of "$i")")
        [ "$i" -le 3 ] && macs+=("$BCAST")
        vn_client gB -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" \
            -e dB -f dA -g local -j "${macs[@]}"
        if [ "$VN_RC" = 0 ] && [[ $VN_OUT =~ ^OK\ ([0-9]+)$ ]]; then
            HID[$i]=${BASH_REMATCH[1]}
        else
            bad=$((bad + 1))
            vn_log "handle $i: rc $VN_RC: $VN_OUT $VN_ERR"
        fi
    done
    [ "$bad" = 0 ]
}

# traffic TAG FIRST LAST: start counters in sa and sb, send from sa one frame from each MAC
# FIRST..LAST (to OTHER) and from sb one frame to each (from OTHER), and one broadcast from sb.
traffic() {
    local tag=$1 i
    : >"$VN_TMP/pairs-a-$tag"
    : >"$VN_TMP/pairs-b-$tag"
    for ((i = $2; i <= $3; i++)); do
        echo "$OTHER $(mac_of "$i")" >>"$VN_TMP/pairs-a-$tag"
        echo "$(mac_of "$i") $OTHER" >>"$VN_TMP/pairs-b-$tag"
    done
    echo "$BCAST $OTHER" >>"$VN_TMP/pairs-b-$tag"
    for ns in sa sb; do
        rm -f "$VN_TMP/ready-$tag-$ns"
        vn_bg "$ns" "$VN_PY" "$VN_PYDIR/engine.py" count eth0 6 "$VN_TMP/ready-$tag-$ns" \
            "$VN_TMP/count-$tag-$ns"
        vn_wait_file "$VN_TMP/ready-$tag-$ns" 5 || vn_die "counter in $ns did not start"
    done
    vn_in sa "$VN_PY" "$VN_PYDIR/engine.py" send eth0 "$VN_TMP/pairs-a-$tag"
    vn_in sb "$VN_PY" "$VN_PYDIR/engine.py" send eth0 "$VN_TMP/pairs-b-$tag"
    vn_wait_file "$VN_TMP/count-$tag-sa" 15 && vn_wait_file "$VN_TMP/count-$tag-sb" 15
}
# seen TAG NS DST SRC: how many times NS received DST <- SRC.
seen() { awk -v k="$3 $4" '$1 " " $2 == k {print $3; f=1} END {if (!f) print 0}' "$VN_TMP/count-$1-$2"; }
# wrong TAG FIRST LAST STEP EXPECT: how many MACs i (FIRST..LAST by STEP) did not arrive EXPECT
# times in each direction.
wrong() {
    local tag=$1 i bad=0
    for ((i = $2; i <= $3; i += $4)); do
        [ "$(seen "$tag" sb "$OTHER" "$(mac_of "$i")")" = "$5" ] || bad=$((bad + 1))
        [ "$(seen "$tag" sa "$(mac_of "$i")" "$OTHER")" = "$5" ] || bad=$((bad + 1))
    done
    echo "$bad"
}
# stats_of SIDE: "ID out_frames in_frames" of each handler of daemon SIDE.
stats_of() {
    local host=$UL_A pass=$PASS_A
    [ "$1" = B ] && host=$UL_B pass=$PASS_B
    vn_query gB "$host" "$pass" stats >/dev/null || return 1
    printf '%s\n' "$VN_LINES" | sed -n 's/^\([0-9]*\) .* out_frames=\([0-9]*\) .* in_frames=\([0-9]*\) .*/\1 \2 \3/p'
}
# quiet: after the traffic, 2 s in which sa and sb receive (almost) nothing.
quiet() {
    local a0 b0 a1 b1
    a0=$(vn_rx sa eth0); b0=$(vn_rx sb eth0)
    sleep 2
    a1=$(vn_rx sa eth0); b1=$(vn_rx sb eth0)
    vn_log "2 s of silence: sa rx +$((a1 - a0)), sb rx +$((b1 - b0))"
    [ $((a1 - a0)) -le 2 ] && [ $((b1 - b0)) -le 2 ]
}

vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d dA
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d dB

vn_section "the eBPF engine runs"
vn_check "A logs the shared eBPF capture" grep -q "capture: one socket per device, eBPF filter" "$VN_TMP/vnet-A.log"
vn_check "B logs the shared eBPF capture" grep -q "capture: one socket per device, eBPF filter" "$VN_TMP/vnet-B.log"

vn_section "$N handlers on one device pair"
vn_check "$N handlers made" handles 1 "$N"
vn_check "A lists $N handlers" vn_wait_handlers A "$N" 20
vn_check "one packet socket on dA for all of them (ss -0: $(vn_in gA ss -H -0 -a 2>/dev/null | grep -c .))" \
    test "$(vn_in gA ss -H -0 -a 2>/dev/null | grep -c .)" -le 2

vn_section "each frame through its own handler, once"
vn_check "traffic 1" traffic t1 1 "$N"
vn_eq "frames from each MAC reach sb once, frames to each reach sa once (MACs off)" 0 "$(wrong t1 1 "$N" 1 1)"
vn_eq "the broadcast listed by three handlers reaches sa three times" 3 "$(seen t1 sa "$BCAST" "$OTHER")"
vn_eq "nothing comes back to sb" 0 "$(awk '$2 != "'"$OTHER"'" && $1 == "'"$OTHER"'"' "$VN_TMP/count-t1-sa" | grep -c . ; true)" 
stats_of A >"$VN_TMP/statsA"
stats_of B >"$VN_TMP/statsB"
# A's handler for MAC i forwarded exactly one frame (from MAC i) and injected one (to MAC i),
# plus the broadcast for the first three; B's the mirror.
badA=0; badB=0
for ((i = 1; i <= N; i++)); do
    want_in=1; [ "$i" -le 3 ] && want_in=2
    # A's ids are not B's: match A's lines by order of creation (same order on both daemons).
    lineA=$(sed -n "${i}p" "$VN_TMP/statsA"); lineB=$(awk -v id="${HID[$i]}" '$1 == id' "$VN_TMP/statsB")
    [ "$(echo "$lineA" | awk '{print $2, $3}')" = "1 $want_in" ] || badA=$((badA + 1))
    [ "$(echo "$lineB" | awk '{print $2, $3}')" = "$want_in 1" ] || badB=$((badB + 1))
done
vn_eq "A: each handler forwarded its own frame and injected its own (handlers off)" 0 "$badA"
vn_eq "B: each handler forwarded its own frame and injected its own (handlers off)" 0 "$badB"
vn_check "no loop: quiet after the traffic" quiet

vn_section "close half of them: the other half keeps working"
closed=0
for ((i = 2; i <= N; i += 2)); do
    vn_client gB -p "$PASS_B" -h "$UL_B" -c close -i "${HID[$i]}"
    [ "$VN_RC" = 0 ] && closed=$((closed + 1))
done
vn_eq "closed $((N / 2)) handlers" $((N / 2)) "$closed"
vn_check "A lists $((N - N / 2)) handlers" vn_wait_handlers A $((N - N / 2)) 20
vn_check "traffic 2" traffic t2 1 "$N"
vn_eq "the open half (odd MACs) still crosses once each way (MACs off)" 0 "$(wrong t2 1 "$N" 2 1)"
vn_eq "the closed half (even MACs) no longer crosses (MACs off)" 0 "$(wrong t2 2 "$N" 2 0)"
vn_eq "the broadcast now reaches sa twice (handlers 1 and 3 list it)" 2 "$(seen t2 sa "$BCAST" "$OTHER")"
vn_check "no loop: quiet after the traffic" quiet
vn_check "both daemons still running" kill -0 "${VN_DPID[A]}" "${VN_DPID[B]}"

vn_section "without CAP_BPF: the classic engine, which still bridges"
vn_stop_daemon A
vn_stop_daemon B
: >"$VN_TMP/vnet-A.log"
VN_WRAP_SAVED=("${VN_WRAP[@]+"${VN_WRAP[@]}"}")
# shellcheck disable=SC2054  # setpriv takes one comma-separated list
VN_WRAP=(setpriv --bounding-set=-bpf,-sys_admin "${VN_WRAP_SAVED[@]+"${VN_WRAP_SAVED[@]}"}")
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d dA
VN_WRAP=("${VN_WRAP_SAVED[@]+"${VN_WRAP_SAVED[@]}"}")
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d dB
vn_check "A logs the classic engine and why" \
    grep -q "capture: one socket and classic BPF filter per handler: .*CAP_BPF" "$VN_TMP/vnet-A.log"
HID=()
vn_check "$N2 handlers made" handles 1 "$N2"
vn_check "traffic 3" traffic t3 1 "$N2"
vn_eq "each MAC crosses once each way (MACs off)" 0 "$(wrong t3 1 "$N2" 1 1)"
vn_eq "the broadcast listed by three handlers reaches sa three times" 3 "$(seen t3 sa "$BCAST" "$OTHER")"
vn_check "no loop: quiet after the traffic" quiet

vn_finish
