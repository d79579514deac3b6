#!/usr/bin/env python3
"""tests/net/py/peer_share.py - stalled handlers and an honest one from the same peer address.

  peer HOST PORT PASSWORD N READY STOP OUT [PARTIAL M]
      N connections to the daemon at HOST, each a BEGIN for the broadcast address, that never
      read; one more (the honest link) that reads and counts the frames of ETHERTYPE it gets.
      READY gets "N BAD HONEST_PORT" once all are up. All links send a keepalive every second.
      The count of a burst's frames goes to OUT-TAG when its end frame comes (and, as it goes,
      to OUT-TAG.now every half second). At the PARTIAL file: M more links, each of which
      leaves a message unfinished (64,000 bytes of 65,000), then one idle link that sends 5
      frames the daemon refuses (drop_unlisted); PARTIAL.sent gets its port. It stops at the
      STOP file (at most 120 s).
  send IFNAME SRC_MAC COUNT TAG
      COUNT broadcast frames of ETHERTYPE (1000 bytes), about 2,000 a second, then end frames.
  unlisted HOST PASSWORD PORT COUNT
      Exit 0 when the handler of peer port PORT counts COUNT frames in drop_unlisted (it read
      them), else 1.
  check HOST PASSWORD HONEST_PORT SENT OUTS N
      The honest link received (the counts in the files OUTS, comma-separated, or OUT.now for
      a burst whose end did not come) nearly every one of the SENT frames: the honest handler (found by its peer port in HANDLERS?) forwarded nearly every frame and
      counted each one it did not; the N stalled handlers counted losses in drop_queue.
"""
import os, resource, select, socket, struct, sys, time

from vnlib import peer_begin, send_blocking

ETHERTYPE = 0x88b5
MARK = b"vnet-share:"   # then the burst's tag, ":", and the frame's number or "end"


def put_count(name, n):
    with open(name + ".tmp", "w") as o:
        o.write("%d\n" % n)
    os.rename(name + ".tmp", name)


def partial(host, port, pw, m, socks):
    """m links with a message unfinished each, then an idle one that sends 5 refused frames."""
    unfinished = struct.pack(">I", (2 << 24) | 65000) + b"\1" * 64000
    for i in range(m):
        s, _ = peer_begin(host, port, pw, b"part%d" % i, 0)
        send_blocking(s, unfinished)
        socks.append(s)
    s, _ = peer_begin(host, port, pw, b"idle", 0)
    eth = bytes.fromhex("020000000078" "020000000077") + struct.pack("!H", ETHERTYPE) + b"\0" * 46
    s.setblocking(True)
    s.sendall((struct.pack(">I", (2 << 24) | len(eth)) + eth) * 5)
    s.setblocking(False)
    socks.append(s)
    return s.getsockname()[1]


def peer(host, port, pw, n, ready, stop, out, part=None, m=0):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port, n = int(port), int(n)
    socks, bad = [], 0
    for i in range(n):
        s, good = peer_begin(host, port, pw, b"stall%d" % i, 4096)
        socks.append(s)
        bad += not good
    honest, good = peer_begin(host, port, pw, b"honest", 0)
    bad += not good
    with open(ready + ".tmp", "w") as r:
        r.write("%d %d %d\n" % (len(socks), bad, honest.getsockname()[1]))
    os.rename(ready + ".tmp", ready)
    ka = struct.pack(">I", 3 << 24)
    data, count = b"", {}
    end = time.monotonic() + 120
    next_ka = next_now = 0.0
    while not os.path.exists(stop) and time.monotonic() < end:
        if part and os.path.exists(part) and not os.path.exists(part + ".sent"):
            idle = partial(host, port, pw, int(m), socks)
            put_count(part + ".sent", idle)
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


def unlisted(host, pw, port, count):
    from vnlib import query, stats
    hid = [ln.split()[0] for ln in query(host, pw, "HANDLERS?", "handlers") or []
           if len(ln.split()) > 8 and ln.split()[8] == port]
    st = stats(host, pw)
    got = int(st.get(hid[0], {}).get("drop_unlisted", "0")) if hid else -1
    print("# handler %s (peer port %s): drop_unlisted %d" % (hid, port, got))
    sys.exit(0 if got >= int(count) else 1)


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
    {"peer": peer, "send": send, "check": check, "unlisted": unlisted}[sys.argv[1]](*sys.argv[2:])
