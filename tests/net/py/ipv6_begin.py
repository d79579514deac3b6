import os
from vnlib import Conn, ok, done
c = Conn(os.environ["UL_B"], int(os.environ["PORT"]))
c.request("HELLO %s 1.0" % os.environ["PASS_B"])
a = c.request("HANDLE %s LOCAL eth0 REMOTE %s %s vmnet1 %s 33:33:00:00:00:01/16"
              % (os.environ["PASS_A"], os.environ["UL_A"], os.environ["PORT"], os.environ["VM_MAC"]))
ok(a is not None and a.startswith("NOK bad address '33:33:00:00:00:01/16'")
   and "beyond the prefix length" in a, "HANDLE with 33:33:00:00:00:01/16 -> NOK bad address", repr(a))
c.close()
done()
