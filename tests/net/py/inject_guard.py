import os, socket, struct, time
from vnlib import Conn, ok, done, mac_bytes, offload, stats
B, A = os.environ["UL_B"], os.environ["UL_A"]
PB, PA, P = os.environ["PASS_B"], os.environ["PASS_A"], int(os.environ["PORT"])
VM, BC = os.environ["VM_MAC"], os.environ["BCAST"]
H1_MAC = os.environ["H1_MAC"]
ROGUE = "02:00:c6:12:00:66"       # in no list
GW_IP = "198.18.0.1"              # h1: "the gateway"
VM_IP = "198.18.0.10"

def peer(host, password, begin):
    p = Conn(host, P)
    a = p.request("HELLO %s 1.0" % password)
    ok(a == "OK 1.0", "HELLO to %s" % host, repr(a))
    a = p.request("BEGIN " + begin)
    ok(a == "OK", "BEGIN %s -> OK" % begin, repr(a))
    return p

def new_handler(host, password, before):
    """The id of the handler that appeared since the STATS? snapshot `before`."""
    end = time.monotonic() + 5
    while time.monotonic() < end:
        ids = [i for i in stats(host, password) if i not in before]
        if ids:
            return ids[0]
        time.sleep(0.2)
    return None

def arp_reply(src_mac, claim_ip, marker, dst_mac=BC, vlan=None):
    """An ARP reply 'claim_ip is at src_mac', padded with a marker."""
    eth = mac_bytes(dst_mac) + mac_bytes(src_mac)
    if vlan is not None:
        eth += struct.pack(">HH", 0x8100, vlan)
    eth += b"\x08\x06"
    arp = struct.pack(">HHBBH", 1, 0x0800, 6, 4, 2) + mac_bytes(src_mac) + socket.inet_aton(claim_ip) \
        + mac_bytes(dst_mac) + socket.inet_aton(claim_ip)
    return eth + arp + marker.encode() + b"\0" * 10

def probe(dst, src, marker):
    """A small frame of a local experimental EtherType carrying a marker."""
    return mac_bytes(dst) + mac_bytes(src) + b"\x88\xb5" + (marker.encode() * 6)

def ipv4(proto, payload_len, src=VM_IP, dst=GW_IP):
    tot = 20 + payload_len
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, min(tot, 0xFFFF), 1, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h

def tcp_frame(payload):
    eth = mac_bytes(H1_MAC) + mac_bytes(VM) + b"\x08\x00"
    tcp = struct.pack(">HHIIBBHHH", 40000, 5001, 1, 1, 5 << 4, 0x18, 65535, 0, 0)
    return eth + ipv4(6, 20 + len(payload)) + tcp + payload

def udp_frame(payload):
    eth = mac_bytes(H1_MAC) + mac_bytes(VM) + b"\x08\x00"
    udp = struct.pack(">HHHH", 40000, 5001, 8 + len(payload), 0)
    return eth + ipv4(17, 8 + len(payload)) + udp + payload

def tx_packets():
    with open("/sys/class/net/eth0/statistics/tx_packets") as f:
        return int(f.read())

def settle():
    """eth0's tx_packets once it has not moved for 0.5 s (at most 10 s)."""
    end = time.monotonic() + 10
    last, still = tx_packets(), 0
    while time.monotonic() < end and still < 5:
        time.sleep(0.1)
        now = tx_packets()
        still = still + 1 if now == last else 0
        last = now
    return last

FENCE = 0
def packets_of(p, mtype, payload):
    """Send one message, then a fence frame (one packet): the packets eth0 sent for the message."""
    global FENCE
    FENCE += 1
    t0 = settle()
    p.send_msg(mtype, payload)
    p.send_msg(2, probe(H1_MAC, VM, "FENCE%03d" % FENCE))
    return settle() - t0 - 1

print("# B is LOCAL on eth0 with the example scenario's list {VM, broadcast}: it injects listed sources only")
before_b = stats(B, PB)
pb = peer(B, PB, "REMOTE py0 LOCAL eth0 %s %s" % (VM, BC))
hb = new_handler(B, PB, before_b)
ok(hb is not None, "B lists the python peer's handler in STATS?")
pb.send_msg(2, arp_reply(ROGUE, GW_IP, "L-UNLIST"))
pb.send_msg(2, arp_reply(VM, GW_IP, "L-LISTED"))
pb.send_msg(2, arp_reply(ROGUE, GW_IP, "L-VLANUN", vlan=42))
pb.send_msg(2, arp_reply(VM, GW_IP, "L-VLANOK", vlan=42))

