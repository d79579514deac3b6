#!/usr/bin/env bash
# Offload metadata that does not fit its frame costs the frame, not the link. A python peer in gB
# speaks BEGIN to daemon B (LOCAL on eth0, the example scenario's list {VM, broadcast}) and sends:
#  - a 1514-byte TCP frame that says it is a super-frame whose headers are 2974 bytes long (what
#    a two-segment frame cut short by the queue-delay control carried when hdr_len stayed behind);
#  - a frame whose partial checksum lies past its end;
#  - then the same TCP frame with metadata that fits (one segment, partial checksum), and a plain
#    frame.
# B refuses the first two (drop_offload=2, the first logged), keeps the link up and injects the
# last two: they reach the LAN port of gB (p-gB in ns lan).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

MARKERS=(F-HDRLEN F-CSUM F-GOOD1 F-AFTER)
vn_marks_start lan p-gB lan "${MARKERS[@]}"

vn_section "frames whose offload metadata does not fit them, from a python peer"
vn_py_checks gB offload_fit.py

sleep 0.5
vn_section "what reached the LAN"
lan() { vn_wiretap_get lan "$1"; }
lan frames >/dev/null
vn_log "LAN port of gB: $(tr '\n' ' ' <"$VN_TMP/wire-lan" 2>/dev/null)"
vn_eq "LAN: the frame with hdr_len beyond its end is not seen" 0 "$(lan F-HDRLEN)"
vn_eq "LAN: the frame with its checksum past its end is not seen" 0 "$(lan F-CSUM)"
vn_eq "LAN: the same TCP frame with metadata that fits is seen once" 1 "$(lan F-GOOD1)"
vn_eq "LAN: the plain frame sent after them is seen once" 1 "$(lan F-AFTER)"

vn_section "the log"
vn_eq "B logs the first refused frame, with its reason" 1 \
    "$(grep -c 'refused a 1514-byte frame from the peer.*header length beyond the frame' "$VN_TMP/vnet-B.log")"
vn_eq "B logs no protocol error" 0 "$(grep -c 'protocol error' "$VN_TMP/vnet-B.log")"
vn_finish
