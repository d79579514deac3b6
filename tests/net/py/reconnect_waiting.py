"""reconnect_waiting.py JSON ID ADDRESS PORT: exit 0 when handler ID of the handlers --json answer
JSON is a waiting one: local address null and port 0, remote ADDRESS and PORT, reconnect waiting
or connecting (t_reconnect.sh)."""
import json, sys
h = [x for x in json.loads(sys.argv[1])["handlers"] if x["id"] == int(sys.argv[2])][0]
sys.exit(0 if h["local"]["address"] is None and h["local"]["port"] == 0
         and h["remote"]["address"] == sys.argv[3] and h["remote"]["port"] == int(sys.argv[4])
         and h["reconnect"] in ("waiting", "connecting") else 1)
