#!/usr/bin/env bash
# 1,000 handlers on one device pair: B (gB, eth0 on the LAN) holds 1,000 handlers to
# A (gA, vmnet1), one MAC each; three of them list the broadcast address too. h1 sends one frame
# to each MAC and one broadcast: each frame goes through its own handler only (STATS? of both
# daemons, per handler), the broadcast arrives once through each of the three, nothing loops
# (frames counted on the VM's side and on the LAN, as t_broadcast_storm does). Then half of the
# handlers are closed and the other half still carries its frames, and only those.
# The daemons send keepalives every second: 1,000 idle links that hear them keep little memory.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_daemon A gA "$PASS_A" -h "$UL_A" -p "$PORT" --keepalive 1 -d vmnet1
vn_start_daemon B gB "$PASS_B" -h "$UL_B" -p "$PORT" --keepalive 1 -d eth0

N=1000

cat >"$VN_TMP/manylib.py" <<'PYEOF'
import os, resource, socket, struct, sys, time
from vnlib import ok
N = 1000
A, PA = os.environ.get("UL_A", ""), os.environ.get("PASS_A", "")   # vn_py's environment
B, PB, P = os.environ.get("UL_B", ""), os.environ.get("PASS_B", ""), int(os.environ.get("PORT", "0"))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
ETHERTYPE = 0x88b5          # local experimental: no stack answers it
BCAST = "ff:ff:ff:ff:ff:ff"

def mac(i):
    return "02:00:c6:%02x:%02x:01" % (i >> 8, i & 0xff)

class Ctl:
    def __init__(self, host, pw, timeout=20.0):
        self.s = socket.create_connection((host, P), timeout=timeout)
        self.f = self.s.makefile("rb")
        a = self.request("HELLO %s 1.0" % pw)
        assert a == "OK 1.0", a
    def readline(self):
        l = self.f.readline()
        return l.decode().rstrip("\r\n") if l.endswith(b"\n") else None
    def request(self, text):
        self.s.sendall(text.encode() + b"\n")
        return self.readline()
    def listing(self, what):
        head, n = self.request(what), int(self.readline())
        return [self.readline() for _ in range(n)]
    def close(self):
        self.f.close()
        self.s.close()

def by_mac(host, pw):
    """{mac: (id, {counter: value})} of a daemon's handlers, by their first address."""
    c = Ctl(host, pw)
    macs = {}
    for l in c.listing("HANDLERS?"):
        w = l.split()
        macs[w[0]] = w[10].lower()
    out = {}
    for l in c.listing("STATS?"):
        w = l.split()
        out[macs[w[0]]] = (int(w[0]), dict(kv.split("=") for kv in w[1:]))
    c.close()
    return out

def send_frames(ifname, src, dsts):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    sm = bytes.fromhex(src.replace(":", ""))
    for i, d in enumerate(dsts):
        s.send(bytes.fromhex(d.replace(":", "")) + sm + struct.pack("!H", ETHERTYPE)
               + b"vnet-many-%05d" % i + b"\0" * 32)
        if i % 50 == 49:
            time.sleep(0.01)
    s.close()

