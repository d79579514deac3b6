"""json_check.py BODY: read one JSON answer of vnetclient --json on standard input, parse it into
d, then run the python checks BODY (calls of ok(cond, what)); prints the failed ones, exits 1 when
one failed or the input is not one line of JSON (t_stats.sh)."""
import json, sys
raw = sys.stdin.read()
FAILS = []
def ok(cond, what):
    if not cond:
        FAILS.append(what)
try:
    ok(raw.endswith("\n") and raw.count("\n") == 1, "one line ending with a line feed")
    d = json.loads(raw)
except Exception as e:
    print("not JSON: %s: %r" % (e, raw[:200]))
    sys.exit(1)
exec(sys.argv[1], {"d": d, "ok": ok, "json": json, "sys": sys})
if FAILS:
    print("; ".join(FAILS))
    sys.exit(1)
