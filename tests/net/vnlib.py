#!/usr/bin/env python3
"""vnlib - helpers for the vnet network-namespace tests (tests/net/).

Imported by the python checkers the scenarios run through vn_py / vn_py_checks (lib.sh puts this
directory on PYTHONPATH), and run as a program by the capture helpers of lib.sh:

    python3 vnlib.py sendarp IFNAME SRC_MAC SRC_IP TARGET_IP COUNT INTERVAL
    python3 vnlib.py count   IFNAME SECONDS TARGETS READY OUT
    python3 vnlib.py tcpgrep IFNAME SECONDS PORT NEEDLES READY OUT
    python3 vnlib.py marks   IFNAME SECONDS MARKERS READY OUT
    python3 vnlib.py tapsend IFNAME SRC_MAC DST_MAC MARKER plain|ufo COUNT
    python3 vnlib.py silent  ADDR PORT SECONDS

What it offers: TAP-style check lines (ok, done), a raw control-protocol client (Conn, with
login, requests, list answers and framed messages), a few requests every checker asks (query,
count_handlers, stats), a bounded poll (wait_for), ARP frames to build and read, and the one
raw-socket listener (listen), counter (tally) and sender (send_frames) of the scenarios.
The scenarios' own programs and helper modules are in py/ beside this file.
It sends only where the scenario tells it: the addresses inside the test's own namespaces.
"""
import fcntl, os, select, socket, struct, sys, time

FAILS = 0
# The port the scenario's daemons listen on (lib.sh exports PORT).
PORT = int(os.environ.get("PORT", "4455"))

def ok(cond, desc, detail=""):
    """Print an "ok   - desc" or "FAIL - desc: detail" line (counted by vn_py_checks)."""
    global FAILS
    if cond:
        print("ok   - " + desc, flush=True)
    else:
        FAILS += 1
        print("FAIL - " + desc + (": " + detail if detail else ""), flush=True)
    return cond

def done():
    """Exit 1 when a check failed, else 0."""
    sys.exit(1 if FAILS else 0)

def pid_alive(pid):
    """True when process pid exists."""
    try:
        os.kill(int(pid), 0)
        return True
    except OSError:
        return False

def wait_for(probe, good, secs=5.0, step=0.2):
    """Call probe() every step seconds until good(value) holds or secs pass; the last value."""
    end = time.monotonic() + secs
    while True:
        v = probe()
        if good(v) or time.monotonic() > end:
            return v
        time.sleep(step)

