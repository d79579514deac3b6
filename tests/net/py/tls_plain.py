import os
from vnlib import Conn, ok, done
c = Conn(os.environ["UL_B"], int(os.environ["PORT"]))
a = c.request("HELLO %s 1.0" % os.environ["PASS_B"])
ok(a == "NOK this daemon requires TLS (use -s)", "a clear HELLO to a -s daemon: 'NOK this daemon requires TLS (use -s)'", repr(a))
ok(c.expect_eof(5), "... and the connection is closed")
done()
