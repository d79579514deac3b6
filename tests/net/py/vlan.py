"""Send and receive tagged frames on a device (raw AF_PACKET sockets)."""
import os, socket, struct, sys, time
from vnlib import csum, mac_bytes

SOL_PACKET, PACKET_AUXDATA, PACKET_VNET_HDR = 263, 8, 15
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 1 << 4, 1 << 6
ETH_P_ALL = 3

def listen(ifname, seconds, marker, ready, out):
    """Write a line for each frame arriving on ifname that holds marker:
    TPID TCI ETHERTYPE LENGTH FLAGS CSUM_START GSO_TYPE GSO_SIZE (the tag from the metadata or,
    if the kernel left it there, from the bytes: TPID 'inline-8100')."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((ifname, 0))
    s.settimeout(0.2)
    open(ready, "w").close()
    lines = []
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end and not os.path.exists(ready + ".stop"):
        try:
            data, anc, _, addr = s.recvmsg(262144, socket.CMSG_SPACE(32))
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or marker.encode() not in data:
            continue
        flags, gso_type, hdr_len, gso_size, cstart, coff = struct.unpack("=BBHHHH", data[:10])
        f = data[10:]
        tpid, tci = "none", "-"
        for level, kind, d in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                st, _, _, _, _, vtci, vtpid = struct.unpack("=IIIHHHH", d[:20])
                if st & TP_STATUS_VLAN_VALID:
                    tpid = "%04x" % (vtpid if st & TP_STATUS_VLAN_TPID_VALID else 0x8100)
                    tci = "%04x" % vtci
        etype = struct.unpack(">H", f[12:14])[0]
        if etype in (0x8100, 0x88a8) and tpid == "none":
            tpid, tci = "inline-%04x" % etype, "%04x" % struct.unpack(">H", f[14:16])[0]
            etype = struct.unpack(">H", f[16:18])[0]
        lines.append("%s %s %04x %d %d %d %d %d" % (tpid, tci, etype, len(f), flags, cstart,
                                                 gso_type, gso_size))
    with open(out + ".tmp", "w") as fh:
        fh.write("".join(l + "\n" for l in lines))
    os.rename(out + ".tmp", out)

def send(ifname, dst, src, tpid, tci, marker, size="100"):
    """One frame, tagged (TPID tpid, TCI tci, both hex; tpid 0: untagged), EtherType 0x88b5."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    f = mac_bytes(dst) + mac_bytes(src)
    if int(tpid, 16):
        f += struct.pack(">HH", int(tpid, 16), int(tci, 16))
    f += b"\x88\xb5" + marker.encode()
    f += bytes(range(256)) * 40
    f = f[:int(size)]
    s.send(f)

def sendgso(ifname, dst, src, sip, dip, tci, marker):
    """A tagged IPv4 TCP super-frame: 3 segments of 1000 bytes, partial checksum."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((ifname, 0))
    payload = (marker.encode() + bytes(range(256)) * 12)[:3000]
    tcp = struct.pack(">HHIIBBHHH", 40000, 5001, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0x4000, 64, 6,
                     0, socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack(">H", 0xFFFF - csum(ip)) + ip[12:]
    pseudo = socket.inet_aton(sip) + socket.inet_aton(dip) + struct.pack(">BBH", 0, 6,
                                                                        len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack(">H", csum(pseudo)) + tcp[18:]   # partial: pseudo-header only
    eth = mac_bytes(dst) + mac_bytes(src) + struct.pack(">HH", 0x8100, int(tci, 16)) + b"\x08\x00"
    l4 = len(eth) + 20
    vh = struct.pack("=BBHHHH", 1, 1, l4 + 20, 1000, l4, 16)   # NEEDS_CSUM, TCPV4
    s.send(vh + eth + ip + tcp + payload)

if __name__ == "__main__":
    {"listen": listen, "send": send, "sendgso": sendgso}[sys.argv[1]](*sys.argv[2:])
