#!/usr/bin/env bash
# vnet --metrics: the Prometheus endpoint. Daemon B serves it on its loopback; a handler between
# the two daemons. Its counters move with the frames that cross; promtool accepts the text; a
# real Prometheus server scrapes it and a query through its HTTP API returns a handler's counter;
# only GET /metrics is served; a long URL, a slowloris and 200 connections at once do not hurt
# the daemon (STATS? and frames go on, another address is still served) and the endpoint answers
# again afterwards.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v curl >/dev/null || vn_skip "no curl (make deps installs it)"
MPORT=9464
MURL="http://127.0.0.1:$MPORT/metrics"
PROM_PORT=9091
NPING=20

vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --metrics "$MPORT"

# scrape [SOURCE]: GET /metrics in gB (from 127.0.0.1, or SOURCE); the body in BODY, the status
# in CODE.
scrape() {
    local src=${1:-127.0.0.1}
    CODE=$(vn_in gB curl -s -m 10 --interface "$src" -o "$VN_TMP/body" -w '%{http_code}' "$MURL")
    BODY=$(cat "$VN_TMP/body" 2>/dev/null)
}
# metric NAME LABELS: the value of the sample of family NAME whose labels contain LABELS
# (e.g. 'id="1"'), from BODY; empty when there is none.
metric() {
    printf '%s\n' "$BODY" | awk -v n="$1" -v l="$2" 'index($0, n "{") == 1 || $1 == n {
        if (l == "" || index($0, l)) { print $NF; exit } }'
}

vn_section "the endpoint"
scrape
vn_eq "GET /metrics answers 200" 200 "$CODE"
vn_eq "vnet_handlers before any handler" 0 "$(metric vnet_handlers '')"
vn_check "B listens for metrics on 127.0.0.1 only" \
    test "$(vn_in gB ss -Hltn "sport = :$MPORT" | awk '{print $4}')" = "127.0.0.1:$MPORT"
