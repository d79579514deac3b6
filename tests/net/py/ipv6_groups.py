import socket
from vnlib import ok, done, mac_bytes
import os
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
src = mac_bytes(os.environ["H1_MAC"])
for dst, marker in (("33:33:00:00:00:fb", "V6-GROUP"), ("01:00:5e:00:00:fb", "V4-GROUP")):
    s.send(mac_bytes(dst) + src + b"\x88\xb5" + marker.encode() * 8)
ok(True, "h1 sent a frame to 33:33:00:00:00:fb and one to 01:00:5e:00:00:fb")
done()
