#!/usr/bin/env bash
# Stalled handlers beside an honest one: N handlers on gB's eth0 whose peer (a fake daemon in gB)
# never reads, and one honest handler to daemon A on the same device. h1 sends a burst of
# broadcasts, which every handler wants. The honest handler forwards them, or counts in STATS? each
# one it did not; the stalled ones count what they lost (drop_queue, or drop_device for the
# frames the device's capture socket lost); the daemon's memory stays within what its bounds on
# queued bytes (per peer, per device) allow, not N times a handler's queue. Then the fake peer
# leaves a message unfinished on each link: what the daemon keeps for it is bounded per peer too.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
# No queue-delay control: its drops (drop_aqm, by design) are not what this test is about.
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" -d vmnet1 --queue-delay 0
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" -d eth0 --queue-delay 0

N=${VN_STALLED_N:-600}
FILL=12000
BURST=20000

vn_section "one honest handler, $N stalled ones, all wanting broadcasts on gB's eth0"
vn_check "honest handler for vm" vn_handle_seed vmnet1 "$VM_MAC" "$BCAST"
HONEST=$VN_HID
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 3

# The fake peer: N connections to B from gB (address UL_B, so another peer than A), each a BEGIN
# for the broadcast address; then it never reads, and only writes a keepalive every second so
# that B does not end the links for silence. It stops at the stop file, or after 150 s.
cat >"$VN_TMP/stallpeer.py" <<'PYEOF'
import os, resource, socket, struct, sys, time
host, port, pw, n, ready, stop, partial = (sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
                                           sys.argv[5], sys.argv[6], sys.argv[7])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks, bad = [], 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((host, port))
    f = s.makefile("rb")
    s.sendall(b"HELLO %s 1.0\n" % pw.encode())
    a = f.readline()
    s.sendall(b"BEGIN REMOTE stall%d LOCAL eth0 ff:ff:ff:ff:ff:ff\n" % i)
    b = f.readline()
    if a.strip() != b"OK 1.0" or b.strip() != b"OK":
        bad += 1
    f.close()
    s.setblocking(False)
    socks.append(s)
with open(ready, "w") as r:
    r.write("%d %d\n" % (len(socks), bad))
ka = struct.pack(">I", 3 << 24)
# At the partial file: on each link, a FRAME message of 65,000 bytes of which 64,000 come.
unfinished = struct.pack(">I", (2 << 24) | 65000) + b"\1" * 64000
sent = False
end = time.monotonic() + 150
while not os.path.exists(stop) and time.monotonic() < end:
    if not sent and os.path.exists(partial):
        for s in socks:
            s.setblocking(True)
            s.settimeout(5)
            try:
                s.sendall(unfinished)
            except OSError:
                pass
            s.setblocking(False)
        sent = True
        open(partial + ".sent", "w").close()
    for s in socks:
        try:
            s.send(ka)
        except OSError:
            pass
    time.sleep(1)
PYEOF
vn_bg gB timeout -k 2 160 "$VN_PY" "$VN_TMP/stallpeer.py" "$UL_B" "$PORT" "$PASS_B" "$N" \
    "$VN_TMP/peer-ready" "$VN_TMP/peer-stop" "$VN_TMP/peer-partial"
vn_check "the fake peer made its $N handlers" vn_wait_file "$VN_TMP/peer-ready" $((90 * VN_SLOW))
vn_log "fake peer: $(cat "$VN_TMP/peer-ready" 2>/dev/null)"
vn_check "B has 1 + $N handlers" vn_wait_handlers B $((N + 1)) 10

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
RSS0=$(rss_kb "${VN_DPID[B]}")
vn_log "daemon B: RSS $RSS0 KiB before the burst"

vn_section "bursts of $FILL, then $BURST broadcasts from h1"
cat >"$VN_TMP/burst.py" <<'PYEOF'
import os, socket, struct, sys, time
ETHERTYPE = 0x88b5
def send(ifname, src, n):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    sm = bytes.fromhex(src.replace(":", ""))
    for i in range(n):
        for _ in range(100):
            try:
                s.send(b"\xff" * 6 + sm + struct.pack("!H", ETHERTYPE) + b"vnet-stall-%06d" % i + b"\0" * 180)
                break
            except BlockingIOError:
                time.sleep(0.001)
        if i % 100 == 99:
            time.sleep(0.005)       # about 20,000 frames/s at most
