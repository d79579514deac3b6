import os, select, socket, sys, time
host, port, ready, stop, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
socks, failed = [], 0
for i in range(300):
    try:
        socks.append(socket.create_connection((host, port), timeout=3,
                                              source_address=("127.0.0.1", 0)))
    except OSError:
        failed += 1
# Collect what the daemon says on each within 2 s: a close (the per-/24 limit closes the oldest).
answers = {}
end = time.monotonic() + 2
pending = list(socks)
while pending and time.monotonic() < end:
    r, _, _ = select.select(pending, [], [], max(0.05, end - time.monotonic()))
    for s in r:
        try:
            d = s.recv(200)
        except OSError:
            d = b""
        answers[s] = answers.get(s, b"") + d
        if not d:
            pending.remove(s)
toomany = sum(1 for s in socks if answers.get(s, b"").startswith(b"NOK too many connections"))
closed = sum(1 for s in socks if s not in pending)
others = sorted(set(answers.get(s, b"")[:40] for s in socks if s in answers and
                    not answers[s].startswith(b"NOK too many connections")))
with open(out, "w") as f:
    f.write("made %d\nfailed %d\ntoomany %d\nclosed %d\nopen %d\nothers %r\n"
            % (len(socks), failed, toomany, closed, len(socks) - closed, others))
open(ready, "w").close()
end = time.monotonic() + 40
while not os.path.exists(stop) and time.monotonic() < end:
    time.sleep(0.1)
for s in socks:
    s.close()