class Conn:
    """One TCP connection to a vnet daemon, read with explicit deadlines."""

    def __init__(self, host, port=None, timeout=5.0, source=None):
        """source: the local address to connect from (None: the kernel's choice)."""
        self.s = socket.create_connection((host, port or PORT), timeout=timeout,
                                          source_address=(source, 0) if source else None)
        self.buf = b""
        self.eof = False

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def send(self, data):
        try:
            self.s.sendall(data)
            return True
        except OSError:
            return False

    def line(self, text, eol=b"\n"):
        return self.send(text.encode() + eol)

    def _fill(self, deadline):
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.s], [], [], left)
        if not r:
            return False
        try:
            d = self.s.recv(65536)
        except OSError:
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def readline(self, timeout=5.0):
        """One answer line without its line end; None on EOF or timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if not self._fill(deadline):
                return None
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.rstrip(b"\r").decode(errors="replace")

    def request(self, text, timeout=5.0):
        """Send one request line and return the answer line (None on EOF or timeout)."""
        self.line(text)
        return self.readline(timeout)

    def login(self, password, version="1.0", timeout=5.0):
        """HELLO password version; the answer ("OK 1.0" when accepted)."""
        return self.request("HELLO %s %s" % (password, version), timeout)

    def read_list(self, timeout=5.0):
        """The rest of an "OK head" answer whose first line was read: the count line and as
        many lines; the list of lines, or None when the count is missing or lines are."""
        n = self.readline(timeout)
        if n is None or not n.isdigit():
            return None
        lines = [self.readline(timeout) for _ in range(int(n))]
        return None if None in lines else lines

    def expect_eof(self, timeout=5.0):
        """True when the peer closes within timeout (data before the close is discarded)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if time.monotonic() >= deadline:
                return False
            self.buf = b""
            self._fill(deadline)
        return True

    def recv_exact(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            if not self._fill(deadline):
                return None
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def send_msg(self, mtype, payload=b""):
        return self.send(struct.pack(">I", (mtype << 24) | len(payload)) + payload)

    def recv_msg(self, timeout=5.0):
        """(type, payload) of the next framed message; None on EOF or timeout."""
        deadline = time.monotonic() + timeout
        h = self.recv_exact(4, max(0.0, deadline - time.monotonic()))
        if h is None:
            return None
        v = struct.unpack(">I", h)[0]
        p = self.recv_exact(v & 0xFFFFFF, max(0.0, deadline - time.monotonic()) + 1)
        if p is None:
            return None
        return (v >> 24, p)

def query(host, password, request, head, port=None, timeout=5.0):
    """Log in to host, send request (e.g. "HANDLERS?") and return the lines of its
    "OK head" answer; None when the login, the answer or the connection fails."""
    try:
        c = Conn(host, port or PORT, timeout)
    except OSError:
        return None
    try:
        if c.login(password, timeout=timeout) is None:
            return None
        if c.request(request, timeout) != "OK " + head:
            return None
        return c.read_list(timeout)
    finally:
        c.close()

def peer_begin(host, port, pw, remote, rcvbuf=0):
    """Be a peer daemon: log in to host:port and BEGIN a REMOTE handler of device remote (bytes)
    with the broadcast address on host's eth0; (a non-blocking socket, whether both got OK)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect((host, port))
    f = s.makefile("rb")
    s.sendall(b"HELLO %s 1.0\n" % pw.encode())
    a = f.readline()
    s.sendall(b"BEGIN REMOTE %s LOCAL eth0 ff:ff:ff:ff:ff:ff\n" % remote)
    b = f.readline()
    f.close()
    s.setblocking(False)
    return s, a.strip() == b"OK 1.0" and b.strip() == b"OK"

def accept_one(host, port, ready):
    """Be a daemon's listener: listen on host:port (IPv4), call ready() once listening, and
    return the first connection (within 20 s; 10-second timeouts on it)."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(1)
    ls.settimeout(20)
    ready()
    c, _ = ls.accept()
    ls.close()
    c.settimeout(10)
    return c

def send_blocking(s, data, timeout=5):
    """Send all of data on the non-blocking socket s, waiting up to timeout; False if it failed."""
    s.setblocking(True)
    s.settimeout(timeout)
    try:
        s.sendall(data)
        return True
    except OSError:
        return False
    finally:
        s.setblocking(False)

def count_handlers(host, password):
    """How many handlers HANDLERS? lists on host, or -1."""
    lines = query(host, password, "HANDLERS?", "handlers")
    return -1 if lines is None else len(lines)

def stats(host, password):
    """{id: {field: value}} of host's STATS? ({} when it cannot be asked)."""
    res = {}
    for ln in query(host, password, "STATS?", "stats") or []:
        f = ln.split()
        if f:
            res[f[0]] = dict(x.split("=", 1) for x in f[1:] if "=" in x)
    return res

def mac_bytes(mac):
    """The 6 bytes of a MAC written "02:00:c6:12:00:0a"."""
    return bytes(int(x, 16) for x in mac.split(":"))

def arp_request(src_mac, src_ip, target_ip, dst_mac="ff:ff:ff:ff:ff:ff"):
    """A 60-byte Ethernet frame: the ARP request of src for target_ip."""
    eth = mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x06"
    arp = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + mac_bytes(src_mac) + socket.inet_aton(src_ip) \
        + b"\x00" * 6 + socket.inet_aton(target_ip)
    return eth + arp + b"\x00" * 18

def arp_info(frame):
    """(op, sender_ip, target_ip) of an ARP frame, or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06":
        return None
    op = struct.unpack(">H", frame[20:22])[0]
    return (op, socket.inet_ntoa(frame[28:32]), socket.inet_ntoa(frame[38:42]))

def csum(data):
    """The ones' complement sum of data (16-bit words, folded; not inverted)."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def offload(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    """The 10-byte offload header of a FRAME_OFFLOAD message."""
    return struct.pack(">BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)

def frame_of(msg):
    """The Ethernet frame inside a FRAME (0x02) or FRAME_OFFLOAD (0x01) message."""
    t, p = msg
    if t == 1:
        return p[10:]
    if t == 2:
        return p
    return None

ETH_P_ALL = 0x0003
ETH_P_TEST = 0x88b5     # a local experimental EtherType: no stack answers it

def mac_text(b):
    """"02:00:c6:12:00:0a" for the 6 bytes b."""
    return ":".join("%02x" % x for x in b[:6])

def raw_socket(ifname, proto=None, rcvbuf=0):
    """An AF_PACKET raw socket bound to ifname; it receives the frames of EtherType proto (None:
    none, a socket to send with); rcvbuf: a receive buffer forced to that many bytes."""
    if proto is None:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    else:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, 33, rcvbuf)      # SO_RCVBUFFORCE
    s.bind((ifname, 0))
    return s

def listen(ifname, seconds, ready, proto=ETH_P_ALL, stop=None, quiet=None, outgoing=False,
           rcvbuf=0):
    """The listener: yield each frame of EtherType proto arriving on ifname, for `seconds` at
    most. It creates the file ready once it listens; it ends early when the file stop appears, or
    `quiet` seconds after the last frame (once one came). Frames the device sends are skipped
    unless outgoing."""
    s = raw_socket(ifname, proto, rcvbuf)
    s.settimeout(0.2)
    open(ready, "w").close()
    end, last = time.monotonic() + float(seconds), None
    try:
        while time.monotonic() < end and not (stop and os.path.exists(stop)):
            try:
                f, addr = s.recvfrom(262144)
            except socket.timeout:
                if quiet is not None and last is not None and time.monotonic() - last > quiet:
                    break
                continue
            if addr[2] == socket.PACKET_OUTGOING and not outgoing:
                continue
            last = time.monotonic()
            yield f
    finally:
        s.close()

def tally(frames, key):
    """The counter: {key(frame): how many frames} over frames, leaving out the keys None."""
    n = {}
    for f in frames:
        k = key(f)
        if k is not None:
            n[k] = n.get(k, 0) + 1
    return n

def write_result(out, lines):
    """Write lines (strings) to the file out at once: the shell waits for out to appear."""
    with open(out + ".tmp", "w") as fh:
        fh.write("".join(ln + "\n" for ln in lines))
    os.rename(out + ".tmp", out)

def send_frames(ifname, frames, gap=0.0, every=1):
    """The sender: send the frames on ifname, pausing gap seconds after each `every` frames
    (never after the last); a frame the device cannot take yet is tried again for 0.1 s."""
    s = raw_socket(ifname)
    try:
        for i, f in enumerate(frames):
            for _ in range(100):
                try:
                    s.send(f)
                    break
                except BlockingIOError:
                    time.sleep(0.001)
            if gap and (i + 1) % every == 0 and i + 1 < len(frames):
                time.sleep(gap)
    finally:
        s.close()

def test_frame(dst, src, payload, ethertype=ETH_P_TEST):
    """An Ethernet frame dst <- src (MACs as text) of ethertype carrying payload."""
    return mac_bytes(dst) + mac_bytes(src) + struct.pack(">H", ethertype) + payload

def cmd_sendarp(ifname, src_mac, src_ip, target_ip, count, interval):
    """Send count ARP requests on ifname, interval seconds apart; prints count."""
    send_frames(ifname, [arp_request(src_mac, src_ip, target_ip)] * int(count), float(interval))
    print(count)

def cmd_count(ifname, seconds, targets, ready, out):
    """Count incoming ARP requests for each of the comma-separated target IPs on ifname for
    `seconds`; writes "IP COUNT" lines to out."""
    targets = targets.split(",")

    def target(f):
        a = arp_info(f)
        return a[2] if a and a[0] == 1 and a[2] in targets else None
    n = tally(listen(ifname, seconds, ready), target)
    write_result(out, ["%s %d" % (t, n.get(t, 0)) for t in targets])

def cmd_tcpgrep(ifname, seconds, port, needles, ready, out):
    """Watch the IPv4 TCP segments and UDP datagrams (the datagram path's) to or from `port`
    on ifname for `seconds` (or until the file READY.stop appears); writes
    "segments N", "payload BYTES" and "hits-NEEDLE N" for each comma-separated needle."""
    port = int(port)
    needles = [x for x in needles.split(",") if x]
    segs = nbytes = 0
    hits = dict((n, 0) for n in needles)
    for f in listen(ifname, seconds, ready, stop=ready + ".stop", outgoing=True):
        if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] not in (6, 17):
            continue
        ihl = (f[14] & 15) * 4
        t = 14 + ihl
        sport, dport = struct.unpack(">HH", f[t:t + 4])
        if port not in (sport, dport):
            continue
        payload = f[t + (f[t + 12] >> 4) * 4:] if f[23] == 6 else f[t + 8:]
        if not payload:
            continue
        segs += 1
        nbytes += len(payload)
        for n in needles:
            if n.encode() in payload:
                hits[n] += 1
    write_result(out, ["segments %d" % segs, "payload %d" % nbytes] +
                 ["hits-%s %d" % (n, hits[n]) for n in needles])

