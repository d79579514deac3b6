"""t_reload: the handlers of a daemon, by their first address, saved and compared.

snap HOST PW OUT: save {mac: [id, {counter: value}]} of the daemon at HOST (manylib.by_mac).
kept BEFORE AFTER SIDE GONE...: every handler of BEFORE but those of the GONE addresses is in
AFTER with the same id and no counter of frames smaller (the frames counted before a reload are
still counted after); those of GONE have another id or none.
same BEFORE AFTER SIDE: AFTER lists exactly the handlers of BEFORE, with the same ids.
"""
import json, sys
from vnlib import done, ok
from manylib import by_mac

COUNTERS = ("out_frames", "out_bytes", "in_frames", "in_bytes")

def load(path):
    with open(path) as f:
        return json.load(f)

def kept(before, after, side, gone):
    lost, moved, shrunk, frames = [], [], [], 0
    for m, (hid, c) in before.items():
        if m in gone:
            continue
        if m not in after:
            lost.append(m)
        elif after[m][0] != hid:
            moved.append((m, hid, after[m][0]))
        else:
            frames += int(c["out_frames"]) + int(c["in_frames"])
            shrunk += [(m, k) for k in COUNTERS if int(after[m][1][k]) < int(c[k])]
    n = len(before) - len([m for m in gone if m in before])
    print("# %s: %d handlers to keep, %d frames counted on them before" % (side, n, frames))
    ok(not lost, "%s: the %d untouched lines' handlers are all still there" % (side, n), repr(lost[:3]))
    ok(not moved, "%s: ... with the same ids" % side, repr(moved[:3]))
    ok(not shrunk, "%s: ... and their frame counters went on from where they were" % side,
       repr(shrunk[:3]))
    for m in gone:
        ok(m not in after or after[m][0] != before.get(m, [0])[0],
           "%s: %s: no longer the handler of before" % (side, m))

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "snap":
        with open(sys.argv[4], "w") as f:
            json.dump(by_mac(sys.argv[2], sys.argv[3]), f)
        sys.exit(0)
    before, after = load(sys.argv[2]), load(sys.argv[3])
    if cmd == "kept":
        kept(before, after, sys.argv[4], set(sys.argv[5:]))
    elif cmd == "same":
        diff = [m for m in set(before) | set(after) if before.get(m, [0])[0] != after.get(m, [0])[0]]
        ok(not diff, "%s: the same %d handlers, with the same ids" % (sys.argv[4], len(before)),
           repr(diff[:3]))
    done()
