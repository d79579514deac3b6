#!/usr/bin/env python3
"""Run a shell command in the check-vm guest through its serial console.

    vmconsole.py SOCKET SECONDS COMMAND   run COMMAND, print its output, exit with its status
    vmconsole.py SOCKET SECONDS --ready   wait until the guest's shell answers
    vmconsole.py SOCKET SECONDS --hmp CMD run CMD on QEMU's human monitor at SOCKET, print its answer

SOCKET is QEMU's serial chardev (socket,server=on,wait=off). The guest's /init (guest-init)
reads one line "TAG COMMAND" at a time from the console, runs COMMAND (input /dev/null) and
answers its output, then "@@END TAG STATUS"; COMMAND is therefore one line. Exit status 124
when nothing (or no marker) came back within SECONDS, 125 when the socket cannot be reached.
"""
import os, re, select, socket, sys, time


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)


def recv_some(s, until):
    """What s has to read by the monotonic time until: b"" if nothing came, None if it closed."""
    r, _, _ = select.select([s], [], [], max(0.0, until - time.monotonic()))
    if not r:
        return b""
    return s.recv(65536) or None


def run(s, command, deadline, resend=None):
    """Send command; read until its marker. Resend every `resend` seconds (for --ready)."""
    tag = os.urandom(6).hex()
    line = "%s %s\n" % (tag, command)
    marker = re.compile(rb"@@END " + tag.encode() + rb" (\d+)\r?\n")
    buf = b""
    next_send = 0.0
    while True:
        now = time.monotonic()
        if now >= deadline:
            sys.stdout.write(buf.decode(errors="replace"))
            return 124
        if now >= next_send:
            s.sendall(line.encode())
            next_send = now + resend if resend else deadline
        d = recv_some(s, min(deadline, next_send))
        if d is None:
            return 125
        buf += d
        m = marker.search(buf)
        if m:
            out = buf[:m.start()].replace(b"\r", b"")
            if resend:
                out = b""
            sys.stdout.write(out.decode(errors="replace"))
            return int(m.group(1))


def hmp(s, command, deadline):
    """QEMU's monitor: read up to its prompt, send command, print what comes before the next."""
    buf = b""
    sent = False
    while True:
        if time.monotonic() >= deadline:
            sys.stdout.write(buf.decode(errors="replace"))
            return 124
        d = recv_some(s, deadline)
        if d is None:
            return 125
        buf += d
        if not buf.endswith(b"(qemu) "):
            continue
        if sent:
            out = buf[:-len(b"(qemu) ")].replace(b"\r", b"")
            out = out.split(b"\n", 1)[1] if b"\n" in out else b""  # the command's echo
            sys.stdout.write(re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", out).decode(errors="replace"))
            return 0
        s.sendall(command.encode() + b"\n")
        sent = True
        buf = b""


def main():
    if len(sys.argv) == 5 and sys.argv[3] == "--hmp":
        deadline = time.monotonic() + float(sys.argv[2])
        s = connect(sys.argv[1], deadline)
        if s is None:
            return 125
        try:
            return hmp(s, sys.argv[4], deadline)
        finally:
            s.close()
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    path, secs, command = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    if "\n" in command:
        sys.stderr.write("vmconsole.py: the command must be one line\n")
        return 2
    deadline = time.monotonic() + secs
    s = connect(path, deadline)
    if s is None:
        return 125
    try:
        if command == "--ready":
            return run(s, "true", deadline, resend=1.0)
        return run(s, command, deadline)
    finally:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
