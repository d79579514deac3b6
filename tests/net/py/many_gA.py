import time
from vnlib import ok
from manylib import A, B, Ctl, N, PA, PB
end = time.monotonic() + 40
while True:
    n = len(Ctl(A, PA).listing("HANDLERS?"))
    if n == N // 2 or time.monotonic() > end:
        break
    time.sleep(0.5)
ok(n == N // 2, "their links closed: A lists %d handlers" % (N // 2), repr(n))
ok(len(Ctl(B, PB).listing("HANDLERS?")) == N // 2, "B lists %d handlers" % (N // 2))
