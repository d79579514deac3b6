#!/usr/bin/env python3
"""tests/net/py/peer_share.py - stalled handlers and an honest one from the same peer address.

  peer HOST PORT PASSWORD N READY STOP OUT
      N connections to the daemon at HOST, each a BEGIN for the broadcast address, that never
      read; one more (the honest link) that reads and counts the frames of ETHERTYPE it gets.
      READY gets "N BAD HONEST_PORT" once all are up. All links send a keepalive every second.
      The count of a burst's frames goes to OUT-TAG when its end frame comes (and, as it goes,
      to OUT-TAG.now every half second). It stops at the STOP file (at most 120 s).
  send IFNAME SRC_MAC COUNT TAG
      COUNT broadcast frames of ETHERTYPE (1000 bytes), about 2,000 a second, then end frames.
  check HOST PASSWORD HONEST_PORT SENT OUTS N
      The honest link received (the counts in the files OUTS, comma-separated, or OUT.now for
      a burst whose end did not come) nearly every one of the SENT frames: the honest handler (found by its peer port in HANDLERS?) forwarded nearly every frame and
      counted each one it did not; the N stalled handlers counted losses in drop_queue.
"""
import os, resource, select, socket, struct, sys, time

ETHERTYPE = 0x88b5
MARK = b"vnet-share:"   # then the burst's tag, ":", and the frame's number or "end"


def begin(host, port, pw, remote, rcvbuf):
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


def put_count(name, n):
    with open(name + ".tmp", "w") as o:
        o.write("%d\n" % n)
    os.rename(name + ".tmp", name)


def peer(host, port, pw, n, ready, stop, out):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port, n = int(port), int(n)
    socks, bad = [], 0
    for i in range(n):
        s, good = begin(host, port, pw, b"stall%d" % i, 4096)
        socks.append(s)
        bad += not good
    honest, good = begin(host, port, pw, b"honest", 0)
    bad += not good
    with open(ready + ".tmp", "w") as r:
        r.write("%d %d %d\n" % (len(socks), bad, honest.getsockname()[1]))
    os.rename(ready + ".tmp", ready)
    ka = struct.pack(">I", 3 << 24)
    data, count = b"", {}
    end = time.monotonic() + 120
    next_ka = next_now = 0.0
    while not os.path.exists(stop) and time.monotonic() < end:
        if time.monotonic() >= next_ka:
            for s in socks + [honest]:
                try:
                    s.send(ka)
                except OSError:
                    pass
            next_ka = time.monotonic() + 1
        if time.monotonic() >= next_now:
            for tag, c in count.items():
                put_count(out + "-" + tag + ".now", c)
            next_now = time.monotonic() + 0.5
        r, _, _ = select.select([honest], [], [], 0.2)
        if not r:
            continue
        try:
            got = honest.recv(1 << 20)
        except BlockingIOError:
            continue
        if not got:
            break
        data += got
        while len(data) >= 4:
            v = struct.unpack(">I", data[:4])[0]
            if len(data) < 4 + (v & 0xFFFFFF):
                break
            msg, data = data[4:4 + (v & 0xFFFFFF)], data[4 + (v & 0xFFFFFF):]
            at = msg.find(MARK) if v >> 24 in (1, 2) else -1
            if at < 0:
                continue
            tag, what = msg[at + len(MARK):].split(b"\0", 1)[0].split(b":")[:2]
            tag = tag.decode()
            if what != b"end":
                count[tag] = count.get(tag, 0) + 1
            elif not os.path.exists(out + "-" + tag):
                put_count(out + "-" + tag, count.get(tag, 0))


def send(ifname, src, count, tag):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    head = b"\xff" * 6 + bytes.fromhex(src.replace(":", "")) + struct.pack("!H", ETHERTYPE)

    def put(payload):
        for _ in range(100):
            try:
                s.send(head + payload + b"\0" * (1000 - len(head) - len(payload)))
                return
            except BlockingIOError:
                time.sleep(0.001)
    for i in range(int(count)):
        put(MARK + b"%s:%06d" % (tag.encode(), i))
        if i % 100 == 99:
            time.sleep(0.05)
    for _ in range(5):
        time.sleep(0.2)
        put(MARK + tag.encode() + b":end")


def check(host, pw, honest_port, sent, out, n):
    from vnlib import ok, query, stats
    sent, n = int(sent), int(n)
    got = 0
    for name in out.split(","):
        if not os.path.exists(name):
            print("# %s: the burst's end frames did not come; its count so far" % name)
            name += ".now"
        try:
            with open(name) as f:
                got += int(f.read())
        except FileNotFoundError:
            pass
    hid = None
    for ln in query(host, pw, "HANDLERS?", "handlers") or []:
        w = ln.split()
        if len(w) > 8 and w[5] == "<->" and w[8] == honest_port:
            hid = w[0]
    st = stats(host, pw)
    if not ok(hid in st, "STATS? lists the honest handler", repr(hid)):
        return
    h = st[hid]
    g = lambda x, k: int(st[x].get(k, "0"))
    print("# honest handler %s: received %d of %d; out_frames=%s drop_queue=%s drop_device=%s" %
          (hid, got, sent, h.get("out_frames"), h.get("drop_queue"), h.get("drop_device")))
    stalled = [x for x in st if x != hid]
    drops = sum(g(x, "drop_queue") for x in stalled)
    print("# stalled handlers: %d, drop_queue %d in all" % (len(stalled), drops))
    ok(len(stalled) == n and drops > 0, "the %d stalled handlers count their losses in drop_queue" % n,
       "%d handlers, drop_queue %d" % (len(stalled), drops))
    ok(got * 100 >= sent * 95, "the honest link beside them received nearly every frame",
       "%d of %d" % (got, sent))
    ok(got + g(hid, "drop_queue") + g(hid, "drop_device") >= sent,
       "the honest handler counted each frame it did not forward",
       "%d received + drop_queue %d + drop_device %d < %d" %
       (got, g(hid, "drop_queue"), g(hid, "drop_device"), sent))


if __name__ == "__main__":
    {"peer": peer, "send": send, "check": check}[sys.argv[1]](*sys.argv[2:])
