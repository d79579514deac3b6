#!/usr/bin/env python3
"""metrics_abuse.py HOST PORT SECONDS READY OUT - bad requests to vnet's metrics endpoint, at once.

From 127.0.0.1 (the endpoint's per-address limit applies to all of it):
  longurl   GET of a 100 KB URL: what the server answers (a status line, or "closed");
  slowloris a request whose header grows by one byte a second, for SECONDS at most;
  many      200 connections opened at once and held, sending nothing, for SECONDS.
READY is created once all are under way; OUT gets one "name value" line each. Bounded: every
socket has a timeout, and everything is closed after SECONDS.
"""
import socket, sys, time

host, port, seconds, ready, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
src = ("127.0.0.1", 0)
res = {}

def connect():
    return socket.create_connection((host, port), timeout=3, source_address=src)

# The long URL first, alone: its answer.
try:
    s = connect()
    s.sendall(b"GET /metrics?" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        d = s.recv(200)
        res["longurl"] = d.split(b"\r\n")[0].decode(errors="replace") if d else "closed"
    except OSError as e:
        res["longurl"] = "closed (%s)" % e.__class__.__name__
    s.close()
except OSError as e:
    res["longurl"] = "closed (%s)" % e.__class__.__name__

slow = None
try:
    slow = connect()
    slow.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
except OSError:
    slow = None
many, failed = [], 0
for i in range(200):
    try:
        many.append(connect())
    except OSError:
        failed += 1
open(ready, "w").close()

end = time.monotonic() + seconds
sent = 0
slow_end = "open"
while time.monotonic() < end:
    if slow is not None:
        try:
            slow.sendall(b"a")
            sent += 1
        except OSError:
            slow_end = "closed by the server after %d bytes" % sent
            slow = None
    time.sleep(1)
# Of the 200, how many did the server close (refused at once, or timed out)?
closed = 0
for s in many:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
    s.close()
if slow is not None:
    slow.close()
res["slowloris"] = slow_end if slow_end != "open" else "still open after %d bytes" % sent
res["many_opened"] = len(many)
res["many_failed"] = failed
res["many_closed_by_server"] = closed
with open(out, "w") as f:
    for k, v in res.items():
        f.write("%s %s\n" % (k, v))
