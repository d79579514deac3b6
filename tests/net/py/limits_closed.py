from vnlib import ok
from limitslib import wait_handlers
n = wait_handlers(0, 35)
ok(n == 0, "the peers close: no handler left", repr(n))
