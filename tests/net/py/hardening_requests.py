import os
from vnlib import Conn, ok, done
from hardlib import good, no_handlers
B, A = os.environ["UL_B"], os.environ["UL_A"]
PB, PA, P = os.environ["PASS_B"], os.environ["PASS_A"], int(os.environ["PORT"])
VM, BC, PID = os.environ["VM_MAC"], os.environ["BCAST"], os.environ["DPID_B"]

print("# requests before HELLO: NOK and the connection is closed")
for req in ("HANDLERS?", "DEVICES?", "STATS?", "CLOSE 1", "DONE",
            "BEGIN LOCAL x REMOTE eth0 " + VM,
            "HANDLE %s LOCAL eth0 REMOTE %s %d vmnet1 %s" % (PA, A, P, VM),
            "RHANDLE %s LOCAL eth0 REMOTE %s %d vmnet1 %s" % (PA, A, P, VM),
            "", "HELLO", "HELLO onlyone", "HELLO %s" % PB, "HELLO %s 1.0 extra" % PB,
            "FROBNICATE", "\x01\x02\x03\x7f"):
    c = Conn(B, P)
    a = c.request(req)
    ok(a is not None and a.startswith("NOK"), "before HELLO: %r -> NOK" % req[:40], repr(a))
    ok(c.expect_eof(5), "before HELLO: %r -> connection closed" % req[:40])
    c.close()
good(B, PB, PID, "requests before HELLO")

print("# unknown requests after HELLO: NOK, and the connection stays usable")
c = Conn(B, P)
ok(c.request("HELLO %s 1.0" % PB) == "OK 1.0", "HELLO")
for req in ("FROBNICATE now", "HANDLERS", "DEVICES", "STATS", "HELLOX a b", "GET / HTTP/1.0",
            "\x01\x02\x03\x7f", "", "   ", "\t", "X" * 4000, "A " * 1500):
    a = c.request(req)
    ok(a is not None and a.startswith("NOK"), "after HELLO: %r -> NOK" % req[:40], repr(a)[:80])
a = c.request("HELLO %s 1.0" % PB)
ok(a is not None and a.startswith("NOK"), "a second HELLO -> NOK", repr(a))
no_handlers(c, "the same connection still answers HANDLERS? (0)")
c.close()
good(B, PB, PID, "unknown requests")

print("# malformed arguments after HELLO: each gets NOK")
c = Conn(B, P)
ok(c.request("HELLO %s 1.0" % PB) == "OK 1.0", "HELLO")
H = "HANDLE %s %s %s %s %s %s %s %s"
cases = [
    ("CLOSE", "CLOSE without id"), ("CLOSE abc", "CLOSE abc"), ("CLOSE -1", "CLOSE -1"),
    ("CLOSE 0", "CLOSE 0"), ("CLOSE 1 2", "CLOSE with two ids"),
    ("CLOSE 99999999999999999999999999", "CLOSE with a 26-digit id"),
    ("CLOSE 0x10", "CLOSE 0x10"), ("CLOSE 4242", "CLOSE of an unknown id"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", "02:00:zz:00:00:0a"), "bad MAC (zz)"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", "02:00:c6:12:00"), "short MAC"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", "02:00:c6:12:00:0a:01"), "7-byte MAC"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", "02:00:c6:12:00:0a:"), "MAC with a trailing colon"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", "002:00:c6:12:00:0a"), "MAC with a 3-digit group"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", "00:00:00:00:00:00"), "MAC 00:00:00:00:00:00"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", " ".join("02:00:00:00:%02x:%02x" % (i >> 8, i & 0xff) for i in range(1025))), "1,025 MACs"),
    ("HANDLE %s LOCAL eth0 REMOTE %s %d vmnet1" % (PA, A, P), "no MAC"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, 0, "vmnet1", VM), "port 0"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, 65536, "vmnet1", VM), "port 65536"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, -1, "vmnet1", VM), "port -1"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, "http", "vmnet1", VM), "port 'http'"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, "99999999999999999999", "vmnet1", VM), "port 99999999999999999999"),
    (H % (PA, "SIDEWAYS", "eth0", "REMOTE", A, P, "vmnet1", VM), "config SIDEWAYS"),
    (H % (PA, "LOCAL", "eth0", "LOCAL", A, P, "vmnet1", VM), "both configs LOCAL"),
    (H % (PA, "REMOTE", "eth0", "REMOTE", A, P, "vmnet1", VM), "both configs REMOTE"),
    (H % (PA, "LOCAL", "nosuch0", "REMOTE", A, P, "vmnet1", VM), "unknown local device"),
    (H % (PA, "LOCAL", "ul", "REMOTE", A, P, "vmnet1", VM), "local device not among -d"),
    (H % (PA, "LOCAL", "../eth0", "REMOTE", A, P, "vmnet1", VM), "local device '../eth0'"),
    (H % (PA, "LOCAL", "e" * 40, "REMOTE", A, P, "vmnet1", VM), "40-character local device"),
    (H % (PA, "LOCAL", "eth0", "REMOTE", A, P, "nosuch1", VM), "unknown remote device"),
    # (no host name that would need a resolver: the scenario talks to its namespaces only)
    (H % (PA, "LOCAL", "eth0", "REMOTE", "h" * 300, P, "vmnet1", VM), "a 300-character remote host"),
    (H % ("p" * 300, "LOCAL", "eth0", "REMOTE", A, P, "vmnet1", VM), "300-character password2"),
    ("HANDLE", "HANDLE without words"),
    ("RHANDLE %s LOCAL eth0 REMOTE %s %d vmnet1 zz:zz:zz:zz:zz:zz" % (PA, A, P), "RHANDLE with a bad MAC"),
    ("RHANDLE %s LOCAL eth0 REMOTE %s 70000 vmnet1 %s" % (PA, A, VM), "RHANDLE with port 70000"),
]
for req, desc in cases:
    a = c.request(req, 20)
    ok(a is not None and a.startswith("NOK"), "%s -> NOK" % desc, repr(a)[:100])
no_handlers(c, "the same connection still works, 0 handlers")
c.close()
good(B, PB, PID, "malformed HANDLE/CLOSE arguments")

print("# BEGIN with malformed arguments (each on its own connection)")
for words, desc in (("LOCAL x REMOTE nosuch0 " + VM, "an unknown device"),
                    ("LOCAL x LOCAL eth0 " + VM, "both configs LOCAL"),
                    ("LOCAL x REMOTE eth0 00:00:00:00:00:00", "MAC 00:00:00:00:00:00"),
                    ("LOCAL x REMOTE eth0 02:00:c6:12:00", "a short MAC"),
                    ("LOCAL x REMOTE eth0", "no MAC"),
                    ("LOCAL x/y REMOTE eth0 " + VM, "a peer device with a slash"),
                    ("", "no words")):
    b = Conn(B, P)
    b.request("HELLO %s 1.0" % PB)
    a = b.request(("BEGIN " + words).strip())
    ok(a is not None and a.startswith("NOK"), "BEGIN with %s -> NOK" % desc, repr(a))
    b.close()
good(B, PB, PID, "malformed BEGINs")
done()
