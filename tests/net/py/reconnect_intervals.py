import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print(-1, -1, 0)
    sys.exit()
t0 = d.get("start", {}).get("timestamp", {}).get("timesecs", 0)
restart = float(sys.argv[2])
total = after = 0
ivs = d.get("intervals", [])
for iv in ivs:
    s = iv.get("sum", {})
    total += int(s.get("bytes", 0))
    # timesecs is whole seconds, at or before the true start: start >= restart - t0 is safe.
    if t0 and s.get("start", 0) >= restart - t0:
        after += int(s.get("bytes", 0))
print(total, after, len(ivs))
