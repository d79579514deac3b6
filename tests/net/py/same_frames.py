"""Identical raw frames for t_udp_loopburst.sh (ethertype 0x88b5, a local experimental one).

same_frames.py send DEV DSTMAC SRCMAC K: K copies of one 60-byte frame on DEV (bounded by K).
same_frames.py recv DEV SECS READY OUT: count the copies seen on DEV for SECS seconds; touch
READY once listening, write "got N" to OUT at the end.
"""
import socket
import sys
import time

MARK = b"VNET-SAME-FRAME"


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def main():
    if sys.argv[1] == "send":
        dev, dst, src, k = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((dev, 0))
        f = mac(dst) + mac(src) + b"\x88\xb5" + MARK.ljust(46, b"x")
        for _ in range(k):
            s.send(f)
        return
    dev, secs, ready, out = sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
    s.bind((dev, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    n, end = 0, time.time() + secs
    while time.time() < end:
        try:
            if MARK in s.recv(2048):
                n += 1
        except socket.timeout:
            pass
    with open(out, "w") as o:
        o.write("got %d\n" % n)


main()
