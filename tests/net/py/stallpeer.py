import os, resource, socket, struct, sys, time
host, port, pw, n, ready, stop, partial = (sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
                                           sys.argv[5], sys.argv[6], sys.argv[7])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks, bad = [], 0
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((host, port))
    f = s.makefile("rb")
    s.sendall(b"HELLO %s 1.0\n" % pw.encode())
    a = f.readline()
    s.sendall(b"BEGIN REMOTE stall%d LOCAL eth0 ff:ff:ff:ff:ff:ff\n" % i)
    b = f.readline()
    if a.strip() != b"OK 1.0" or b.strip() != b"OK":
        bad += 1
    f.close()
    s.setblocking(False)
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
            s.setblocking(True)
            s.settimeout(5)
            try:
                s.sendall(unfinished)
            except OSError:
                pass
            s.setblocking(False)
        sent = True
        open(partial + ".sent", "w").close()
    for s in socks:
        try:
            s.send(ka)
        except OSError:
            pass
    time.sleep(1)
