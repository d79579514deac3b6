"""Numbered UDP datagrams of t_udp_burst.sh: send a run of them, or receive and check them.

udp_order.py send IP PORT FIRST COUNT: datagrams FIRST .. FIRST+COUNT-1 to IP:PORT, 64 bytes
each, as fast as the socket takes them (bounded by COUNT).
udp_order.py recv IP PORT COUNT READY OUT: on IP:PORT until COUNT arrived or 3 s pass without
one (at most 50 s); writes "received N", "in_order yes|no (first out of order: ...)" to OUT."""
import socket, struct, sys, time

def send(ip, port, first, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pad = b"\0" * 56
    for i in range(first, first + count):
        s.sendto(struct.pack("!Q", i) + pad, (ip, port))

def recv(ip, port, want, ready, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)       # SO_RCVBUFFORCE: bursts come at once
    s.bind((ip, port))
    s.settimeout(0.5)
    open(ready, "w").close()
    got, bad, quiet, deadline = [], None, 0, time.monotonic() + 50
    while len(got) < want and quiet < 6 and time.monotonic() < deadline:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if got:
                quiet += 1
            continue
        quiet = 0
        n = struct.unpack("!Q", d[:8])[0] if len(d) >= 8 else -1
        if bad is None and n != len(got):
            bad = "expected %d, got %d" % (len(got), n)
        got.append(n)
    with open(out + ".tmp", "w") as f:
        f.write("received %d\n" % len(got))
        f.write("in_order %s\n" % ("yes" if bad is None else "no (first out of order: %s)" % bad))
    import os
    os.rename(out + ".tmp", out)

if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        recv(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
