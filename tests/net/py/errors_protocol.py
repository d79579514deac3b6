import os
from vnlib import Conn, ok, done
B, A = os.environ["UL_B"], os.environ["UL_A"]
PB, PA, P = os.environ["PASS_B"], os.environ["PASS_A"], int(os.environ["PORT"])
VM = os.environ["VM_MAC"]

c = Conn(B, P)
a = c.request("HANDLERS?")
ok(a is not None and a.startswith("NOK"), "a request before HELLO gets NOK", repr(a))
ok(c.expect_eof(5), "... and the connection is closed")
c.close()

c = Conn(B, P)
a = c.request("HELLO %s 7.3" % PB)
ok(a == "NOK unsupported version 7.3", "HELLO with version 7.3: 'NOK unsupported version 7.3'", repr(a))
ok(c.expect_eof(5), "... and the connection is closed")
c.close()

c = Conn(B, P)
a = c.request("HELLO %s 1.0" % PB)
ok(a == "OK 1.0", "HELLO ... 1.0", repr(a))
a = c.request("FROBNICATE now")
ok(a is not None and a.startswith("NOK"), "unknown request gets NOK", repr(a))
a = c.request("HANDLERS?")
ok(a == "OK handlers", "the connection still serves requests after an unknown one", repr(a))
if a == "OK handlers":
    n = c.readline()
    for _ in range(int(n or 0)):
        c.readline()

def handle(words, desc):
    a = c.request("HANDLE " + words, 20)
    ok(a is not None and a.startswith("NOK "), desc + " -> NOK reason", repr(a))

base = "%s %%s eth0 %%s %s %d vmnet1 %%s" % (PA, A, P)
handle(base % ("SIDEWAYS", "REMOTE", VM), "bad config word (SIDEWAYS)")
handle(base % ("LOCAL", "LOCAL", VM), "both configs LOCAL")
handle(base % ("LOCAL", "REMOTE", "02:00:zz:00:00:0a"), "bad MAC 02:00:zz:00:00:0a")
handle(base % ("LOCAL", "REMOTE", "02:00:c6:12:00"), "short MAC 02:00:c6:12:00")
handle(base % ("LOCAL", "REMOTE", "00:00:00:00:00:00"), "MAC 00:00:00:00:00:00")
handle(base % ("LOCAL", "REMOTE", " ".join("02:00:00:00:%02x:%02x" % (i >> 8, i & 0xff)
                                            for i in range(1025))), "1,025 MACs (one over the limit)")
handle("%s LOCAL eth0 REMOTE %s %d vmnet1" % (PA, A, P), "no MAC at all")
handle("%s LOCAL eth0 REMOTE %s 99999 vmnet1 %s" % (PA, A, VM), "port 99999")
a = c.request("CLOSE 4242")
ok(a == "NOK no handler 4242", "CLOSE of an unknown id: 'NOK no handler 4242'", repr(a))
a = c.request("DONE")
ok(a == "OK bye", "DONE -> OK bye", repr(a))
c.close()
done()
