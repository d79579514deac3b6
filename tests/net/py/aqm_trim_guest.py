import os, socket, struct, time
from vnlib import csum, mac_bytes
SOL_PACKET, PACKET_VNET_HDR = 263, 15
MSS, SEGS, FRAMES = 1448, 2, 1200          # 1200 frames of 2950 bytes: about 3.5 MB

src, dst = socket.inet_aton("198.18.0.10"), socket.inet_aton(os.environ["H1_IP"])
eth = mac_bytes(os.environ["H1_MAC"]) + mac_bytes(os.environ["VM_MAC"]) + b"\x08\x00"
payload = b"trimmed-by-aqm!!" * (MSS * SEGS // 16)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
s.bind(("eth0", 0))
sent, end = 0, time.monotonic() + 15
for i in range(FRAMES):
    if time.monotonic() > end:
        break
    tlen = 20 + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + tlen, i & 0xffff, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", 0xffff - csum(ip)) + ip[12:]
    pseudo = csum(src + dst + struct.pack(">HH", 6, tlen))     # the sum a partial checksum starts from
    tcp = struct.pack(">HHIIBBHHH", 40000, 9, 1 + i * len(payload), 1, 5 << 4, 0x10, 65535, pseudo, 0)
    frame = eth + ip + tcp + payload
    # NEEDS_CSUM, TCPV4, hdr_len the whole frame (one linear buffer), gso_size, csum 34+16
    vh = struct.pack("<BBHHHH", 1, 1, len(frame), MSS, 34, 16)
    try:
        s.send(vh + frame)
        sent += 1
    except OSError as e:
        print("# send: %s" % e)
        time.sleep(0.01)
    if i % 16 == 15:
        time.sleep(0.004)                  # about 90 Mbit/s at most: well above the underlay
print("# the guest sent %d super-frames of %d bytes" % (sent, len(frame)))
