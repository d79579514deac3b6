"""Identical TCP frames in a burst, for t_loop_reset.sh.

reset_burst.py send DEV DSTMAC SRCMAC SRCIP DSTIP FLAGS K: K copies of one IPv4 TCP segment from
    SRCIP port 5300 to DSTIP port 40000, no payload, its flags FLAGS (4: a reset, as a host
    sends, without a socket, to every segment of a connection it aborted; 16: an ACK), on DEV.
reset_burst.py count DEV SECS READY OUT: count the TCP segments from port 5300 that arrive on
    DEV for SECS seconds, by flags; touch READY once listening, write "resets N acks M" to OUT.
"""
import socket
import struct
import sys

import vnlib


def segment(dst, src, sip, dip, flags):
    tcp = struct.pack("!HHIIBBHHH", 5300, 40000, 0x5E7A11, 0, 5 << 4, flags, 0, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
                     socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", ~vnlib.csum(ip) & 0xFFFF) + ip[12:]
    pseudo = socket.inet_aton(sip) + socket.inet_aton(dip) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", ~vnlib.csum(pseudo + tcp) & 0xFFFF) + tcp[18:]
    return vnlib.mac_bytes(dst) + vnlib.mac_bytes(src) + b"\x08\x00" + ip + tcp


def send(dev, dst, src, sip, dip, flags, k):
    vnlib.send_frames(dev, [segment(dst, src, sip, dip, int(flags))] * int(k))


def kind(f):
    if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
        return None
    l4 = 14 + (f[14] & 0x0F) * 4
    if len(f) < l4 + 14 or struct.unpack("!H", f[l4:l4 + 2])[0] != 5300:
        return None
    return "resets" if f[l4 + 13] & 0x04 else "acks"


def count(dev, secs, ready, out):
    n = vnlib.tally(vnlib.listen(dev, float(secs), ready), kind)
    vnlib.write_result(out, ["resets %d acks %d" % (n.get("resets", 0), n.get("acks", 0))])


if __name__ == "__main__":
    {"send": send, "count": count}[sys.argv[1]](*sys.argv[2:])
