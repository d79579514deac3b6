from vnlib import ok
from limitslib import begin, close_all, patterns, wait_handlers
conns, answers = [], []
for k in range(16):
    c, a = begin(patterns(k * 1024, 1024))
    conns.append(c)
    answers.append(a)
bad = [(i, a) for i, a in enumerate(answers) if a != "OK"]
ok(not bad, "16 handlers of 1,024 addresses on eth0 -> 16 OK", repr(bad[:2]))
c, a = begin(patterns(16 * 1024, 1))
ok(a is not None and a.startswith("NOK too many addresses on device eth0"),
   "one address more on eth0 -> NOK too many addresses on device eth0", repr(a))
close_all([c, conns.pop()])
ok(wait_handlers(15, 10) == 15, "one of the 16 closed: 15 left")
c, a = begin(patterns(20000, 1024))
ok(a == "OK", "... and 1,024 addresses fit on eth0 again", repr(a))
close_all(conns + [c])
ok(wait_handlers(0, 15) == 0, "all closed: no handler left")