code=$(vn_in gB curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/")
vn_eq "GET / answers 404" 404 "$code"
code=$(vn_in gB curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST -d x "$MURL")
vn_eq "POST /metrics answers 405" 405 "$code"
ctype=$(vn_in gB curl -s -m 10 -o /dev/null -w '%{content_type}' "$MURL")
vn_eq "Content-Type: the text format 0.0.4" "text/plain; version=0.0.4; charset=utf-8" "$ctype"

vn_section "a failed login is counted"
fails0=$(metric vnet_logins_failed_total '')
vn_client gB -p wrongPassword -h "$UL_B" -c handlers
scrape
vn_eq "vnet_logins_failed_total grew by 1" $((fails0 + 1)) "$(metric vnet_logins_failed_total '')"

vn_section "a handler's counters move with the frames"
vn_handle_seed || vn_die "handle failed: $VN_OUT"
HID=$VN_HID
vn_check "warm-up: ping vm -> h1" vn_ping vm "$H1_IP" 2
scrape
vn_eq "vnet_handlers" 1 "$(metric vnet_handlers '')"
L="id=\"$HID\""
sent0=$(metric vnet_handler_sent_frames_total "$L")
recv0=$(metric vnet_handler_received_frames_total "$L")
bytes0=$(metric vnet_handler_received_bytes_total "$L")
vn_log "handler $HID: sent $sent0 received $recv0 frames"
vn_check "ping vm -> h1, $NPING pings" vn_ping vm "$H1_IP" "$NPING"
scrape
sent1=$(metric vnet_handler_sent_frames_total "$L")
recv1=$(metric vnet_handler_received_frames_total "$L")
bytes1=$(metric vnet_handler_received_bytes_total "$L")
vn_log "handler $HID: sent $sent1 received $recv1 frames"
vn_check "sent frames grew by at least $((NPING - 1)) ($sent0 -> $sent1)" \
    test "${sent1:-0}" -ge $(( ${sent0:-0} + NPING - 1 ))
vn_check "received frames grew by at least $((NPING - 1)) ($recv0 -> $recv1)" \
    test "${recv1:-0}" -ge $(( ${recv0:-0} + NPING - 1 ))
vn_check "received bytes grew by at least 98 a reply ($bytes0 -> $bytes1)" \
    test "${bytes1:-0}" -ge $(( ${bytes0:-0} + (NPING - 1) * 98 ))
vn_match "the handler's labels: id, peer, device" \
    "^vnet_handler_up\{id=\"$HID\",peer=\"$UL_A:$PORT\",device=\"eth0\"\} 1$" "$BODY"
vn_match "drops by reason: reason=\"queue\"" \
    "^vnet_handler_dropped_frames_total\{id=\"$HID\",[^}]*,reason=\"queue\"\} [0-9]+$" "$BODY"
vn_match "the link's RTT in seconds" "^vnet_handler_rtt_seconds\{id=\"$HID\",[^}]*\} [0-9.e-]+$" "$BODY"
vn_match "the device's counters" '^vnet_device_received_frames_total\{device="eth0"\} [1-9][0-9]*$' "$BODY"

vn_section "promtool check metrics"
if command -v promtool >/dev/null; then
    out=$(printf '%s\n' "$BODY" | promtool check metrics 2>&1)
    rc=$?
    [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/  | /'
    vn_eq "promtool check metrics: exit 0, nothing to say" "0 " "$rc $out"
else
    vn_log "SKIP promtool check: no promtool (Debian package prometheus not installed)"
fi

vn_section "a Prometheus server scrapes B and answers a query"
if command -v prometheus >/dev/null; then
    mkdir -p "$VN_TMP/prom"
    cat >"$VN_TMP/prom/prometheus.yml" <<CFG
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vnet
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
CFG
    vn_in gB timeout -k 5 120 prometheus --config.file="$VN_TMP/prom/prometheus.yml" \
        --storage.tsdb.path="$VN_TMP/prom/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
        >"$VN_TMP/prometheus.log" 2>&1 &
    VN_BGPIDS+=($!)
    # prom_value QUERY: the value of the first result of an instant query (empty if none).
    prom_value() {
        vn_in gB curl -s -m 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
            --data-urlencode "query=$1" 2>/dev/null |
            "$VN_PY" -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
    }
    Q="vnet_handler_received_frames_total{id=\"$HID\",device=\"eth0\"}"
    prom_has() { PV=$(prom_value "$Q"); [ -n "$PV" ] && [ "${PV%%.*}" -ge "$recv1" ]; }
    if vn_wait_until -i 1 60 prom_has; then
        vn_ok "Prometheus: $Q = $PV (at least $recv1, the last scrape's)"
    else
        vn_fail "Prometheus: $Q = '$PV', expected at least $recv1"
        tail -n 20 "$VN_TMP/prometheus.log"
    fi
    up=$(prom_value 'up{job="vnet"}')
    vn_eq "Prometheus: up{job=\"vnet\"}" 1 "$up"
else
    vn_log "SKIP Prometheus server: no prometheus (Debian package prometheus not installed)"
fi

vn_section "bad requests: a 100 KB URL, a slowloris, 200 connections at once"
rm -f "$VN_TMP/abuse.ready"
vn_py gB metrics_abuse.py 127.0.0.1 "$MPORT" 14 "$VN_TMP/abuse.ready" "$VN_TMP/abuse.out" &
VN_BGPIDS+=($!)
vn_wait_file "$VN_TMP/abuse.ready" 20 || vn_fail "the bad requests did not start"
vn_query gB "$UL_B" "$PASS_B" stats
vn_eq "during them: STATS? answers, one handler" 1 "$VN_COUNT"
vn_check "during them: ping vm -> h1 through the handler" vn_ping vm "$H1_IP" 5
vn_in gB ip addr add 127.0.0.2/8 dev lo 2>/dev/null
scrape 127.0.0.2
vn_eq "during them: another address is still served" 200 "$CODE"
vn_wait_file "$VN_TMP/abuse.out" 40 || vn_fail "the bad requests did not end"
sed 's/^/  | /' "$VN_TMP/abuse.out"
vn_match "the 100 KB URL is refused" '^longurl (HTTP/1.1 414|closed)' "$(cat "$VN_TMP/abuse.out")"
vn_match "the slowloris is shut down (its request's head took over 10 s)" \
    '^slowloris closed by the server' "$(cat "$VN_TMP/abuse.out")"
vn_match "all 200 connections are closed by the server (refused, or idle for 10 s)" \
    '^many_closed_by_server 200$' "$(cat "$VN_TMP/abuse.out")"
vn_check "B is still running" kill -0 "${VN_DPID[B]}"
scrape
vn_eq "afterwards: GET /metrics answers 200" 200 "$CODE"
vn_eq "afterwards: vnet_handlers" 1 "$(metric vnet_handlers '')"
vn_check "afterwards: ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_finish
