import os, random, threading, time
from vnlib import Conn, ok, done
from hardlib import good
B, PB, P, PID = os.environ["UL_B"], os.environ["PASS_B"], int(os.environ["PORT"]), os.environ["DPID_B"]

def blast(c, data):
    """Send data from a thread (the daemon may close while we send); returns the thread."""
    t = threading.Thread(target=c.send, args=(data,), daemon=True)
    t.start()
    return t

for when in ("after HELLO", "before HELLO"):
    c = Conn(B, P)
    if when == "after HELLO":
        ok(c.request("HELLO %s 1.0" % PB) == "OK 1.0", "HELLO")
    t = blast(c, b"H" * (1 << 20))
    a = c.readline(10)
    ok(a == "NOK line too long", "a 1 MiB line without newline %s -> 'NOK line too long'" % when, repr(a)[:60])
    ok(c.expect_eof(10), "... and the daemon closes the connection")
    c.close()
    t.join(10)
    good(B, PB, PID, "a 1 MiB line %s" % when)

rnd = random.Random(4455)
garbage = bytes(rnd.getrandbits(8) for _ in range(65536))
g0 = bytes([0x42]) + garbage[1:]          # not a TLS record (0x16) by chance
c = Conn(B, P)
t = blast(c, g0)
a = c.readline(10)
ok(a is not None and a.startswith("NOK"), "64 KiB of binary garbage before HELLO -> NOK", repr(a)[:80])
ok(c.expect_eof(10), "... and the daemon closes the connection")
c.close()
t.join(10)
good(B, PB, PID, "64 KiB of garbage before HELLO")

c = Conn(B, P)
ok(c.request("HELLO %s 1.0" % PB) == "OK 1.0", "HELLO")
t = blast(c, garbage + b"\nDONE\n")
answers, bye = [], False
end = time.monotonic() + 20
while time.monotonic() < end:
    a = c.readline(max(0.1, end - time.monotonic()))
    if a is None:
        break
    if a == "OK bye":
        bye = True
        break
    answers.append(a)
c.close()
t.join(10)
print("# %d answers to the garbage, then %s" % (len(answers), "OK bye" if bye else "the end of the connection"))
ok(len(answers) > 0 and all(x.startswith("NOK") for x in answers),
   "64 KiB of binary garbage after HELLO: every answer is a NOK", repr([x for x in answers if not x.startswith("NOK")][:3]))
good(B, PB, PID, "64 KiB of garbage after HELLO")

# A client that pipelines requests and never reads the answers, and one that stops mid-line.
lazy = Conn(B, P)
ok(lazy.request("HELLO %s 1.0" % PB) == "OK 1.0", "HELLO of the client that will not read")
lazy.s.setblocking(False)
sent = 0
end = time.monotonic() + 10
while sent < (8 << 20) and time.monotonic() < end:
    try:
        sent += lazy.s.send(b"DEVICES?\nHANDLERS?\nSTATS?\n" * 256)
    except BlockingIOError:
        time.sleep(0.05)
    except OSError:
        break
print("# the non-reading client pushed %d bytes of requests" % sent)
half = Conn(B, P)
half.send(b"HELLO " + PB.encode())      # no line end: a request left half-sent
time.sleep(0.5)
good(B, PB, PID, "a client that never reads its answers and one that stops mid-line")
lazy.close()
half.close()
good(B, PB, PID, "those two clients going away")
done()
