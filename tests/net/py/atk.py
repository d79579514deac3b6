import sys, time
from vnlib import Conn
host, port, sent, answered, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
lines = []
for i in range(1, 6):
    t0 = time.monotonic()
    c = Conn(host, port, timeout=30)
    a = c.request("HELLO wrongPassword%d 1.0" % i, 30)
    lines.append("attempt%d %.3f %s" % (i, time.monotonic() - t0, (a or "none").replace(" ", "_")))
    c.close()
# The 6th: the daemon holds it back; meanwhile the scenario runs a good client from gB.
c = Conn(host, port, timeout=30)
c.line("HELLO wrongPassword6 1.0")
open(sent, "w").close()
a = c.readline(30)
open(answered, "w").close()
lines.append("attempt6 - %s" % (a or "none").replace(" ", "_"))
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
