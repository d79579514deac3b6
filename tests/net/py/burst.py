"""Broadcast bursts of t_stalled.sh: send N frames, or count those that arrive."""
import sys
from vnlib import listen, send_frames, tally, test_frame, write_result, ETH_P_TEST

def send(ifname, src, n):
    frames = [test_frame("ff:ff:ff:ff:ff:ff", src, b"vnet-stall-%06d" % i + b"\0" * 180)
              for i in range(n)]
    send_frames(ifname, frames, 0.005, 100)     # about 20,000 frames/s at most

def count(ifname, ready, stop, out):
    """Frames of ETH_P_TEST arriving at ifname until 3 s pass without one (after the first) or
    stop appears; at most 60 s."""
    n = tally(listen(ifname, 60, ready, ETH_P_TEST, stop=stop, quiet=3, rcvbuf=16 << 20),
              lambda f: "all")
    write_result(out, ["%d" % n.get("all", 0)])

if sys.argv[1] == "send":
    send(sys.argv[2], sys.argv[3], int(sys.argv[4]))
else:
    count(*sys.argv[2:6])
