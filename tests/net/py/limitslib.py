import os, resource, socket, time
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
