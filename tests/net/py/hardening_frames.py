import os, struct
from vnlib import Conn, ok, done, arp_request, count_handlers, wait_for
from hardlib import good
A, PA, P, PID = os.environ["UL_A"], os.environ["PASS_A"], int(os.environ["PORT"]), os.environ["DPID_A"]
VM = os.environ["VM_MAC"]
frame = arp_request(VM, "198.18.0.10", "198.18.0.1")

def forged(desc, payload):
    p = Conn(A, P)
    a = p.request("HELLO %s 1.0" % PA)
    ok(a == "OK 1.0", "HELLO to A", repr(a))
    a = p.request("BEGIN LOCAL x REMOTE vmnet1 " + VM)
    ok(a == "OK", "BEGIN LOCAL x REMOTE vmnet1 MAC -> OK", repr(a))
    n = wait_for(lambda: count_handlers(A, PA), lambda n: n == 1, 3)
    ok(n == 1, "A lists the forged peer's handler", repr(n))
    p.send(payload)
    ok(p.expect_eof(5), "%s: A closes the link" % desc)
    p.close()
    n = wait_for(lambda: count_handlers(A, PA), lambda n: n == 0, 5)
    ok(n == 0, "%s: A's HANDLERS? count returns to 0" % desc, repr(n))
    good(A, PA, PID, desc)

forged("a FRAME_OFFLOAD header with length 0xffffff", struct.pack(">I", (0x01 << 24) | 0xFFFFFF) + b"\0" * 1000)
forged("a FRAME header with length 0xffffff", struct.pack(">I", (0x02 << 24) | 0xFFFFFF) + b"\0" * 1000)
forged("a FRAME_OFFLOAD shorter than its 10-byte offload header",
       struct.pack(">I", (0x01 << 24) | 8) + b"\0" * 8)
forged("a FRAME_OFFLOAD whose offload flags are 0xff",
       struct.pack(">I", (0x01 << 24) | (10 + len(frame))) + bytes([0xFF]) + b"\0" * 9 + frame)
forged("a FRAME_OFFLOAD with an unknown segmentation type 0x42",
       struct.pack(">I", (0x01 << 24) | (10 + len(frame))) + bytes([0, 0x42]) + struct.pack(">HHHH", 14, 1000, 0, 0) + frame)
# Offsets that do not fit the frame cost the frame only (t_offload_fit.sh).
done()
