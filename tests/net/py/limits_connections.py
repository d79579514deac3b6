import time
from vnlib import ok
from limitslib import Ctl, close_all, count_handlers, login
conns, bad = [], 0
t0 = time.monotonic()
for i in range(8192):
    try:
        c, a = login()
    except OSError:
        bad += 1
        continue
    conns.append(c)
    bad += a != "OK 1.0"
print("# 8,192 connections logged in in %.1f s" % (time.monotonic() - t0))
ok(bad == 0 and len(conns) == 8192, "8,192 connections logged in", repr((len(conns), bad)))
extra = Ctl()
a = extra.readline()
ok(a == "NOK too many connections", "the 8,193rd connection -> NOK too many connections", repr(a))
extra.close()
# A connection that has not logged in takes the last place; a new one takes it from it.
conns.pop().close()
time.sleep(0.3)
idle = Ctl()
time.sleep(0.3)
c, a = login()
ok(a == "OK 1.0", "with one place held by a connection not logged in, a new one is served", repr(a))
ok(idle.readline() is None, "... and the one not logged in was closed to make room")
close_all(conns + [c, idle])
end = time.monotonic() + 10
while time.monotonic() < end:
    try:
        n = count_handlers()
        break
    except OSError:
        time.sleep(0.3)
ok(n == 0, "once they are closed, the daemon serves a new client at once", repr(n))
