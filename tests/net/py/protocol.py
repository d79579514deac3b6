import os, re, time
from vnlib import Conn, ok, done, arp_request, arp_info, frame_of, mac_bytes, query, wait_for
B, A = os.environ["UL_B"], os.environ["UL_A"]
PB, PA, P = os.environ["PASS_B"], os.environ["PASS_A"], int(os.environ["PORT"])
VM, BC = os.environ["VM_MAC"], os.environ["BCAST"]
H1_IP, ETH0_MAC = os.environ["H1_IP"], os.environ["GB_ETH0_MAC"]
PYMAC = "02:00:c6:12:00:63"      # the fake peer's "VM"
SILENT_MAC = "02:00:c6:12:00:64"  # the silent fake peer's "VM" (never addressed)
T0 = time.monotonic()

def read_list(c, head):
    """Read an 'OK head' / N / N lines answer; returns the lines or None."""
    a = c.readline()
    if not ok(a == "OK " + head, "answer starts with 'OK %s'" % head, repr(a)):
        return None
    n = c.readline()
    if not ok(n is not None and n.isdigit(), "second line is a count", repr(n)):
        return None
    lines = [c.readline() for _ in range(int(n))]
    ok(None not in lines, "%s lines follow" % n, repr(lines))
    return lines

def hello(c, version="1.0"):
    a = c.request("HELLO %s %s" % (PB, version))
    ok(a == "OK " + version, "HELLO %s -> OK %s" % (version, version), repr(a))

def handlers_now():
    return query(B, PB, "HANDLERS?", "handlers")

def wait_handlers(count, secs=5.0):
    return wait_for(handlers_now, lambda h: h is not None and len(h) == count, secs, 0.3)

print("# connections opened now and checked at the end (30 s rules)")
idle = Conn(B, P)                       # never says HELLO
silent = Conn(B, P)                     # a peer link that never sends a frame
silent.request("HELLO %s 1.0" % PB)
a = silent.request("BEGIN REMOTE py1 LOCAL eth0 %s" % SILENT_MAC)
ok(a == "OK", "BEGIN of the silent peer -> OK", repr(a))

print("# HELLO 0.9, DEVICES?, HANDLERS?, DONE")
c = Conn(B, P)
hello(c, "0.9")
c.line("DEVICES?")
devs = read_list(c, "devices")
ok(devs == ["eth0"], "DEVICES? lists 'eth0', its name alone, as VNET 0.9 does", repr(devs))
c.line("DEVINFO?")
devs = read_list(c, "devinfo")
ok(devs == ["eth0 %s 1500 up" % ETH0_MAC], "DEVINFO? lists 'eth0 MAC 1500 up'", repr(devs))
c.line("HANDLERS?")
hs = read_list(c, "handlers")
ok(hs is not None and len(hs) == 1, "HANDLERS? lists the silent peer's handler", repr(hs))
a = c.request("DONE")
ok(a == "OK bye", "DONE -> 'OK bye'", repr(a))
ok(c.expect_eof(5), "... and the daemon closes the connection")
c.close()

print("# CRLF line ends, pipelining, a request split over two segments")
c = Conn(B, P)
c.send(b"HELLO " + PB.encode() + b" 1.0\r\n")
a = c.readline()
ok(a == "OK 1.0", "HELLO with CRLF -> OK 1.0", repr(a))
c.send(b"HANDLERS?\r\nDEVICES?\r\n")
ok(read_list(c, "handlers") is not None, "CRLF + pipelined: HANDLERS? answered first")
ok(read_list(c, "devices") is not None, "... then DEVICES?")
c.send(b"DEV")
time.sleep(0.3)
c.send(b"ICES?\n")
ok(read_list(c, "devices") is not None, "a request split over two TCP segments is answered")
a = c.request("X" * 4000)
ok(a is not None and a.startswith("NOK"), "an unknown 4000-byte request -> NOK", repr(a)[:60])
a = c.request("DONE")
ok(a == "OK bye", "... and the connection stays usable (DONE -> OK bye)", repr(a))
c.close()

