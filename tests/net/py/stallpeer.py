import os, resource, struct, sys, time

from vnlib import peer_begin, send_blocking

host, port, pw, n, ready, stop, partial = (sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
                                           sys.argv[5], sys.argv[6], sys.argv[7])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks, bad = [], 0
for i in range(n):
    s, good = peer_begin(host, port, pw, b"stall%d" % i, 4096)
    if not good:
        bad += 1
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
            send_blocking(s, unfinished)
        sent = True
        open(partial + ".sent", "w").close()
    for s in socks:
        try:
            s.send(ka)
        except OSError:
            pass
    time.sleep(1)
