#!/usr/bin/env bash
# The control protocol and the framing, spoken raw by a python client inside gB: HELLO versions,
# answer layouts, DONE, CRLF, long lines, pipelining, HANDLE/CLOSE, and a fake peer daemon that
# sends BEGIN and exchanges frames (FRAME, FRAME_OFFLOAD, KEEPALIVE, optional and bad types).
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_start_seed_daemons

vn_py_checks gB protocol.py

vn_check "gB daemon still running" kill -0 "${VN_DPID[B]}"
vn_finish
