"""A stand-in for systemd's notification socket: every datagram sent to PATH for SECONDS at most
is appended to OUT, one "--" line after each (sd_notify: NOTIFY_SOCKET=PATH)."""
import os, socket, sys, time

path, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
end = time.monotonic() + seconds
while time.monotonic() < end:
    s.settimeout(max(0.1, end - time.monotonic()))
    try:
        data = s.recv(4096)
    except socket.timeout:
        break
    with open(out, "a") as f:
        f.write(data.decode(errors="replace") + "\n--\n")
