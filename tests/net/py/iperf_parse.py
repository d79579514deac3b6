import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print(0, 0, "no-json-output"); sys.exit()
err = d.get("error", "")
s = d.get("end", {}).get("sum_received", {})
print(int(s.get("bytes", 0)), "%.3f" % (s.get("bits_per_second", 0) / 1e9), err.replace(" ", "_") or "")