print("# lines longer than 24576 bytes (VNET_LINE_MAX)")
c = Conn(B, P)
hello(c)
a = c.request("HANDLERS? " + "X" * 30000)
ok(a == "NOK line too long", "a 30000-byte line -> 'NOK line too long'", repr(a)[:60])
ok(c.expect_eof(5), "... and the connection is closed")
c.close()
c = Conn(B, P)
a = c.request("Y" * 30000)
ok(a is not None and a.startswith("NOK"), "a 30000-byte line before HELLO -> NOK", repr(a)[:60])
ok(c.expect_eof(5), "... and the connection is closed")
c.close()

print("# HANDLE (lower-case configs) and CLOSE on one connection")
c = Conn(B, P)
hello(c)
a = c.request("HANDLE %s local eth0 remote %s %d vmnet1 %s %s" % (PA, A, P, VM, BC), 20)
m = re.fullmatch(r"OK (\d+)", a or "")
ok(m is not None, "HANDLE ... local eth0 remote ... -> 'OK ID'", repr(a))
hid = m.group(1) if m else "0"
c.line("HANDLERS?")
hs = read_list(c, "handlers") or []
mine = [h for h in hs if h.split()[0] == hid]
ok(len(hs) == 2 and len(mine) == 1, "HANDLERS? lists the new handler and the silent peer's", repr(hs))
if mine:
    f = mine[0].split()
    ok(len(f) == 12, "handler line has 12 fields", repr(mine[0]))
    ok(re.fullmatch(r"%s LOCAL %s \d+ eth0 <-> REMOTE %s %d vmnet1 %s %s" % (hid, re.escape(B), re.escape(A), P, VM, BC),
                    mine[0], re.I) is not None,
       "layout 'ID LOCAL 198.19.0.2 PORT eth0 <-> REMOTE 198.19.0.1 4455 vmnet1 MACS'", repr(mine[0]))
a = c.request("CLOSE %s" % hid)
ok(a == "OK closed %s" % hid, "CLOSE %s -> 'OK closed %s'" % (hid, hid), repr(a))
a = c.request("CLOSE %s" % hid)
ok(a == "NOK no handler %s" % hid, "CLOSE %s again -> 'NOK no handler %s'" % (hid, hid), repr(a))
c.request("DONE")
c.close()

print("# BEGIN refused")
for words, desc in (("REMOTE py0 REMOTE eth0 " + PYMAC, "both configs REMOTE"),
                    ("REMOTE py0 LOCAL ul " + PYMAC, "a device not among -d"),
                    ("REMOTE py0 LOCAL eth0 zz:00:c6:12:00:63", "a bad MAC"),
                    ("REMOTE py0 LOCAL eth0", "no MAC")):
    c = Conn(B, P)
    hello(c)
    a = c.request("BEGIN " + words)
    ok(a is not None and a.startswith("NOK"), "BEGIN with %s -> NOK" % desc, repr(a))
    # The VNET 0.9 README: NOK, then the client tries again on the same connection.
    c.line("DEVICES?")
    ok(read_list(c, "devices") is not None, "... the connection stays in its text phase: DEVICES?")
    c.close()
print("# a refused BEGIN, then a corrected one on the same connection")
RETRY_MAC = "02:00:c6:12:00:65"
c = Conn(B, P)
hello(c)
a = c.request("BEGIN REMOTE py2 LOCAL ul " + RETRY_MAC)
ok(a is not None and a.startswith("NOK device ul"), "BEGIN on a device not among -d -> NOK", repr(a))
a = c.request("BEGIN REMOTE py2 LOCAL eth0 " + RETRY_MAC)
ok(a == "OK", "the corrected BEGIN on the same connection -> OK", repr(a))
h = wait_handlers(2)
ok(h is not None and any(RETRY_MAC in x for x in h), "... and its handler is listed", repr(h))
c.close()
h = wait_handlers(1)
ok(h is not None and not any(RETRY_MAC in x for x in h), "closing that link ends its handler", repr(h))
c = Conn(B, P)
a = c.request("BEGIN REMOTE py0 LOCAL eth0 " + PYMAC)
ok(a is not None and a.startswith("NOK"), "BEGIN before HELLO -> NOK", repr(a))
ok(c.expect_eof(5), "... and the connection is closed")
c.close()

