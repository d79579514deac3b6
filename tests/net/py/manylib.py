import os, resource, socket, sys
from vnlib import listen, mac_text, send_frames, tally, test_frame, write_result, ETH_P_TEST
N = 1000
A, PA = os.environ.get("UL_A", ""), os.environ.get("PASS_A", "")   # vn_py's environment
B, PB, P = os.environ.get("UL_B", ""), os.environ.get("PASS_B", ""), int(os.environ.get("PORT", "0"))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
BCAST = "ff:ff:ff:ff:ff:ff"

def mac(i):
    return "02:00:c6:%02x:%02x:01" % (i >> 8, i & 0xff)

class Ctl:
    def __init__(self, host, pw, timeout=20.0):
        self.s = socket.create_connection((host, P), timeout=timeout)
        self.f = self.s.makefile("rb")
        a = self.request("HELLO %s 1.0" % pw)
        assert a == "OK 1.0", a
    def readline(self):
        l = self.f.readline()
        return l.decode().rstrip("\r\n") if l.endswith(b"\n") else None
    def request(self, text):
        self.s.sendall(text.encode() + b"\n")
        return self.readline()
    def listing(self, what):
        self.request(what)
        n = int(self.readline())
        return [self.readline() for _ in range(n)]
    def close(self):
        self.f.close()
        self.s.close()

def by_mac(host, pw):
    """{mac: (id, {counter: value})} of a daemon's handlers, by their first address."""
    c = Ctl(host, pw)
    macs = {}
    for l in c.listing("HANDLERS?"):
        w = l.split()
        macs[w[0]] = w[10].lower()
    out = {}
    for l in c.listing("STATS?"):
        w = l.split()
        out[macs[w[0]]] = (int(w[0]), dict(kv.split("=") for kv in w[1:]))
    c.close()
    return out

def send(ifname, src, dsts):
    frames = [test_frame(d, src, b"vnet-many-%05d" % i + b"\0" * 32) for i, d in enumerate(dsts)]
    send_frames(ifname, frames, 0.01, 50)

def count_frames(ifname, seconds, ready, out):
    """Frames of ETH_P_TEST arriving at ifname for a while: 'dst count' lines in out."""
    seen = tally(listen(ifname, seconds, ready, ETH_P_TEST), lambda f: mac_text(f[:6]))
    write_result(out, ["%s %d" % (d, n) for d, n in seen.items()])

if __name__ == "__main__" and len(sys.argv) > 1:
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], sys.argv[4:] if len(sys.argv) > 4 else
                    [mac(i) for i in range(N)] + [BCAST])
    elif sys.argv[1] == "count":
        count_frames(sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5])
