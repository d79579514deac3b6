import sys
from vnlib import ok
from manylib import A, B, BCAST, Ctl, N, PA, PB, by_mac, mac
vm = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]))
h2 = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[2]))
sb, sa = by_mac(B, PB), by_mac(A, PA)
wrong = [m for m in (mac(i) for i in range(N))
         if sb[m][1]["out_frames"] != ("2" if m in (mac(0), mac(1), mac(2)) else "1")
         or sa[m][1]["in_frames"] != sb[m][1]["out_frames"]]
ok(not wrong, "each frame went through its own handler, on B and on A (per-handler counters)",
   repr([(m, sb[m][1]["out_frames"], sa[m][1]["in_frames"]) for m in wrong[:3]]))
missing = [i for i in range(N) if vm.get(mac(i)) != 1]
ok(not missing, "the VM's side got each of the %d frames once" % N,
   repr([(mac(i), vm.get(mac(i))) for i in missing[:3]]))
ok(vm.get(BCAST) == 3, "the broadcast arrived once through each of the three handlers that list it",
   repr(vm.get(BCAST)))
ok(sum(vm.values()) == N + 3, "nothing else reached the VM's side (no loop)", repr(sum(vm.values())))
ok(h2.get(BCAST) == 1 and sum(h2.values()) == N + 1,
   "the LAN saw each frame once: nothing came back (no loop)", repr((h2.get(BCAST), sum(h2.values()))))
# Half the handlers go (the odd ones; the three with the broadcast stay, but for 1).
c = Ctl(B, PB)
bad = [i for i in range(1, N, 2) if c.request("CLOSE %d" % sb[mac(i)][0]) != "OK closed %d" % sb[mac(i)][0]]
ok(not bad, "CLOSE %d handlers on B -> OK" % (N // 2), repr(bad[:3]))
c.close()
