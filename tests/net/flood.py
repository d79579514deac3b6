#!/usr/bin/env python3
# flood.py DST PORT SOURCES SECONDS KEEP GAP RATE READY OUT: idle TCP connections to DST:PORT,
# from the comma-separated SOURCES in turn, RATE a second (0: as fast as it can) or, with
# GAP > 0, 60 at once then one every GAP seconds; never a byte sent, the oldest closed to keep
# at most KEEP open. Bounded by SECONDS, 2,000,000 connections and the file READY.stop. Writes
# READY after 1 s, then "made N / errors N / seconds S" to OUT. (t_admission.sh, and
# tests/bench/accept.sh unpaced.)
import collections, os, socket, sys, time
dst, port, srcs, secs, keep, gap, rate, ready, out = sys.argv[1:10]
port, secs, keep, gap, rate = int(port), float(secs), int(keep), float(gap), float(rate)
srcs = [s for s in srcs.split(",") if s]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks, made, errors, i = collections.deque(), 0, 0, 0
t0 = time.monotonic()
end, said_ready = t0 + secs, False
while time.monotonic() < end and made < 2000000 and not os.path.exists(ready + ".stop"):
    if not said_ready and time.monotonic() - t0 >= 1.0:
        open(ready, "w").close()
        said_ready = True
    if gap <= 0 and rate > 0 and made >= (time.monotonic() - t0) * rate:
        time.sleep(0.001)
        continue
    while len(socks) >= keep:
        socks.popleft().close()
    s = socket.socket(fam, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    try:
        s.bind((srcs[i % len(srcs)], 0))
        i += 1
        s.connect((dst, port))
    except BlockingIOError:
        pass
    except OSError:
        errors += 1
        s.close()
        time.sleep(0.001)
        continue
    socks.append(s)
    made += 1
    if gap > 0 and made > 60:
        time.sleep(gap)
open(ready, "w").close()
with open(out, "w") as f:
    f.write("made %d\nerrors %d\nseconds %.1f\n" % (made, errors, time.monotonic() - t0))
for s in socks:
    s.close()