print("# a fake peer daemon: BEGIN, then frames both ways")
def arp_exchange(p, mtype, target, desc):
    """Send an ARP request for target as PYMAC/198.18.0.99 inside a message of mtype; wait for the
    reply the LAN sends back through gB."""
    f = arp_request(PYMAC, "198.18.0.99", target)
    p.send_msg(mtype, (b"\0" * 10 + f) if mtype == 1 else f)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        msg = p.recv_msg(max(0.1, end - time.monotonic()))
        if msg is None:
            break
        if msg[0] not in (1, 2):
            continue
        fr = frame_of(msg)
        ok(msg[0] == 2 or len(msg[1]) >= 24, "a FRAME_OFFLOAD message holds 10 header bytes + a frame")
        info = arp_info(fr)
        if info and info[0] == 2 and info[1] == target and fr[0:6] == mac_bytes(PYMAC):
            ok(True, desc)
            return True
    ok(False, desc, "no ARP reply from %s came through gB" % target)
    return False

p = Conn(B, P)
hello(p)
a = p.request("BEGIN REMOTE py0 LOCAL eth0 " + PYMAC)
ok(a == "OK", "BEGIN REMOTE py0 LOCAL eth0 MAC -> OK", repr(a))
pyport = p.s.getsockname()[1]
end = time.monotonic() + 3
while True:
    hs = handlers_now() or []
    line = [h for h in hs if PYMAC in h.lower()]
    if line or time.monotonic() > end:
        break
    time.sleep(0.2)
ok(len(line) == 1 and re.fullmatch(r"\d+ LOCAL %s %d eth0 <-> REMOTE %s %d py0 %s" % (re.escape(B), P, re.escape(B), pyport, PYMAC),
                                   line[0], re.I) is not None,
   "gB lists the peer's handler as 'ID LOCAL B 4455 eth0 <-> REMOTE B %d py0 MAC'" % pyport, repr(hs))
arp_exchange(p, 2, H1_IP, "FRAME (0x02) with an ARP request reaches h1; its reply comes back")
arp_exchange(p, 1, "198.18.0.2", "FRAME_OFFLOAD (0x01) with an ARP request reaches h2; its reply comes back")
p.send_msg(3)
p.send_msg(0x80, b"from the future")
p.send_msg(0xfe)
arp_exchange(p, 2, H1_IP, "after KEEPALIVE and optional types 0x80/0xfe the link still works")
p.send_msg(0x10, b"junk")
ok(p.expect_eof(5), "an unknown type 0x10 closes the link")
p.close()
hs = wait_handlers(1)
ok(hs is not None and not any(PYMAC in h.lower() for h in hs), "... and its handler is gone", repr(hs))

for hdr_len, body, desc in ((5, b"12345", "a 5-byte frame"),
                            (70000, b"\0" * 70000, "a 70000-byte frame")):
    p = Conn(B, P)
    hello(p)
    a = p.request("BEGIN REMOTE py0 LOCAL eth0 " + PYMAC)
    ok(a == "OK", "BEGIN -> OK", repr(a))
    p.send(bytes([2]) + hdr_len.to_bytes(3, "big") + body)
    ok(p.expect_eof(5), "%s closes the link" % desc)
    p.close()
hs = wait_handlers(1)
ok(hs is not None and len(hs) == 1, "only the silent peer's handler is left", repr(hs))

print("# the 10 s and 30 s rules")
msg = silent.recv_msg(max(0.5, T0 + 14 - time.monotonic()))
ok(msg is not None and msg[0] == 3 and len(msg[1]) == 0,
   "the daemon sends KEEPALIVE (0x03, length 0) on a link without traffic for 10 s", repr(msg))
time.sleep(max(0.0, T0 + 25 - time.monotonic()))
ok(not idle.expect_eof(0.1), "an unauthenticated connection is still open after 25 s")
ok(idle.expect_eof(max(0.5, T0 + 37 - time.monotonic())), "... and closed after 30 s (by 37 s)")
ok(silent.expect_eof(max(0.5, T0 + 37 - time.monotonic())), "a peer link silent for 30 s is closed (by 37 s)")
hs = wait_handlers(0)
ok(hs == [], "HANDLERS? lists 0 handlers at the end", repr(hs))
done()