print("# offload metadata: refused or bounded on a device without TSO/GSO")
NEEDS_CSUM, TCPV4, UDP = 1, 1, 3
f = tcp_frame(b"\xa5" * 64000)
n = packets_of(pb, 1, offload(NEEDS_CSUM, TCPV4, 54, 1, 34, 16) + f)
print("# a %d-byte TCP frame with gso_size 1: %d packets on eth0" % (len(f), n))
ok(n == 0, "a 64 KB TCP frame with gso_size 1 is not injected (%d packets)" % n)
f = udp_frame(b"\x5a" * 3000)
n = packets_of(pb, 1, offload(NEEDS_CSUM, UDP, 42, 1, 34, 6) + f)
print("# a %d-byte UFO frame with gso_size 1: %d packets on eth0" % (len(f), n))
ok(n == 0, "a UFO frame is not injected (%d packets)" % n)
f = udp_frame(b"\x5a" * 3000)
n = packets_of(pb, 1, offload(NEEDS_CSUM, TCPV4, 42, 1448, 34, 6) + f)
ok(n == 0, "a UDP frame announced as TCP segmentation is not injected (%d packets)" % n)
f = tcp_frame(b"L-GOOD-G" * (1448 * 10 // 8))
n = packets_of(pb, 1, offload(NEEDS_CSUM, TCPV4, 54, 1448, 34, 16) + f)
ok(n == 10, "a TCP frame of 10 x 1448 bytes with gso_size 1448 goes out as 10 packets (%d)" % n)
pb.send_msg(2, probe(H1_MAC, VM, "L-AFTER"))
time.sleep(1)
st = stats(B, PB).get(hb, {})
print("# B's STATS? for the peer's handler: %r" % st)
ok(st.get("state") == "up", "B's handler is still up after the refused frames", repr(st.get("state")))
ok(st.get("drop_unlisted") == "2", "B counts drop_unlisted=2 (unlisted source, tagged or not)", repr(st.get("drop_unlisted")))
ok(st.get("drop_offload") == "3", "B counts drop_offload=3 (gso_size 1, UFO, TCP type on UDP)", repr(st.get("drop_offload")))
ok(st.get("drop_inject") == "0", "B counts drop_inject=0", repr(st.get("drop_inject")))
pb.close()

print("# A is REMOTE on vmnet1: it injects listed destinations only")
before_a = stats(A, PA)
pa = peer(A, PA, "LOCAL py1 REMOTE vmnet1 %s" % VM)
ha = new_handler(A, PA, before_a)
ok(ha is not None, "A lists the first python peer's handler in STATS?")
pa.send_msg(2, probe(ROGUE, H1_MAC, "R-UNLIST"))
pa.send_msg(2, probe(VM, H1_MAC, "R-LISTED"))
pa.send_msg(2, probe(BC, H1_MAC, "R-BCAST1"))
pa.send_msg(2, probe("01:00:5e:00:00:01", H1_MAC, "R-MCAST"))
before_a = stats(A, PA)
pa2 = peer(A, PA, "LOCAL py2 REMOTE vmnet1 %s %s" % (VM, BC))
ha2 = new_handler(A, PA, before_a)
ok(ha2 is not None, "A lists the second python peer's handler (broadcast listed)")
pa2.send_msg(2, probe(BC, H1_MAC, "R-BCAST2"))
time.sleep(1)
all_a = stats(A, PA)
st = all_a.get(ha, {})
print("# A's STATS? for the first peer's handler: %r" % st)
ok(st.get("state") == "up", "A's handler is up", repr(st.get("state")))
ok(st.get("drop_unlisted") == "3", "A counts drop_unlisted=3 (unlisted unicast, broadcast, multicast)", repr(st.get("drop_unlisted")))
ok(st.get("drop_offload") == "0", "A counts drop_offload=0", repr(st.get("drop_offload")))
ok(all_a.get(ha2, {}).get("drop_unlisted") == "0", "A's second handler refused nothing",
   repr(all_a.get(ha2, {})))
pa.close()
pa2.close()
done()
