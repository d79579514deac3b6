import os, socket, sys, time

import vnlib

host, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def path(name):
    return os.path.join(d, name)

def mark(name, text=""):
    with open(path(name) + ".tmp", "w") as f:
        f.write(text)
    os.rename(path(name) + ".tmp", path(name))

def wait_file(name, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end and not os.path.exists(path(name)):
        time.sleep(0.05)

c = vnlib.accept_one(host, port, lambda: mark("listening"))
buf = b""

def line():
    global buf
    while b"\n" not in buf:
        x = c.recv(4096)
        if not x:
            return None
        buf += x
    ln, buf = buf.split(b"\n", 1)
    return ln.rstrip(b"\r").decode(errors="replace")

line()                      # HELLO (its password is not kept)
c.sendall(b"OK 1.0\n")
line()                      # INSTANCE? (answered as a vnet older than it would)
c.sendall(b"NOK unknown request 'INSTANCE?'\n")
mark("begin", line() or "")
wait_file("renamed", 10)
c.sendall(b"OK\n")
got, eof = len(buf), 0
c.settimeout(0.2)
end = time.monotonic() + 8
while time.monotonic() < end and not os.path.exists(path("stop")):
    try:
        x = c.recv(65536)
    except socket.timeout:
        continue
    except OSError:
        eof = 1
        break
    if not x:
        eof = 1
        break
    got += len(x)
mark("result", "bytes %d\neof %d\n" % (got, eof))
