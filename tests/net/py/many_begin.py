import time
from vnlib import ok
from manylib import A, B, BCAST, Ctl, N, P, PA, PB, mac
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
