"""A guest's rogue frames and their watcher on the home LAN (t_guard.sh), raw AF_PACKET sockets.

  guard_frames.py ra IFNAME SRC_MAC COUNT
      send COUNT IPv6 router advertisements (to ff02::1, prefix 2001:db8:66::/64), 0.1 s apart
  guard_frames.py flood IFNAME SRC_MAC COUNT SECONDS MARKER
      send COUNT broadcast frames (EtherType 0x88b5, MARKER and a serial number), evenly over
      SECONDS; prints "sent N" and "seconds S"
  guard_frames.py watch IFNAME SRC_MAC MARKER SECONDS READY OUT
      count, until READY.stop appears or SECONDS pass, the frames from SRC_MAC arriving on IFNAME:
      "dhcp N" (IPv4 UDP 67 -> 68), "ra N" (ICMPv6 type 134), "flood N" (holding MARKER) and
      "span S" (seconds from the first MARKER frame to the last)
"""
import socket, struct, sys, time
from vnlib import csum, listen, mac_bytes, raw_socket, send_frames, write_result

ETH_P_IPV6 = 0x86dd


def router_advert(src_mac):
    """An RA from fe80::ff:fe00:1 to ff02::1: hop limit 255, router lifetime 1800 s, one prefix
    information option (2001:db8:66::/64, on-link and autonomous)."""
    src = socket.inet_pton(socket.AF_INET6, "fe80::ff:fe00:1")
    dst = socket.inet_pton(socket.AF_INET6, "ff02::1")
    body = struct.pack(">BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    body += struct.pack(">BBBBIII", 3, 4, 64, 0xC0, 3600, 1800, 0) + \
        socket.inet_pton(socket.AF_INET6, "2001:db8:66::")
    body += struct.pack(">BB", 1, 1) + mac_bytes(src_mac)     # source link-layer address
    pseudo = src + dst + struct.pack(">IxxxB", len(body), 58)
    body = body[:2] + struct.pack(">H", ~csum(pseudo + body) & 0xffff) + body[4:]
    ip6 = struct.pack(">IHBB", 0x60000000, len(body), 58, 255) + src + dst
    return mac_bytes("33:33:00:00:00:01") + mac_bytes(src_mac) + struct.pack(">H", ETH_P_IPV6) + \
        ip6 + body


def cmd_ra(ifname, src_mac, count):
    send_frames(ifname, [router_advert(src_mac)] * int(count), 0.1)
    print("sent %s" % count)


def cmd_flood(ifname, src_mac, count, seconds, marker):
    count, seconds = int(count), float(seconds)
    head = mac_bytes("ff:ff:ff:ff:ff:ff") + mac_bytes(src_mac) + b"\x88\xb5" + marker.encode()
    s = raw_socket(ifname)
    sent, t0 = 0, time.monotonic()
    try:
        while sent < count and time.monotonic() - t0 < seconds + 2:
            # Evenly: as many as are due by now, in batches, then a short sleep.
            due = min(count, int((time.monotonic() - t0) / seconds * count) + 1)
            while sent < due:
                f = head + struct.pack(">I", sent)
                try:
                    s.send(f + bytes(max(0, 60 - len(f))))
                except BlockingIOError:
                    break
                sent += 1
            time.sleep(0.002)
    finally:
        s.close()
    print("sent %d" % sent)
    print("seconds %.2f" % (time.monotonic() - t0))


def cmd_watch(ifname, src_mac, marker, seconds, ready, out):
    src, mark = mac_bytes(src_mac), marker.encode()
    n = {"dhcp": 0, "ra": 0, "flood": 0}
    first = last = None
    for f in listen(ifname, seconds, ready, stop=ready + ".stop", rcvbuf=16 << 20):
        if f[6:12] != src:
            continue
        if mark in f:
            n["flood"] += 1
            last = time.monotonic()
            first = first or last
        elif f[12:14] == b"\x08\x00" and len(f) >= 14 + 20 + 4 and f[14 + 9] == 17:
            udp = 14 + (f[14] & 15) * 4
            if f[udp:udp + 4] == struct.pack(">HH", 67, 68):
                n["dhcp"] += 1
        elif f[12:14] == b"\x86\xdd" and len(f) > 54 and f[20] == 58 and f[54] == 134:
            n["ra"] += 1
    write_result(out, ["%s %d" % (k, v) for k, v in sorted(n.items())] +
                 ["span %.2f" % ((last - first) if first else 0)])


if __name__ == "__main__":
    {"ra": cmd_ra, "flood": cmd_flood, "watch": cmd_watch}[sys.argv[1]](*sys.argv[2:])