def count_frames(ifname, seconds, ready, out):
    """Frames of ETHERTYPE arriving at ifname for a while: 'dst count' lines in out."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    s.bind((ifname, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    seen, end = {}, time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            f, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        d = ":".join("%02x" % b for b in f[:6])
        seen[d] = seen.get(d, 0) + 1
    with open(out + ".tmp", "w") as o:
        for d, n in seen.items():
            o.write("%s %d\n" % (d, n))
    os.rename(out + ".tmp", out)

if __name__ == "__main__" and len(sys.argv) > 1:
    if sys.argv[1] == "send":
        send_frames(sys.argv[2], sys.argv[3], sys.argv[4:] if len(sys.argv) > 4 else
                    [mac(i) for i in range(N)] + [BCAST])
    elif sys.argv[1] == "count":
        count_frames(sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5])
PYEOF

# count_start NS TAG: count the test's frames arriving at NS's eth0 for 8 s.
count_start() {
    rm -f "$VN_TMP/ready-$2" "$VN_TMP/count-$2"
    vn_bg "$1" env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_TMP/manylib.py" count eth0 8 "$VN_TMP/ready-$2" "$VN_TMP/count-$2"
    vn_wait_file "$VN_TMP/ready-$2" 5 || vn_die "frame counter in $1 did not start"
}
count_wait() { vn_wait_file "$VN_TMP/count-$1" 20 || vn_die "frame counter $1 did not finish"; }

vn_section "$N handlers, one MAC each, three with the broadcast address"
vn_py_checks gB <<'PYEOF'
import time
from manylib import *
c = Ctl(B, PB)
t0 = time.monotonic()
bad = []
for i in range(N):
    extra = " " + BCAST if i < 3 else ""
    a = c.request("HANDLE %s LOCAL eth0 REMOTE %s %d vmnet1 %s%s" % (PA, A, P, mac(i), extra))
    if not (a or "").startswith("OK "):
        bad.append((i, a))
print("# %d handlers made in %.1f s" % (N, time.monotonic() - t0))
ok(not bad, "%d HANDLEs -> %d OK" % (N, N), repr(bad[:3]))
ok(len(c.listing("HANDLERS?")) == N, "B lists %d handlers" % N)
c.close()
ok(len(Ctl(A, PA).listing("HANDLERS?")) == N, "A lists %d handlers" % N)
PYEOF

vn_section "$N idle links exchanging keepalives keep little memory"
# A keepalive read into a fresh 128 KiB receive queue, wiped whole when the handler's timer gave
# it back, made every idle handler about 120 KiB resident (130 MB at 1,000 handlers).
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sleep 3
for d in A B; do
    rss=$(rss_kb "${VN_DPID[$d]}")
    if [ -n "${ASAN_OPTIONS:-}" ] || [ -n "$VNET_WRAP" ]; then
        vn_log "daemon $d: RSS $rss KiB (not checked under a sanitizer or valgrind)"
    else
        vn_check "daemon $d: RSS $rss KiB with $N handlers, below 40 MiB" test "$rss" -lt 40960
    fi
done

vn_section "one frame to each MAC, one broadcast"
count_start vm all-vm
count_start h2 all-h2
vn_in h1 env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_TMP/manylib.py" send eth0 "$H1_MAC"
count_wait all-vm
count_wait all-h2
vn_py_checks gB "$VN_TMP/count-all-vm" "$VN_TMP/count-all-h2" <<'PYEOF'
import sys
from manylib import *
vm = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]))
h2 = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[2]))
sb, sa = by_mac(B, PB), by_mac(A, PA)
wrong = [m for m in (mac(i) for i in range(N))
         if sb[m][1]["out_frames"] != ("2" if m in (mac(0), mac(1), mac(2)) else "1")
         or sa[m][1]["in_frames"] != sb[m][1]["out_frames"]]
ok(not wrong, "each frame went through its own handler, on B and on A (per-handler counters)",
   repr([(m, sb[m][1]["out_frames"], sa[m][1]["in_frames"]) for m in wrong[:3]]))
missing = [i for i in range(N) if vm.get(mac(i)) != 1]
ok(not missing, "the VM's side got each of the %d frames once" % N,
   repr([(mac(i), vm.get(mac(i))) for i in missing[:3]]))
ok(vm.get(BCAST) == 3, "the broadcast arrived once through each of the three handlers that list it",
   repr(vm.get(BCAST)))
ok(sum(vm.values()) == N + 3, "nothing else reached the VM's side (no loop)", repr(sum(vm.values())))
ok(h2.get(BCAST) == 1 and sum(h2.values()) == N + 1,
   "the LAN saw each frame once: nothing came back (no loop)", repr((h2.get(BCAST), sum(h2.values()))))
# Half the handlers go (the odd ones; the three with the broadcast stay, but for 1).
c = Ctl(B, PB)
bad = [i for i in range(1, N, 2) if c.request("CLOSE %d" % sb[mac(i)][0]) != "OK closed %d" % sb[mac(i)][0]]
ok(not bad, "CLOSE %d handlers on B -> OK" % (N // 2), repr(bad[:3]))
c.close()
PYEOF
vn_py_checks gA <<'PYEOF'
import time
from manylib import *
end = time.monotonic() + 40
while True:
    n = len(Ctl(A, PA).listing("HANDLERS?"))
    if n == N // 2 or time.monotonic() > end:
        break
    time.sleep(0.5)
ok(n == N // 2, "their links closed: A lists %d handlers" % (N // 2), repr(n))
ok(len(Ctl(B, PB).listing("HANDLERS?")) == N // 2, "B lists %d handlers" % (N // 2))
PYEOF

vn_section "the other half still works"
count_start vm half-vm
vn_in h1 env PYTHONPATH="$VN_PYPATH" "$VN_PY" "$VN_TMP/manylib.py" send eth0 "$H1_MAC"
count_wait half-vm
vn_py_checks gB "$VN_TMP/count-half-vm" <<'PYEOF'
import sys
from manylib import *
vm = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]))
sb, sa = by_mac(B, PB), by_mac(A, PA)
even = [mac(i) for i in range(0, N, 2)]
ok(sorted(sb) == sorted(even) and sorted(sa) == sorted(even), "the even handlers are left, on both sides")
wrong = [m for m in even if sb[m][1]["out_frames"] != ("4" if m in (mac(0), mac(2)) else "2")
         or sa[m][1]["in_frames"] != sb[m][1]["out_frames"]]
ok(not wrong, "each remaining handler carried its second frame", repr(wrong[:3]))
got = [i for i in range(N) if vm.get(mac(i))]
ok(got == list(range(0, N, 2)) and all(vm[mac(i)] == 1 for i in got),
   "the VM's side got the frames of the remaining handlers, once each, and no other",
   repr(got[:6]))
ok(vm.get(BCAST) == 2, "the broadcast arrived through the two remaining handlers that list it",
   repr(vm.get(BCAST)))
PYEOF

vn_finish
