#!/usr/bin/env bash
# Offload metadata that does not fit its frame costs the frame, not the link. A python peer in gB
# speaks BEGIN to daemon B (LOCAL on eth0, the example scenario's list {VM, broadcast}) and sends:
#  - a 1514-byte TCP frame that says it is a super-frame whose headers are 2974 bytes long (what
#    a two-segment frame cut short by the queue-delay control carried when hdr_len stayed behind);
#  - a frame whose partial checksum lies past its end;
#  - then the same TCP frame with metadata that fits (one segment, partial checksum), and a plain
#    frame.
# B refuses the first two (drop_offload=2, the first logged), keeps the link up and injects the
# last two: they reach the LAN port of gB (p-gB in ns lan).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

MARKERS=(F-HDRLEN F-CSUM F-GOOD1 F-AFTER)
vn_marks_start lan p-gB lan "${MARKERS[@]}"

vn_section "frames whose offload metadata does not fit them, from a python peer"
vn_py_checks gB <<'PYEOF'
import os, socket, struct, time
from vnlib import Conn, ok, done, mac_bytes, stats, wait_for
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

def offload(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset):
    return struct.pack(">BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)

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
PYEOF

sleep 0.5
vn_section "what reached the LAN"
lan() { vn_wiretap_get lan "$1"; }
lan frames >/dev/null
vn_log "LAN port of gB: $(tr '\n' ' ' <"$VN_TMP/wire-lan" 2>/dev/null)"
vn_eq "LAN: the frame with hdr_len beyond its end is not seen" 0 "$(lan F-HDRLEN)"
vn_eq "LAN: the frame with its checksum past its end is not seen" 0 "$(lan F-CSUM)"
vn_eq "LAN: the same TCP frame with metadata that fits is seen once" 1 "$(lan F-GOOD1)"
vn_eq "LAN: the plain frame sent after them is seen once" 1 "$(lan F-AFTER)"

vn_section "the log"
vn_eq "B logs the first refused frame, with its reason" 1 \
    "$(grep -c 'refused a 1514-byte frame from the peer.*header length beyond the frame' "$VN_TMP/vnet-B.log")"
vn_eq "B logs no protocol error" 0 "$(grep -c 'protocol error' "$VN_TMP/vnet-B.log")"
vn_finish
