import os, socket, time
s = socket.create_connection((os.environ["UL_B"], int(os.environ["PORT"])), timeout=20)
t0 = time.monotonic()
try:
    data = s.recv(100)
except socket.timeout:
    data = None
dt = time.monotonic() - t0
print(("ok   - " if data == b"" and dt < 15 else "FAIL - ") +
      "a silent client on the -s daemon is closed by it (%.1f s, got %r)" % (dt, data))
