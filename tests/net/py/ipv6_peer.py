import os, time
from vnlib import Conn, ok, done, mac_bytes
A, PA, P = os.environ["UL_A"], os.environ["PASS_A"], int(os.environ["PORT"])
VM, H1 = os.environ["VM_MAC"], os.environ["H1_MAC"]
def probe(dst, marker):
    return mac_bytes(dst) + mac_bytes(H1) + b"\x88\xb5" + marker.encode() * 6
def stats():
    c = Conn(A, P)
    c.request("HELLO %s 1.0" % PA)
    c.line("STATS?")
    a, n = c.readline(), c.readline()
    res = {}
    for _ in range(int(n) if a == "OK stats" and n and n.isdigit() else 0):
        f = (c.readline() or "").split()
        res[f[0]] = dict(x.split("=", 1) for x in f[1:] if "=" in x)
    c.close()
    return res
before = stats()
p = Conn(A, P)
ok(p.request("HELLO %s 1.0" % PA) == "OK 1.0", "HELLO to A")
a = p.request("BEGIN LOCAL py0 REMOTE vmnet1 %s 33:33:00:00:00:00/16" % VM)
ok(a == "OK", "BEGIN LOCAL py0 REMOTE vmnet1 VM 33:33:00:00:00:00/16 -> OK", repr(a))
p.send_msg(2, probe("33:33:00:00:00:01", "R-V6ALL"))
p.send_msg(2, probe("33:33:ff:12:00:0a", "R-V6SOL"))
p.send_msg(2, probe("01:00:5e:00:00:01", "R-V4"))
time.sleep(1)
new = [v for k, v in stats().items() if k not in before]
ok(len(new) == 1 and new[0].get("drop_unlisted") == "1",
   "A refused only the frame to 01:00:5e:00:00:01 (drop_unlisted=1)", repr(new))
p.close()
done()
