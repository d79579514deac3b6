"""Frames between the two sites of t_engine.sh: send one frame per "DST SRC" line of a file, or
count the frames that arrive by (destination, source)."""
import sys
from vnlib import listen, mac_text, send_frames, tally, test_frame, write_result, ETH_P_TEST

def send(ifname, pairs):
    """Send one frame for each "DST SRC" line of the file pairs."""
    frames = [test_frame(*line.split(), payload=b"vnet-engine".ljust(46, b"."))
              for line in open(pairs)]
    send_frames(ifname, frames, 0.002)

def count(ifname, seconds, ready, out):
    """Count the frames of ETH_P_TEST received on ifname for `seconds`: "DST SRC N" lines."""
    n = tally(listen(ifname, seconds, ready, ETH_P_TEST),
              lambda f: mac_text(f[0:6]) + " " + mac_text(f[6:12]))
    write_result(out, ["%s %d" % (k, v) for k, v in sorted(n.items())])

{"send": send, "count": count}[sys.argv[1]](*sys.argv[2:])
