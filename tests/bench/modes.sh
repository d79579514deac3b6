# shellcheck shell=bash
# modes.sh - vnet's rows for peers.sh (sourced through PB_PLUGIN): the same
# topology as the peers, vnet's two daemons on the gateways, attached to the
# host-facing veths with AF_PACKET (no TAP, no bridge), a handler created by
# vnetclient in gB. VNET and VNETCLIENT are absolute paths.

vnet_mode() { # FLAGS (daemons and client) [DAEMON-FLAGS]
	local pw=bench-pw-not-secret flags="$1" dflags="${2:-}"
	PB_CMD_A="exec $VNET $pw $flags $dflags -h \$UL_LOCAL -p 7000 -d \$HOST_IF" \
	PB_CMD_B="exec $VNET $pw $flags $dflags -h \$UL_LOCAL -p 7000 -d \$HOST_IF" \
	PB_CMD_INIT="for i in \$(seq 50); do $VNETCLIENT $flags -p $pw -o 7000 -h \$UL_LOCAL -c handle -a 7000 -b $pw -d \$UL_PEER -e \$HOST_IF -f hA -g local -j \$MAC_A ff:ff:ff:ff:ff:ff && exit 0; sleep 0.1; done; exit 1" \
		mode_custom
}
mode_vnet() { vnet_mode "" "--udp-mtu $PB_UL_MTU"; }
mode_vnet_tls() { vnet_mode "-s" "--udp-mtu $PB_UL_MTU"; }
mode_vnet_tcp() { vnet_mode "" "--udp off"; }
mode_vnet_tcp_tls() { vnet_mode "-s" "--udp off"; }
# Not run by default (MODES="... vnet-sched-normal"): vnet as it was before it
# switched itself to SCHED_BATCH, for before/after figures.
mode_vnet_sched_normal() { vnet_mode "" "--sched normal"; }
# Not run by default (MODES="... vnet-qd0"): vnet without its queue-delay control (on by default).
mode_vnet_qd0() { vnet_mode "" "--queue-delay 0"; }
