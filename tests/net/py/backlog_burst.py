import socket, sys
ip, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)       # SO_SNDBUFFORCE
for i in range(n):
    s.sendto(i.to_bytes(4, "big") * (size // 4), (ip, port))
