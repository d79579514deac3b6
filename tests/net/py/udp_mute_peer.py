"""A peer daemon that knows nothing of datagrams, as a vnet before them: listens on HOST:PORT,
answers HELLO (OK 1.0), any question (NOK) and BEGIN (OK), then reads the link's framed messages
for at most SECONDS (or until DIR/stop appears), skipping every type it does not know, answering
none. DIR/listening once it listens, DIR/begun once it answered BEGIN; at the end DIR/result:
  offers N         datagram offers (type 0x81) received
  frames N         frames (types 1, 2) received
  frames_late N    frames received more than 3.5 s after BEGIN's OK
  eof 0|1          the link was closed by the daemon"""
import os, socket, struct, sys, time

import vnlib

host, port, d, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])

def mark(name, text=""):
    with open(os.path.join(d, name) + ".tmp", "w") as f:
        f.write(text)
    os.rename(os.path.join(d, name) + ".tmp", os.path.join(d, name))

c = vnlib.accept_one(host, port, lambda: mark("listening"))
buf = b""
while True:
    while b"\n" not in buf:
        x = c.recv(4096)
        if not x:
            sys.exit(1)
        buf += x
    ln, buf = buf.split(b"\n", 1)
    ln = ln.rstrip(b"\r")
    if ln.startswith(b"HELLO "):
        c.sendall(b"OK 1.0\n")
    elif ln.startswith(b"BEGIN "):
        c.sendall(b"OK\n")
        break
    else:
        c.sendall(b"NOK unknown request\n")
t0 = time.monotonic()
mark("begun")
n = {"offers": 0, "frames": 0, "frames_late": 0, "eof": 0}
c.settimeout(0.2)
end = t0 + secs
while time.monotonic() < end and not os.path.exists(os.path.join(d, "stop")):
    while len(buf) >= 4:
        v = struct.unpack(">I", buf[:4])[0]
        if len(buf) < 4 + (v & 0xFFFFFF):
            break
        t, buf = v >> 24, buf[4 + (v & 0xFFFFFF):]
        if t == 0x81:
            n["offers"] += 1
        elif t in (1, 2):
            n["frames"] += 1
            if time.monotonic() - t0 > 3.5:
                n["frames_late"] += 1
    try:
        x = c.recv(65536)
    except socket.timeout:
        continue
    if not x:
        n["eof"] = 1
        break
    buf += x
mark("result", "".join("%s %d\n" % kv for kv in n.items()))
