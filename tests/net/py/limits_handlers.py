import time
from vnlib import ok
from limitslib import begin, close_all, listing
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
