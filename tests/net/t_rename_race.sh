#!/usr/bin/env bash
# A device renamed while a HANDLE (or a reconnecting RHANDLE) is still dialing: the notification
# comes before the handler exists, so the handler must check its device when it is made. A fake
# peer daemon in gB answers HELLO, then holds its BEGIN answer until the test has renamed A's
# vmnet1 to vmnet9. Expected: the HANDLE answer is "NOK device vmnet1 was renamed vmnet9", A lists
# no handler, and no frame from the renamed device reaches the fake peer.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1

# The fake peer: HOST PORT DIR. Marks DIR/listening, DIR/begin (the BEGIN line) and waits (at most
# 10 s) for DIR/renamed before it answers OK; then counts the bytes that arrive until the link
# closes, DIR/stop appears or 8 s pass, into DIR/result ("bytes N", "eof 0|1").
cat >"$VN_TMP/fakepeer.py" <<'PYEOF'
import os, socket, sys, time

host, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def path(name):
    return os.path.join(d, name)

def mark(name, text=""):
    with open(path(name) + ".tmp", "w") as f:
        f.write(text)
    os.rename(path(name) + ".tmp", path(name))

def wait_file(name, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end and not os.path.exists(path(name)):
        time.sleep(0.05)

ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((host, port))
ls.listen(1)
ls.settimeout(20)
mark("listening")
c, _ = ls.accept()
c.settimeout(10)
buf = b""

def line():
    global buf
    while b"\n" not in buf:
        x = c.recv(4096)
        if not x:
            return None
        buf += x
    ln, buf = buf.split(b"\n", 1)
    return ln.rstrip(b"\r").decode(errors="replace")

line()                      # HELLO (its password is not kept)
c.sendall(b"OK 1.0\n")
line()                      # INSTANCE? (answered as a vnet older than it would)
c.sendall(b"NOK unknown request 'INSTANCE?'\n")
mark("begin", line() or "")
wait_file("renamed", 10)
c.sendall(b"OK\n")
got, eof = len(buf), 0
c.settimeout(0.2)
end = time.monotonic() + 8
while time.monotonic() < end and not os.path.exists(path("stop")):
    try:
        x = c.recv(65536)
    except socket.timeout:
        continue
    except OSError:
        eof = 1
        break
    if not x:
        eof = 1
        break
    got += len(x)
mark("result", "bytes %d\neof %d\n" % (got, eof))
PYEOF

# race ROUND [-r]: a HANDLE (or RHANDLE with -r) to A on vmnet1, towards the fake peer, during
# which vmnet1 is renamed vmnet9; then traffic from the VM on the renamed device.
race() {
    local round=$1 dir="$VN_TMP/round$1" what=HANDLE
    shift
    [ "${1:-}" = -r ] && what=RHANDLE
    vn_section "round $round: $what on vmnet1, renamed vmnet9 while A dials"
    mkdir -p "$dir"
    vn_bg gB "$VN_PY" "$VN_TMP/fakepeer.py" "$UL_B" "$PORT" "$dir"
    local peer=$VN_BG
    vn_wait_file "$dir/listening" 5 || vn_die "the fake peer does not listen"
    vn_bg gB setsid -w timeout -k 5 40 "$VNETCLIENT" -p "$PASS_A" -h "$UL_A" -c handle "$@" \
        -b "$PASS_B" -d "$UL_B" -e vmnet1 -f eth0 -g local -j "$VM_MAC" "$BCAST" \
        >"$dir/out" 2>"$dir/err" </dev/null
    local client=$VN_BG
    vn_check "A sends BEGIN to the fake peer" vn_wait_file "$dir/begin" 10
    vn_ip gA link set dev vmnet1 down
    vn_ip gA link set dev vmnet1 name vmnet9
    vn_ip gA link set dev vmnet9 up
    : >"$dir/renamed"
    wait "$client"
    local rc=$?
    vn_log "handle: exit $rc, out '$(cat "$dir/out")', err '$(cat "$dir/err")'"
    vn_eq "$what answer: exit 1 (NOK)" 1 "$rc"
    vn_match "$what answer names the rename" "device vmnet1 was renamed vmnet9" "$(cat "$dir/err")"
    vn_handlers_A
    vn_eq "A lists no handler" 0 "$VN_COUNT"
    vn_ping_fails vm "$H1_IP" >/dev/null    # ARP broadcasts from the VM on vmnet9
    : >"$dir/stop"
    vn_wait_file "$dir/result" 10 || vn_fail "the fake peer wrote no result"
    wait "$peer"
    vn_eq "no frame from the renamed device reaches the fake peer (bytes after its OK)" 0 \
        "$(awk '$1 == "bytes" {print $2}' "$dir/result" 2>/dev/null)"
    vn_eq "A's log says why (once per round)" "$round" \
        "$(grep -c 'device vmnet1 was renamed vmnet9' "$VN_TMP/vnet-A.log")"
    vn_check "daemon A is alive" kill -0 "${VN_DPID[A]}"
    # The device's name back for the next round.
    vn_ip gA link set dev vmnet9 down
    vn_ip gA link set dev vmnet9 name vmnet1
    vn_ip gA link set dev vmnet1 up
}

race 1
race 2 -r
sleep 1.5   # a reconnecting handler would try again after about 1 s
vn_handlers_A
vn_eq "after round 2, A still lists no handler (nothing reconnects)" 0 "$VN_COUNT"

vn_finish