def cmd_marks(ifname, seconds, markers, ready, out):
    """Count the frames arriving on ifname for `seconds` (or until READY.stop appears) and those
    that contain each comma-separated marker; writes "frames N" and "MARKER N" lines."""
    markers = [x for x in markers.split(",") if x]
    frames = 0
    hits = dict((m, 0) for m in markers)
    for f in listen(ifname, seconds, ready, stop=ready + ".stop"):
        frames += 1
        for m in markers:
            if m.encode() in f:
                hits[m] += 1
    write_result(out, ["frames %d" % frames] + ["%s %d" % (m, hits[m]) for m in markers])

def cmd_silent(addr, port, seconds):
    """A listener on addr:port that accepts every connection and never says a word, for
    `seconds`."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(8)
    conns, end = [], time.monotonic() + float(seconds)
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if r:
            conns.append(s.accept()[0])

def cmd_tapsend(ifname, src_mac, dst_mac, marker, kind, count):
    """As a guest behind TAP device ifname (made with "ip tuntap add ... vnet_hdr"): write count
    IPv4/UDP frames src_mac -> dst_mac carrying marker, each behind a virtio_net_hdr: kind "plain"
    (no offload, 64 payload bytes) or "ufo" (3000 payload bytes to be cut into 1000-byte UDP
    fragments: VIRTIO_NET_HDR_GSO_UDP, which the kernel cannot describe to a packet socket)."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    try:
        ifr = struct.pack("16sH", ifname.encode(), 0x0002 | 0x1000 | 0x4000)  # TAP, NO_PI, VNET_HDR
        fcntl.ioctl(fd, 0x400454ca, ifr)                                        # TUNSETIFF
        n = 3000 if kind == "ufo" else 64
        payload = (marker.encode() * (n // len(marker) + 1))[:n]
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28 + n, 1, 0, 64, 17, 0,
                         socket.inet_aton("198.18.0.20"), socket.inet_aton("198.18.0.255"))
        frame = mac_bytes(dst_mac) + mac_bytes(src_mac) + b"\x08\x00" + ip + \
            struct.pack(">HHHH", 40000, 5001, 8 + n, 0) + payload
        if kind == "ufo":   # flags NEEDS_CSUM, gso_type UDP, hdr_len, gso_size, csum_start/offset
            vh = struct.pack("<BBHHHH", 1, 3, 42, 1000, 34, 6)
        else:
            vh = bytes(10)
        for _ in range(int(count)):
            os.write(fd, vh + frame)
            time.sleep(0.01)
    finally:
        os.close(fd)

if __name__ == "__main__":
    {"sendarp": cmd_sendarp, "count": cmd_count, "tcpgrep": cmd_tcpgrep,
     "marks": cmd_marks, "tapsend": cmd_tapsend, "silent": cmd_silent}[sys.argv[1]](*sys.argv[2:])
