#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpora of the fuzz targets: tests/fuzz/corpus/{proto,frame,dgram,gso}/.

Run from anywhere: python3 tests/fuzz/gen_corpus.py. The files are committed; rerun
only to change them. Frame layout: see include/vnet/frame.h; datagrams: include/vnet/dgram.h.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

OFFLOAD, PLAIN, KEEPALIVE = 0x01, 0x02, 0x03
F_NEEDS_CSUM, F_DATA_VALID = 0x01, 0x02
GSO_NONE, GSO_TCPV4, GSO_UDP, GSO_TCPV6, GSO_UDP_L4, GSO_ECN = 0, 1, 3, 4, 5, 0x80

MAC_A = bytes.fromhex("02000000000a")
MAC_B = bytes.fromhex("02000000000b")


def hdr(mtype, length):
    return struct.pack(">I", mtype << 24 | length)


def offload(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    return struct.pack(">BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)


def eth_ipv4_tcp(payload_len):
    """Ethernet + IPv4 + TCP headers (54 bytes) and payload_len payload bytes."""
    total = 20 + 20 + payload_len
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    tcp = struct.pack(">HHIIBBHHH", 40000, 5201, 1, 1, 5 << 4, 0x18, 65535, 0, 0)
    return MAC_B + MAC_A + b"\x08\x00" + ip + tcp + bytes((i * 7) & 0xff for i in range(payload_len))


def eth_ipv4_udp(payload_len):
    total = 20 + 8 + payload_len
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 2, 0x4000, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    udp = struct.pack(">HHHH", 40000, 53, 8 + payload_len, 0)
    return MAC_B + MAC_A + b"\x08\x00" + ip + udp + bytes(payload_len)


def arp():
    """A 60-byte (padded) ARP request."""
    body = struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_A, bytes([192, 0, 2, 1]),
                       bytes(6), bytes([192, 0, 2, 2]))
    return b"\xff" * 6 + MAC_A + b"\x08\x06" + body + bytes(18)


def plain(eth):
    return hdr(PLAIN, len(eth)) + eth


def off(eth, *vh):
    return hdr(OFFLOAD, 10 + len(eth)) + offload(*vh) + eth


def frames():
    keep = hdr(KEEPALIVE, 0)
    tcp = eth_ipv4_tcp(1400)                  # 1454-byte frame, 2 segments of 1000
    udp = eth_ipv4_udp(100)
    return {
        "keepalive": keep,
        "plain_arp": plain(arp()),
        # TCPv4 GSO: checksum from the TCP header (34), its checksum field at +16.
        "offload_tcp4_gso": off(tcp, F_NEEDS_CSUM, GSO_TCPV4, 54, 1000, 34, 16),
        "offload_tcp4_gso_ecn": off(tcp, F_NEEDS_CSUM, GSO_TCPV4 | GSO_ECN, 54, 1000, 34, 16),
        "offload_udp_csum": off(udp, F_NEEDS_CSUM, GSO_NONE, 0, 0, 34, 6),
        "offload_udp_l4_gso": off(udp, F_NEEDS_CSUM, GSO_UDP_L4, 42, 50, 34, 6),
        "offload_data_valid": off(arp(), F_DATA_VALID, GSO_NONE, 0, 0, 0, 0),
        "stream_mixed": keep + plain(arp()) + off(udp, F_NEEDS_CSUM, GSO_NONE, 0, 0, 34, 6)
                        + hdr(0x80, 6) + b"future" + keep,
        "optional_type": hdr(0xc1, 3) + b"abc" + keep,
        "truncated": plain(arp())[:30],
        "oversize": hdr(PLAIN, 65793) + bytes(16),
        "unknown_type": hdr(0x05, 4) + b"abcd",
        "bad_csum_offset": off(udp, F_NEEDS_CSUM, GSO_NONE, 0, 0, 34, len(udp)),
        "bad_gso_size": off(tcp, F_NEEDS_CSUM, GSO_TCPV6, 54, 0, 34, 16),
    }


def gso_in(eth, flags, gso_type, gso_size, csum_start, csum_offset, max_frame, max_segs=255):
    """fuzz_gso's input: offload metadata, max_frame - 60, max_segs - 1, an MSS byte, frame."""
    return (offload(flags, gso_type, 0, gso_size, csum_start, csum_offset)
            + struct.pack(">HBB", max_frame - 60, max_segs - 1, 100) + eth)


def eth_ipv6_tcp_vlan(payload_len):
    """802.1Q tag, IPv6, TCP (with timestamps) and payload_len payload bytes."""
    ip = struct.pack(">IHBB16s16s", 0x60000000, 32 + payload_len, 6, 64,
                     bytes.fromhex("fd000000000000000000000000000001"),
                     bytes.fromhex("fd000000000000000000000000000002"))
    tcp = struct.pack(">HHIIBBHHH", 40000, 5201, 1, 1, 8 << 4, 0x10, 65535, 0, 0)
    tcp += b"\x01\x01\x08\x0a" + struct.pack(">II", 1, 2)
    return (MAC_B + MAC_A + b"\x81\x00\x00\x64\x86\xdd" + ip + tcp
            + bytes((i * 7) & 0xff for i in range(payload_len)))


def eth_ipv4_syn():
    """A SYN with MSS 1460, SACK permitted, timestamps, NOP, window scale."""
    opts = bytes([2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7])
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 60, 1, 0x4000, 64, 6, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    tcp = struct.pack(">HHIIBBHHH", 40000, 5201, 1, 0, 10 << 4, 0x02, 65535, 0, 0)
    return MAC_B + MAC_A + b"\x08\x00" + ip + tcp + opts


def gso_inputs():
    tcp = eth_ipv4_tcp(1400)
    return {
        "tcp4_gso": gso_in(tcp, F_NEEDS_CSUM, GSO_TCPV4, 300, 34, 16, 600),
        "tcp4_long": gso_in(tcp, 0, GSO_NONE, 0, 0, 0, 500),
        "tcp4_max_segs": gso_in(tcp, 0, GSO_TCPV4, 256, 0, 0, 1514, 3),
        "tcp6_vlan_gso": gso_in(eth_ipv6_tcp_vlan(1500), F_NEEDS_CSUM, GSO_TCPV6, 400, 78, 16, 1514),
        "udp_l4_gso": gso_in(eth_ipv4_udp(1000), F_NEEDS_CSUM, GSO_UDP_L4, 250, 34, 6, 400),
        "udp_csum": gso_in(eth_ipv4_udp(100), F_NEEDS_CSUM, GSO_NONE, 0, 34, 6, 1514),
        "syn_mss": gso_in(eth_ipv4_syn(), 0, GSO_NONE, 0, 0, 0, 1514),
    }


def requests():
    macs64 = " ".join("02:00:00:00:%02x:%02x" % (i // 256, i % 256 + 1) for i in range(64))
    return {
        "hello": "HELLO s3cret 1.0\n",
        "hello_old_crlf": "hello s3cret 0.9\r\n",
        "hello_usage": "HELLO s3cret\n",
        "session": "HELLO pw 1.0\r\nDEVICES?\nHANDLERS?\nCLOSE 12\nDONE\n",
        "close_bad": "CLOSE 4294967296\n",
        "handle": "HANDLE s3cret LOCAL eth0 REMOTE 192.0.2.7 4455 eth1 "
                  "02:00:00:00:00:0a 02:00:00:00:00:0b\n",
        "handle_v6_dup": "handle pw remote br-lan local 2001:db8::7 00080 tap0 "
                         "02-00-00-00-00-0a 02:00:00:00:00:0A\n",
        "handle_64": "HANDLE pw LOCAL eth0 REMOTE host.example 65535 eth1 " + macs64 + "\n",
        "rhandle": "RHANDLE s3cret REMOTE eth0 LOCAL peer.example 4455 eth1 02:00:00:00:00:0c\n",
        "stats": "HELLO pw 1.0\nSTATS?\nstats? x\n",
        "devinfo": "DEVINFO?\n",
        "instance": "INSTANCE?\n",
        "handle_same_conf": "HANDLE pw LOCAL eth0 LOCAL h 4455 eth1 02:00:00:00:00:0a\n",
        "begin": "\tBEGIN\tremote  tap0 LOCAL eth1 02:00:00:00:00:0a aa:bb:cc:dd:ee:ff \n",
        "begin_bad": "BEGIN LOCAL .. REMOTE eth1 00:00:00:00:00:00\n",
        "begin_pattern": "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a 33:33:00:00:00:00/16 "
                         "01:00:5e:00:00:00/25 33:33:00:00:00:01/16\n",
        "begin_65": "BEGIN LOCAL a REMOTE b " + macs64 + " 02:00:00:00:ff:ff\n",
        "unknown": "FOO bar\n",
        "nul_inside": "HELLO pw\x00 1.0\nDONE\n",
    }


def dgram_hdr(dtype, flags, receiver, counter):
    """The 16 header bytes of a datagram (include/vnet/dgram.h)."""
    return struct.pack(">BBHIQ", dtype, flags, 0, receiver, counter)


def counters(*steps):
    """Replay-window steps for fuzz_dgram: (mode, value) -> 8 bytes each."""
    return b"".join(bytes([mode]) + value.to_bytes(7, "big") for mode, value in steps)


def datagrams():
    frame = bytes.fromhex("0100003600000000000000000000") + eth_ipv4_udp(20)
    tag = bytes(range(16))
    window = 4096
    return {
        "frame": dgram_hdr(1, 1, 7, 5) + frame + tag,
        "probe": dgram_hdr(2, 0, 7, 0) + tag,
        "short": dgram_hdr(1, 0, 7, 1) + tag[:15],
        "bad_flags": dgram_hdr(1, 0x82, 1, 2) + tag,
        "bad_type": dgram_hdr(3, 0, 1, 2) + tag,
        "counter_max": dgram_hdr(2, 1, 0xffffffff, 0xffffffffffffffff) + tag,
        # In order, a duplicate, the window's edge, a jump, near UINT64_MAX.
        "replay_walk": counters((0, 0), (0, 1), (0x80, 1), (1, 5), (2, window - 1),
                                (2, window), (0x82, window + 7), (1, 3 * window),
                                (2, 40), (3, 1), (0x83, 0), (0, 2)),
        "replay_jumps": counters(*[(1, window - 1 + i % 3) for i in range(24)]),
    }


def main():
    for name, data in frames().items():
        write("frame", name, data)
    for name, data in datagrams().items():
        write("dgram", name, data)
    for name, line in requests().items():
        write("proto", name, line.encode("latin-1"))
    for name, data in gso_inputs().items():
        write("gso", name, data)


def write(kind, name, data):
    d = os.path.join(HERE, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    assert len(data) < 2048, name
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
