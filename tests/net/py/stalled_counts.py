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
