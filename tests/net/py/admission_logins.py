import os, sys, time
from vnlib import Conn, ok, done
host, label, source = sys.argv[1:4]
pw, port = os.environ["PASS_A"], int(os.environ["PORT"])
for pause in (0.02, 0.05, 0.2):
    got, why, slowest = 0, [], 0.0
    for _ in range(5):
        t0 = time.monotonic()
        try:
            c = Conn(host, port, timeout=10, source=source or None)
        except OSError as e:
            why.append("connect: %s" % e)
            break
        time.sleep(pause)
        a = c.request("HELLO %s 1.0" % pw, 5)
        c.close()
        slowest = max(slowest, time.monotonic() - t0)
        if a == "OK 1.0":
            got += 1
        else:
            why.append(repr(a))
            break
    ok(got == 5, "%s: HELLO %d ms after connecting: %d of 5 logged in (slowest in %.1f s)"
       % (label, pause * 1000, got, slowest), ", ".join(why[:3]))
done()
