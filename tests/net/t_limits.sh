#!/usr/bin/env bash
# Limits (SPEC/vnet(8) LIMITS): 128 handlers per daemon, 64 MACs per handler, 256 connections.
# A python fake peer in gB fills the daemon up; the daemon refuses the excess cleanly, survives,
# and serves normally once the load is gone.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

vn_py_checks gB <<'PYEOF'
import os, socket, time
from vnlib import Conn, ok, done, count_handlers
B, PB, P = os.environ["UL_B"], os.environ["PASS_B"], int(os.environ["PORT"])

def begin(macs):
    c = Conn(B, P)
    a = c.request("HELLO %s 1.0" % PB)
    if a != "OK 1.0":
        c.close()
        return None, a
    return c, c.request("BEGIN REMOTE py0 LOCAL eth0 " + " ".join(macs))

print("# 64 MACs per handler")
c, a = begin(["02:00:c6:12:02:%02x" % i for i in range(64)])
ok(a == "OK", "BEGIN with 64 MACs -> OK", repr(a))
c.close()
c, a = begin(["02:00:c6:12:02:%02x" % i for i in range(65)])
ok(a is not None and a.startswith("NOK"), "BEGIN with 65 MACs -> NOK", repr(a))
c.close()
end = time.monotonic() + 5
while count_handlers(B, PB) != 0 and time.monotonic() < end:
    time.sleep(0.2)

print("# 128 handlers per daemon")
peers, answers = [], []
for i in range(128):
    c, a = begin(["02:00:c6:12:01:%02x" % i])
    peers.append(c)
    answers.append(a)
bad = [(i, a) for i, a in enumerate(answers) if a != "OK"]
ok(not bad, "128 BEGINs -> 128 OK", repr(bad[:3]))
n = count_handlers(B, PB)
ok(n == 128, "HANDLERS? lists 128 handlers", repr(n))
c, a = begin(["02:00:c6:12:01:ff"])
ok(a is not None and a.startswith("NOK"), "the 129th BEGIN -> NOK", repr(a))
if c:
    c.close()
for c in peers:
    if c:
        c.close()
end = time.monotonic() + 10
while True:
    n = count_handlers(B, PB)
    if n == 0 or time.monotonic() > end:
        break
    time.sleep(0.3)
ok(n == 0, "after the peers close, HANDLERS? lists 0 handlers", repr(n))

print("# 300 idle connections (limit 256)")
idle = []
for i in range(300):
    try:
        s = socket.create_connection((B, P), timeout=2)
        idle.append(s)
    except OSError:
        pass
time.sleep(1)
# The daemon must not hang on the excess: each extra connection is refused, answered or closed.
closed = 0
for s in idle:
    s.setblocking(False)
    try:
        d = s.recv(100)
        if d == b"" or d.startswith(b"NOK"):
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print("# %d connections made, %d of them refused or closed by the daemon" % (len(idle), closed))
ok(len(idle) - closed <= 256, "at most 256 of the 300 connections are kept open (%d)" % (len(idle) - closed))
for s in idle:
    s.close()
time.sleep(0.5)
end = time.monotonic() + 5
n = -1
while time.monotonic() < end:
    try:
        n = count_handlers(B, PB)
        break
    except OSError:
        time.sleep(0.3)
ok(n == 0, "once they are closed, the daemon serves a new client at once", repr(n))
done()
PYEOF

vn_section "the daemon still works for real"
vn_check "handle" vn_handle_seed
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_finish
