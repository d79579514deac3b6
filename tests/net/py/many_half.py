import sys
from vnlib import ok
from manylib import A, B, BCAST, N, PA, PB, by_mac, mac
vm = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]))
sb, sa = by_mac(B, PB), by_mac(A, PA)
even = [mac(i) for i in range(0, N, 2)]
ok(sorted(sb) == sorted(even) and sorted(sa) == sorted(even), "the even handlers are left, on both sides")
wrong = [m for m in even if sb[m][1]["out_frames"] != ("4" if m in (mac(0), mac(2)) else "2")
         or sa[m][1]["in_frames"] != sb[m][1]["out_frames"]]
ok(not wrong, "each remaining handler carried its second frame", repr(wrong[:3]))
got = [i for i in range(N) if vm.get(mac(i))]
ok(got == list(range(0, N, 2)) and all(vm[mac(i)] == 1 for i in got),
   "the VM's side got the frames of the remaining handlers, once each, and no other",
   repr(got[:6]))
ok(vm.get(BCAST) == 2, "the broadcast arrived through the two remaining handlers that list it",
   repr(vm.get(BCAST)))
