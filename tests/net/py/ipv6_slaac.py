import socket, struct
from vnlib import ok, done
idx = socket.if_nametoindex("eth0")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
# type 134, code 0, checksum (the kernel's), hop limit 64, no flags, router lifetime 0 (not a
# default router), reachable and retransmission times 0; one prefix information option:
# 2001:db8:1::/64, on-link and autonomous, valid 3600 s, preferred 1800 s.
ra = struct.pack(">BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0)
ra += struct.pack(">BBBBIII", 3, 4, 64, 0xC0, 3600, 1800, 0) + socket.inet_pton(socket.AF_INET6, "2001:db8:1::")
n = 0
for _ in range(2):
    n += s.sendto(ra, ("ff02::1", 0, 0, idx)) == len(ra)
ok(n == 2, "h1 sent 2 router advertisements for 2001:db8:1::/64")
done()