def count(ifname, ready, stop, out):
    """Frames of ETHERTYPE arriving at ifname until 3 s pass without one (after the first) or
    stop appears; at most 60 s."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)   # SO_RCVBUFFORCE
    s.bind((ifname, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    n, last, end = 0, None, time.monotonic() + 60
    while time.monotonic() < end and not os.path.exists(stop):
        try:
            f, addr = s.recvfrom(2048)
        except socket.timeout:
            if last is not None and time.monotonic() - last > 3:
                break
            continue
        if addr[2] != socket.PACKET_OUTGOING:
            n += 1
            last = time.monotonic()
    with open(out + ".tmp", "w") as o:
        o.write("%d\n" % n)
    os.rename(out + ".tmp", out)
if sys.argv[1] == "send":
    send(sys.argv[2], sys.argv[3], int(sys.argv[4]))
else:
    count(*sys.argv[2:6])
PYEOF
# burst COUNT TAG: send COUNT broadcasts from h1, counted as they arrive in vm.
burst() {
    vn_bg vm timeout -k 2 70 "$VN_PY" "$VN_TMP/burst.py" count eth0 "$VN_TMP/ready-$2" \
        "$VN_TMP/stop-$2" "$VN_TMP/count-$2"
    vn_check "the counter in vm is ready" vn_wait_file "$VN_TMP/ready-$2" $((10 * VN_SLOW))
    vn_in h1 timeout -k 2 120 "$VN_PY" "$VN_TMP/burst.py" send eth0 "$H1_MAC" "$1"
    vn_check "the counter in vm ends" vn_wait_file "$VN_TMP/count-$2" $((70 * VN_SLOW))
    vn_log "h1 sent $1 broadcasts, vm received $(cat "$VN_TMP/count-$2" 2>/dev/null)"
}
# The first fills the stalled links' socket buffers (the kernel takes about 2 MB each before a
# send fails): each frame is still copied to each of them meanwhile. The second meets N handlers
# that are stalled through and through.
burst "$FILL" fill
burst "$BURST" burst
RSS1=$(rss_kb "${VN_DPID[B]}")
vn_log "daemon B: RSS $RSS1 KiB after the bursts"

vn_py_checks gB "$HONEST" "$N" $((FILL + BURST)) <<'PYEOF'
import os, socket, sys
from vnlib import ok
honest, n, burst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
B, PB, P = os.environ["UL_B"], os.environ["PASS_B"], int(os.environ["PORT"])
# STATS? of 1 + N handlers: a plain blocking read (vnlib's select() is limited to FD_SETSIZE).
s = socket.create_connection((B, P), timeout=30)
f = s.makefile("rb")
def line():
    return f.readline().decode().rstrip("\r\n")
s.sendall(b"HELLO %s 1.0\nSTATS?\n" % PB.encode())
assert line() == "OK 1.0"
head, cnt = line(), int(line())
st = {}
for _ in range(cnt):
    w = line().split()
    st[w[0]] = dict(x.split("=", 1) for x in w[1:] if "=" in x)
s.close()
def g(h, k):
    return int(st[h].get(k, "0"))
h = st.get(honest, {})
fields = ("out_frames", "drop_queue", "drop_device", "drop_oversize")
print("# honest handler %s: %s" % (honest, " ".join("%s=%s" % (k, h.get(k, "-")) for k in fields)))
counted = sum(g(honest, k) for k in fields)
ok(counted >= burst, "the honest handler forwarded each broadcast, or counted it lost in STATS?",
   "%d of %d accounted for" % (counted, burst))
stalled = [x for x in st if x != honest]
ok(len(stalled) == n, "STATS? lists the %d stalled handlers" % n, repr(len(stalled)))
drops = sum(g(x, "drop_queue") for x in stalled)
unaccounted = [x for x in stalled if sum(g(x, k) for k in fields) < burst]
print("# stalled handlers: drop_queue %d in all, %d with frames unaccounted for (first: %s)" %
      (drops, len(unaccounted), " ".join("%s=%s" % (k, st[unaccounted[0]].get(k, "-")) for k in fields)
       if unaccounted else "-"))
outs = sorted(g(x, "out_frames") for x in stalled)
if outs:
    print("# stalled handlers: out_frames from %d to %d, drop_device %d" % (outs[0], outs[-1], g(stalled[0], "drop_device")))
ok(drops > 0, "the stalled handlers count their losses in drop_queue", repr(drops))
ok(not unaccounted, "each stalled handler forwarded each broadcast or counted it lost",
   "%d of %d did not" % (len(unaccounted), n))
PYEOF

# The bound: the fake peer's queues (per peer, 16 MiB) and the device's deep queues (8 MiB), the
# honest handler's queue (at most its usual 256 KiB and 4 MiB deep) and allocation slack. Without
# a per-peer bound each stalled handler kept its full 256 KiB queue.
GREW=$(( (RSS1 - RSS0) / 1024 ))
if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "$VNET_WRAP" ]; then
    vn_log "daemon B: grew by $GREW MiB (not checked under a sanitizer or valgrind)"
else
    vn_check "daemon B grew by $GREW MiB with $N stalled handlers, less than 48 MiB" \
        test "$GREW" -lt 48
fi

vn_section "the fake peer leaves a message unfinished on each of its links"
# Each link's receive queue keeps what came of the message until the rest comes: 64,000 bytes
# held, more allocated. The peer's links together keep at most 16 MiB (then they wait).
touch "$VN_TMP/peer-partial"
vn_check "the fake peer sent its unfinished messages" vn_wait_file "$VN_TMP/peer-partial.sent" 60
sleep 2
RSS2=$(rss_kb "${VN_DPID[B]}")
GREW=$(( (RSS2 - RSS1) / 1024 ))
vn_log "daemon B: RSS $RSS2 KiB"
if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "$VNET_WRAP" ]; then
    vn_log "daemon B: grew by $GREW MiB (not checked under a sanitizer or valgrind)"
else
    vn_check "daemon B grew by $GREW MiB with $N unfinished messages, less than 20 MiB" \
        test "$GREW" -lt 20
fi
vn_check "B still has 1 + $N handlers" vn_wait_handlers B $((N + 1)) 10
touch "$VN_TMP/peer-stop"

vn_section "B still serves"
vn_check "ping h1 -> vm" vn_ping h1 "$VM_IP" 3
vn_finish
