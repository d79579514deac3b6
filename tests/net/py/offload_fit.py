import os, socket, struct, time
from vnlib import Conn, ok, done, mac_bytes, offload, stats, wait_for
B, PB, P = os.environ["UL_B"], os.environ["PASS_B"], int(os.environ["PORT"])
VM, BC, H1_MAC = os.environ["VM_MAC"], os.environ["BCAST"], os.environ["H1_MAC"]
NEEDS_CSUM, TCPV4 = 1, 1

def tcp_frame(marker, size):
    """A TCP/IPv4 frame of size bytes from the VM to h1, its payload the marker repeated."""
    payload = (marker.encode() * size)[:size - 54]
    eth = mac_bytes(H1_MAC) + mac_bytes(VM) + b"\x08\x00"
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + 20 + len(payload), 1, 0x4000, 64, 6, 0,
                     socket.inet_aton("198.18.0.10"), socket.inet_aton("198.18.0.1"))
    tcp = struct.pack(">HHIIBBHHH", 40000, 5001, 1, 1, 5 << 4, 0x18, 65535, 0, 0)
    return eth + ip + tcp + payload

def probe(marker):
    return mac_bytes(H1_MAC) + mac_bytes(VM) + b"\x88\xb5" + marker.encode() * 6

before = stats(B, PB)
p = Conn(B, P)
ok(p.request("HELLO %s 1.0" % PB) == "OK 1.0", "HELLO to B")
ok(p.request("BEGIN REMOTE py0 LOCAL eth0 %s %s" % (VM, BC)) == "OK", "BEGIN -> OK")
ids = wait_for(lambda: [i for i in stats(B, PB) if i not in before], lambda x: len(x) == 1, 5)
ok(ids is not None and len(ids) == 1, "B lists the python peer's handler", repr(ids))
h = ids[0] if ids else None

f = tcp_frame("F-HDRLEN", 1514)
p.send_msg(1, offload(NEEDS_CSUM, TCPV4, 2 * 1460 + 54, 1460, 34, 16) + f)
p.send_msg(1, offload(NEEDS_CSUM, 0, 0, 0, 60, 2000) + probe("F-CSUM"))
f = tcp_frame("F-GOOD1", 1514)
p.send_msg(1, offload(NEEDS_CSUM, 0, 0, 0, 34, 16) + f)
p.send_msg(2, probe("F-AFTER"))
st = wait_for(lambda: stats(B, PB).get(h, {}), lambda s: s.get("in_frames") == "2", 5) or {}
print("# B's STATS? for the peer's handler: %r" % st)
ok(st.get("state") == "up", "B's handler is still up", repr(st.get("state")))
ok(st.get("drop_offload") == "2", "B counts drop_offload=2 (hdr_len, checksum offset)",
   repr(st.get("drop_offload")))
ok(st.get("drop_inject") == "0", "B counts drop_inject=0", repr(st.get("drop_inject")))
p.send_msg(3, b"")                       # a keepalive: the link is still read
time.sleep(0.6)
ok(not p.expect_eof(0.5), "B has not closed the link")
p.close()
done()
