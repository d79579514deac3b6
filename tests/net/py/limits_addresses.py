from vnlib import ok
from limitslib import begin, close_all, listing, login, patterns, wait_handlers
c, a = begin(patterns(0, 1024))
ok(a == "OK", "BEGIN with 1,024 addresses -> OK", repr(a))
head, n, lines, _ = listing("HANDLERS?")
ok(n == 1 and len(lines) == 1 and len(lines[0].split()) == 10 + 1024,
   "HANDLERS? lists the handler with its 1,024 addresses on one line (%d bytes)"
   % (len(lines[0]) if lines else 0), repr((n, len(lines))))
c2, a = begin(patterns(0, 1025))
ok(a == "NOK too many addresses (at most 1024)", "BEGIN with 1,025 addresses -> NOK", repr(a))
close_all([c, c2])
h, a = login()
a = h.request("HANDLE x LOCAL eth0 REMOTE 198.19.0.1 4455 vmnet1 " + " ".join(patterns(0, 1025)))
ok(a == "NOK too many addresses (at most 1024)", "HANDLE with 1,025 addresses -> NOK", repr(a))
h.close()
ok(wait_handlers(0, 10) == 0, "closed: no handler left")
