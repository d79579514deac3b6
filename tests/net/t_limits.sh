#!/usr/bin/env bash
# Limits (vnet(8) LIMITS), each at its edge: the last allowed is accepted, the next gets
# "NOK reason": 1,024 addresses in one handler, 16,384 addresses on one device (16 handlers of
# 1,024), 4,096 handlers per daemon, 8,192 connections. A python fake peer in gB fills daemon B
# up; B refuses the excess cleanly, answers HANDLERS? and STATS? of thousands of handlers to a
# slow reader, and serves normally once the load is gone.
# The address lists are /16 patterns: a classic BPF filter of 1,024 of them fits in the kernel's
# 4,096 instructions, so the edges are the same with a filter per handler or per device. Such a
# filter is charged to the socket's option memory: gB's net.core.optmem_max (of this test's
# namespace only) is raised for it.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
vn_topology
vn_in gB sysctl -qw net.core.optmem_max=1048576 || vn_die "optmem_max in gB"
vn_start_seed_daemons


vn_section "1,024 addresses in one handler"
vn_py_checks gB limits_addresses.py

vn_section "16,384 addresses on one device"
vn_py_checks gB limits_device.py

vn_section "4,096 handlers"
vn_py_checks gB limits_handlers.py
# With a packet socket per handler, each close waits for an RCU grace period in the kernel
# (packet_release): 4,096 of them take tens of seconds, hence the waits in programs of their own.
vn_py gB limits_wait.py
vn_py_checks gB limits_closed.py

vn_section "8,192 connections"
vn_py_checks gB limits_connections.py

vn_section "the daemon still works for real"
vn_check "handle" vn_handle_seed
vn_check "ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_finish
