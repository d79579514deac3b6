"""The datagram path seen from the underlay: catch, count and forge UDP datagrams (dgram.h).

  capture DEV DST PORT SECONDS OUT [MIN]
                                     the first frame datagram (type 1) to DST:PORT that DEV sees
                                     (with a counter of at least MIN), as hex, into OUT (OUT.ready
                                     once listening; nothing if none)
  count DEV SECONDS OUT              the UDP datagrams DEV sees either way, into OUT (ends early
                                     when OUT.stop appears)
  synmss DEV SECONDS OUT             the MSS option of each TCP SYN arriving on DEV, a line each,
                                     into OUT (ends early when OUT.stop appears)
  random DST PORT N                  N datagrams of random bytes, 1-200 bytes long
  unknown DST PORT N                 N well-formed headers with receiver index 0xfffffff0
  forge DST PORT INDEX N             N well-formed frame headers for receiver INDEX, random body
                                     and tag
  replay DST PORT HEX N              the datagram HEX sent N times
  trunc DST PORT HEX [fresh]         its first 0, 1, ... 40 bytes, and all but its last byte; with
                                     fresh, counter + 1000000 (a counter never seen)
  reindex HEX INDEX                  print HEX with its receiver index replaced
Each sends from a new UDP socket and prints what it sent."""
import os, socket, struct, sys, time

import vnlib

def udp_of(frame):
    """(src ip, dst ip, sport, dport, payload) of an IPv4/IPv6 UDP frame, else None."""
    et, off = struct.unpack(">H", frame[12:14])[0], 14
    while et in (0x8100, 0x88a8) and len(frame) >= off + 4:
        et, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(frame) >= off + 20 and frame[off + 9] == 17:
        ihl = (frame[off] & 15) * 4
        src, dst = socket.inet_ntop(socket.AF_INET, frame[off + 12:off + 16]), \
            socket.inet_ntop(socket.AF_INET, frame[off + 16:off + 20])
        u = off + ihl
    elif et == 0x86DD and len(frame) >= off + 40 and frame[off + 6] == 17:
        src, dst = socket.inet_ntop(socket.AF_INET6, frame[off + 8:off + 24]), \
            socket.inet_ntop(socket.AF_INET6, frame[off + 24:off + 40])
        u = off + 40
    else:
        return None
    if len(frame) < u + 8:
        return None
    sport, dport, ulen = struct.unpack(">HHH", frame[u:u + 6])
    return src, dst, sport, dport, frame[u + 8:u + ulen]

def syn_mss(frame):
    """The MSS option of an untagged IPv4 TCP SYN, else None (0: a SYN without it)."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    t = 14 + (frame[14] & 15) * 4
    if len(frame) < t + 20 or not frame[t + 13] & 0x02:
        return None
    o, end = t + 20, min(len(frame), t + (frame[t + 12] >> 4) * 4)
    while o < end and frame[o] != 0:
        if frame[o] == 1:
            o += 1
            continue
        if o + 1 >= end or frame[o + 1] < 2:
            break
        if frame[o] == 2 and frame[o + 1] == 4 and o + 4 <= end:
            return struct.unpack(">H", frame[o + 2:o + 4])[0]
        o += frame[o + 1]
    return 0

def sender(dst):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    return socket.socket(fam, socket.SOCK_DGRAM)

def header(typ, flags, index, counter):
    return struct.pack(">BBHIQ", typ, flags, 0, index, counter)

def send_all(dst, port, datagrams, what):
    s = sender(dst)
    for d in datagrams:
        s.sendto(d, (dst, port))
        time.sleep(0.002)
    s.close()
    print("sent %d %s to %s port %d" % (len(datagrams), what, dst, port))

def main(a):
    cmd = a[0]
    if cmd == "capture":
        dev, dst, port, secs, out = a[1], a[2], int(a[3]), a[4], a[5]
        least = int(a[6]) if len(a) > 6 else 0
        for f in vnlib.listen(dev, secs, out + ".ready", outgoing=True):
            u = udp_of(f)
            if u and u[1] == dst and u[3] == port and len(u[4]) > 32 and u[4][0] == 1 and \
                    struct.unpack(">Q", u[4][8:16])[0] >= least:
                with open(out + ".tmp", "w") as fo:
                    fo.write(u[4].hex() + "\n")
                os.rename(out + ".tmp", out)
                return 0
        return 1
    if cmd == "count":
        dev, secs, out = a[1], a[2], a[3]
        n = sum(1 for f in vnlib.listen(dev, secs, out + ".ready", stop=out + ".stop",
                                        outgoing=True) if udp_of(f))
        with open(out + ".tmp", "w") as fo:
            fo.write("%d\n" % n)
        os.rename(out + ".tmp", out)
        return 0
    if cmd == "synmss":
        dev, secs, out = a[1], a[2], a[3]
        lines = []
        for f in vnlib.listen(dev, secs, out + ".ready", stop=out + ".stop"):
            m = syn_mss(f)
            if m is not None:
                lines.append("%d\n" % m)
        with open(out + ".tmp", "w") as fo:
            fo.write("".join(lines))
        os.rename(out + ".tmp", out)
        return 0
    if cmd == "reindex":
        d = bytearray.fromhex(a[1])
        d[4:8] = struct.pack(">I", int(a[2]))
        print(d.hex())
        return 0
    dst, port = a[1], int(a[2])
    if cmd == "random":
        n = int(a[3])
        send_all(dst, port, [os.urandom(1 + i * 199 // max(1, n - 1)) for i in range(n)],
                 "datagrams of random bytes")
    elif cmd == "unknown":
        send_all(dst, port, [header(1, 1, 0xFFFFFFF0, 1 << 40 | i) + os.urandom(80)
                             for i in range(int(a[3]))], "datagrams for an unknown receiver")
    elif cmd == "forge":
        index, n = int(a[3]), int(a[4])
        send_all(dst, port, [header(1 + i % 2, 1, index, (1 << 40) + i) +
                             os.urandom(0 if i % 2 else 20 + i * 7 % 180) + os.urandom(16)
                             for i in range(n)], "forged datagrams for receiver %d" % index)
    elif cmd == "replay":
        d = bytes.fromhex(a[3])
        send_all(dst, port, [d] * int(a[4]), "copies of a captured datagram")
    elif cmd == "trunc":
        d = bytearray.fromhex(a[3])
        if len(a) > 4 and a[4] == "fresh":
            c = struct.unpack(">Q", bytes(d[8:16]))[0]
            d[8:16] = struct.pack(">Q", c + 1000000)
        cuts = [bytes(d[:n]) for n in range(0, 41)] + [bytes(d[:-1])]
        send_all(dst, port, cuts, "truncated copies (0-40 bytes and %d)" % (len(d) - 1))
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 2
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
