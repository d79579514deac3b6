#!/usr/bin/env bash
# Limits (vnet(8) LIMITS), each at its edge: the last allowed is accepted, the next gets
# "NOK reason": 1,024 addresses in one handler, 16,384 addresses on one device (16 handlers of
# 1,024), 4,096 handlers per daemon, 8,192 connections. A python fake peer in gB fills daemon B
# up; B refuses the excess cleanly, answers HANDLERS? and STATS? of thousands of handlers to a
# slow reader, and serves normally once the load is gone.
# The address lists are /16 patterns: a classic BPF filter of 1,024 of them fits in the kernel's
# 4,096 instructions, so the edges are the same with a filter per handler or per device. Such a
# filter is charged to the socket's option memory: gB's net.core.optmem_max (of this test's
# namespace only) is raised for it.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_in gB sysctl -qw net.core.optmem_max=1048576 || vn_die "optmem_max in gB"
vn_start_seed_daemons

vn_write_limits_lib() {
    cat >"$VN_TMP/limitslib.py" <<'PYEOF'
import os, resource, socket, time
from vnlib import ok
B, PB, P = os.environ["UL_B"], os.environ["PASS_B"], int(os.environ["PORT"])

# Thousands of sockets: no select() (FD_SETSIZE), blocking reads with a timeout instead.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

class Ctl:
    def __init__(self, timeout=10.0):
        self.s = socket.create_connection((B, P), timeout=timeout)
        self.f = self.s.makefile("rb")
    def readline(self):
        try:
            l = self.f.readline()
        except OSError:
            return None
        return l.decode(errors="replace").rstrip("\r\n") if l.endswith(b"\n") else None
    def request(self, text):
        try:
            self.s.sendall(text.encode() + b"\n")
        except OSError:
            return None
        return self.readline()
    def close(self):
        for x in (self.f, self.s):
            try:
                x.close()
            except OSError:
                pass

def login():
    c = Ctl()
    a = c.request("HELLO %s 1.0" % PB)
    return c, a

def patterns(first, n):
    """n distinct /16 patterns (02:xx:00:00:00:00/16), from number first on."""
    return ["%02x:%02x:00:00:00:00/16" % (2 + (i >> 8), i & 0xff)
            for i in range(first, first + n)]

def begin(macs):
    c, a = login()
    if a != "OK 1.0":
        c.close()
        return None, a
    return c, c.request("BEGIN REMOTE py0 LOCAL eth0 " + " ".join(macs))

def listing(what, slow=0.0):
    """HANDLERS? or STATS?: (count announced, lines); slow: seconds to wait before reading."""
    c, a = login()
    c.s.sendall((what + "\n").encode())
    if slow:
        time.sleep(slow)
    head, n = c.readline(), c.readline()
    lines = []
    try:
        for _ in range(int(n)):
            l = c.readline()
            if l is None:
                break
            lines.append(l)
    except (TypeError, ValueError):
        n = -1
    tail = c.request("DONE")
    c.close()
    return head, int(n), lines, tail

def count_handlers():
    return listing("HANDLERS?")[1]

def wait_handlers(n, secs):
    end = time.monotonic() + secs
    while True:
        got = count_handlers()
        if got == n or time.monotonic() > end:
            return got
        time.sleep(0.3)

def close_all(conns):
    for c in conns:
        if c:
            c.close()
PYEOF
}
vn_write_limits_lib

vn_section "1,024 addresses in one handler"
vn_py_checks gB <<'PYEOF'
from limitslib import *
c, a = begin(patterns(0, 1024))
ok(a == "OK", "BEGIN with 1,024 addresses -> OK", repr(a))
head, n, lines, _ = listing("HANDLERS?")
ok(n == 1 and len(lines) == 1 and len(lines[0].split()) == 10 + 1024,
   "HANDLERS? lists the handler with its 1,024 addresses on one line (%d bytes)"
   % (len(lines[0]) if lines else 0), repr((n, len(lines))))
