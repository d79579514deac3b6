"""no_ctl.py FILE: exit 0 when FILE holds no control byte (below 0x20 but the newline) and no DEL
(t_not_vnet.sh)."""
import sys
data = open(sys.argv[1], "rb").read()
sys.exit(1 if any((b < 0x20 and b != 10) or b == 0x7f for b in data) else 0)
