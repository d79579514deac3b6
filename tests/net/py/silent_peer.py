#!/usr/bin/env python3
# silent_peer.py ADDR PORT HOLD: a TCP peer that accepts one connection and says nothing: it
# holds the connection HOLD seconds, then closes it and exits (at most 30 s after it started
# listening, whether or not anyone came). Writes "listening" on stdout once it listens.
import socket
import sys
import time

addr, port, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(1)
s.settimeout(30)
print("listening", flush=True)
try:
    c, _ = s.accept()
except OSError:
    sys.exit(1)
time.sleep(min(hold, 30))
c.close()
s.close()
