# gso_recv.py ADDR PORT COUNT READY RESULT - receive up to COUNT UDP datagrams on ADDR:PORT
# (t_gso_kernel.sh) for at most 10 s and write "got N asexpected M" to RESULT: N datagrams, M
# of them one of the datagrams gso_send.c cuts from its UDP super-frame (the same bytes; payload
# byte n of the super-frame is (n * 7 + n // 251) & 0xff, 1000 bytes a datagram, 19500 in all).
import os
import socket
import sys
import time

addr, port, count, ready, result = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
whole = bytes((n * 7 + n // 251) & 0xff for n in range(19500))
expected = [whole[i:i + 1000] for i in range(0, len(whole), 1000)]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
open(ready, "w").close()
got = matched = 0
end = time.monotonic() + 10
while got < count and time.monotonic() < end:
    s.settimeout(max(0.05, end - time.monotonic()))
    try:
        data = s.recv(65536)
    except socket.timeout:
        break
    got += 1
    if data in expected:
        expected.remove(data)
        matched += 1
with open(result + ".tmp", "w") as f:
    f.write("got %d asexpected %d\n" % (got, matched))
os.rename(result + ".tmp", result)
