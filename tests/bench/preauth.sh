#!/usr/bin/env bash
# preauth.sh - the daemon's CPU for one request line before HELLO, refused.
#
# A daemon listens on 127.0.0.1 in a network namespace of its own (-d lo);
# a client opens PREAUTH_N connections one after the other, each sending one
# line before HELLO and reading the NOK, for each of: a two-byte line, an
# RHANDLE of 1,024 distinct addresses, and the same addresses as the last of
# a HELLO line. Prints the daemon's CPU time (utime + stime, /proc) per
# connection for each. Not part of make check: the figures vary with the
# machine's load.
#
# Env: VNET (build/vnet); PREAUTH_N=500 (connections per kind of line).
set -u
cd "$(dirname "$0")/../.." || exit 1
VNET=$(realpath "${VNET:-build/vnet}")
N=${PREAUTH_N:-500}
NS=vnpre$$
PID=

[ "$(id -u)" = 0 ] || { echo "preauth: needs root (network namespaces)" >&2; exit 1; }
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip netns exec "$NS" "$VNET" secret -h 127.0.0.1 -p 7001 -d lo 2>/dev/null &
PID=$!
ip netns exec "$NS" python3 - "$PID" "$N" <<'PY'
import os, socket, sys, time

pid, n = int(sys.argv[1]), int(sys.argv[2])
tick = os.sysconf("SC_CLK_TCK")

def cpu():
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / tick     # utime, stime

def one(line):
    s = socket.create_connection(("127.0.0.1", 7001), timeout=5)
    s.sendall(line)
    reply = b""
    while not reply.endswith(b"\n"):
        b = s.recv(4096)
        if not b:
            break
        reply += b
    s.close()
    return reply.decode(errors="replace").strip()

macs = b" ".join(b"02:00:00:00:%02x:%02x" % (i >> 8, i & 0xff) for i in range(1024))
lines = [
    ("a two-byte line", b"X\n"),
    ("RHANDLE, 1,024 addresses", b"RHANDLE pw LOCAL lo REMOTE 198.18.0.2 4455 eth0 " + macs + b"\n"),
    ("HELLO, 1,024 words", b"HELLO pw 1.0 " + macs + b"\n"),
]
for _ in range(100):
    try:
        one(b"X\n")
        break
    except OSError:
        time.sleep(0.05)
for name, line in lines:
    t0 = cpu()
    for _ in range(n):
        reply = one(line)
    t1 = cpu()
    print("%-26s %7.1f us of daemon CPU a connection (%d), reply: %s"
          % (name, (t1 - t0) / n * 1e6, n, reply[:40]))
PY