c2, a = begin(patterns(0, 1025))
ok(a == "NOK too many addresses (at most 1024)", "BEGIN with 1,025 addresses -> NOK", repr(a))
close_all([c, c2])
h, a = login()
a = h.request("HANDLE x LOCAL eth0 REMOTE 198.19.0.1 4455 vmnet1 " + " ".join(patterns(0, 1025)))
ok(a == "NOK too many addresses (at most 1024)", "HANDLE with 1,025 addresses -> NOK", repr(a))
h.close()
ok(wait_handlers(0, 10) == 0, "closed: no handler left")
PYEOF

vn_section "16,384 addresses on one device"
vn_py_checks gB <<'PYEOF'
from limitslib import *
conns, answers = [], []
for k in range(16):
    c, a = begin(patterns(k * 1024, 1024))
    conns.append(c)
    answers.append(a)
bad = [(i, a) for i, a in enumerate(answers) if a != "OK"]
ok(not bad, "16 handlers of 1,024 addresses on eth0 -> 16 OK", repr(bad[:2]))
c, a = begin(patterns(16 * 1024, 1))
ok(a is not None and a.startswith("NOK too many addresses on device eth0"),
   "one address more on eth0 -> NOK too many addresses on device eth0", repr(a))
close_all([c, conns.pop()])
ok(wait_handlers(15, 10) == 15, "one of the 16 closed: 15 left")
c, a = begin(patterns(20000, 1024))
ok(a == "OK", "... and 1,024 addresses fit on eth0 again", repr(a))
close_all(conns + [c])
ok(wait_handlers(0, 15) == 0, "all closed: no handler left")
PYEOF

vn_section "4,096 handlers"
vn_py_checks gB <<'PYEOF'
from limitslib import *
t0 = time.monotonic()
conns, bad = [], []
for i in range(4096):
    c, a = begin(["02:00:%02x:%02x:00:01" % (i >> 8, i & 0xff)])
    conns.append(c)
    if a != "OK":
        bad.append((i, a))
print("# 4,096 BEGINs in %.1f s" % (time.monotonic() - t0))
ok(not bad, "4,096 BEGINs -> 4,096 OK", repr(bad[:3]))
c, a = begin(["02:01:00:00:00:01"])
ok(a == "NOK too many handlers (at most 4096)", "the 4,097th BEGIN -> NOK too many handlers", repr(a))
close_all([c])
head, n, lines, tail = listing("HANDLERS?")
ok(head == "OK handlers" and n == 4096 and len(lines) == 4096 and tail == "OK bye",
   "HANDLERS? lists 4,096 handlers, then answers the next request", repr((head, n, len(lines), tail)))
# STATS? of 4,096 handlers is over 1 MB: read by a client that waits before reading, it must
# come whole (not cut, the client not dropped), each line that of a handler.
head, n, lines, tail = listing("STATS?", slow=3)
ids = set(l.split()[0] for l in lines if " state=up " in l)
ok(head == "OK stats" and n == 4096 and len(ids) == 4096 and tail == "OK bye",
   "STATS? to a slow reader: 4,096 lines of 4,096 handlers (%d bytes)" % sum(len(l) + 1 for l in lines),
   repr((head, n, len(lines), len(ids), tail)))
close_all(conns)
PYEOF
# With a packet socket per handler, each close waits for an RCU grace period in the kernel
# (packet_release): 4,096 of them take tens of seconds, hence the waits in programs of their own.
vn_py gB <<'PYEOF'
from limitslib import *
wait_handlers(0, 35)
PYEOF
vn_py_checks gB <<'PYEOF'
from limitslib import *
n = wait_handlers(0, 35)
ok(n == 0, "the peers close: no handler left", repr(n))
PYEOF

vn_section "8,192 connections"
vn_py_checks gB <<'PYEOF'
from limitslib import *
conns, bad = [], 0
t0 = time.monotonic()
for i in range(8192):
    try:
        c, a = login()
    except OSError as e:
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
PYEOF

vn_section "the daemon still works for real"
vn_check "handle" vn_handle_seed
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_finish
