// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler_stats.c - what HANDLERS? and STATS? say of each handler
 *
 * STATS? counts, for each handler, the frames it forwarded and injected and
 * the ones dropped on the way, and what its device saw that the filter kept
 * out (the device's counters since the handler began, less what the handler
 * handled, and less what its shared capture lost without knowing whose).
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vnet/conn.h"
#include "vnet/daemon.h"
#include "handler_int.h"
#include "vnet/netlink.h"

static const char *const state_names[] = { [H_UP] = "up", [H_WAITING] = "waiting",
					    [H_CONNECTING] = "connecting", [H_NODEV] = "nodevice" };

/* Received, sent, and for a TAP dropped on the way to its reader (the filter refused them). */
uint64_t handler_device_frames(const struct handler *h, const struct nl_link *links, size_t n)
{
	struct nl_link *own = NULL;
	uint64_t total = 0;
	size_t own_n = 0;

	if (!links) {
		n = 0;
		if (nl_links(&own, &own_n) == 0) {
			links = own;
			n = own_n;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (links[i].index == h->port.ifindex) {
			total = links[i].rx_packets + links[i].tx_packets;
			if (h->port.ops->filter_drops_in_tx_dropped)
				total += links[i].tx_dropped;
			break;
		}
	}
	free(own);
	return total;
}

void handler_port_stats(struct handler *h, struct port_stats *st)
{
	/* Closed, or without a port: its counters as they were. */
	if (!h->closed && h->state != H_NODEV && h->port.ops->update_stats)
		h->port.ops->update_stats(&h->port);
	*st = h->port_past;
	port_stats_add(st, &h->port.stats);
}

/* The link's smoothed round-trip time in microseconds, 0 if it has none. */
static uint64_t link_rtt_us(const struct handler *h)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (h->closed || h->state != H_UP || !h->link ||
	    getsockopt(conn_fd(h->link), IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_rtt;
}

void handler_counters(struct handler *h, const struct nl_link *links, size_t nlinks,
		      struct handler_counters *c)
{
	struct port_stats st;
	uint64_t seen, forwarded;
	bool up = h->state == H_UP && !h->closed;
	const char *host;
	uint16_t port;

	handler_port_stats(h, &st);
	/* What the device saw that is neither forwarded nor injected: filtered out. */
	seen = h->state == H_NODEV ? 0 : handler_device_frames(h, links, nlinks) - h->dev_base;
	forwarded = st.rx_frames + st.rx_oversize + st.queue_drops + st.device_drops +
		    st.loop_drops + st.tx_frames;
	*c = (struct handler_counters){
		.id = h->id, .state = h->closed ? "closed" : state_names[h->state],
		.reconnecting = handler_reconnects(h), .up = up,
		.uptime_s = up ? (loop_now_ms() - h->up_since) / 1000 : 0,
		.reconnects = h->reconnects,
		.out_frames = st.rx_frames, .out_bytes = st.rx_bytes,
		.in_frames = st.tx_frames, .in_bytes = st.tx_bytes,
		.drop_filter = seen > forwarded ? seen - forwarded : 0,
		.drop_queue = st.queue_drops, .drop_inject = h->inject_drops,
		.drop_oversize = st.rx_oversize, .drop_unlisted = h->drop_unlisted,
		.drop_offload = h->drop_offload,
		.drop_aqm = h->aqm ? h->aqm->drops : 0, .mark_aqm = h->aqm ? h->aqm->marks : 0,
		.drop_device = st.device_drops, .drop_loop = st.loop_drops + h->drop_loop,
		.drop_capture = st.rx_errors, .rtt_us = link_rtt_us(h),
		.path = dgpath_name(&h->dg), .udp = h->dg.active && dgpath_keyed(&h->dg),
		.udp_out = h->dg.st.out, .udp_out_bytes = h->dg.st.out_bytes,
		.udp_in = h->dg.st.in, .udp_in_bytes = h->dg.st.in_bytes,
		.drop_auth = h->dg.st.drop_auth, .drop_replay = h->dg.st.drop_replay,
		.udp_big = h->dg.st.big, .drop_udp = h->dg.st.drop_send,
		.drop_rogue = h->drop_rogue, .drop_flood = h->drop_flood,
	};
	snprintf(c->dev, sizeof(c->dev), "%s", h->spec.dev);
	host = h->state == H_UP ? h->raddr : h->redial ? h->redial->rhost : "-";
	port = h->state == H_UP ? h->rport : h->redial ? h->redial->rport : 0;
	snprintf(c->peer, sizeof(c->peer), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
		 (unsigned int)port);
}

int handler_stats(struct handler *h, const struct nl_link *links, size_t nlinks,
		  char *out, size_t cap)
{
	struct handler_counters c;
	int n;

	handler_counters(h, links, nlinks, &c);
	n = snprintf(out, cap, "%lu state=%s uptime=%llu reconnects=%llu out_frames=%llu "
		     "out_bytes=%llu in_frames=%llu in_bytes=%llu drop_filter=%llu "
		     "drop_queue=%llu drop_inject=%llu drop_oversize=%llu drop_unlisted=%llu "
		     "drop_offload=%llu reconnecting=%s drop_aqm=%llu mark_aqm=%llu "
		     "drop_device=%llu drop_loop=%llu drop_capture=%llu path=%s udp_out=%llu "
		     "udp_out_bytes=%llu udp_in=%llu udp_in_bytes=%llu drop_auth=%llu "
		     "drop_replay=%llu udp_big=%llu drop_udp=%llu drop_rogue=%llu drop_flood=%llu",
		     c.id, c.state,
		     (unsigned long long)c.uptime_s, (unsigned long long)c.reconnects,
		     (unsigned long long)c.out_frames, (unsigned long long)c.out_bytes,
		     (unsigned long long)c.in_frames, (unsigned long long)c.in_bytes,
		     (unsigned long long)c.drop_filter, (unsigned long long)c.drop_queue,
		     (unsigned long long)c.drop_inject, (unsigned long long)c.drop_oversize,
		     (unsigned long long)c.drop_unlisted, (unsigned long long)c.drop_offload,
		     c.reconnecting ? "yes" : "no", (unsigned long long)c.drop_aqm,
		     (unsigned long long)c.mark_aqm, (unsigned long long)c.drop_device,
		     (unsigned long long)c.drop_loop, (unsigned long long)c.drop_capture, c.path,
		     (unsigned long long)c.udp_out, (unsigned long long)c.udp_out_bytes,
		     (unsigned long long)c.udp_in, (unsigned long long)c.udp_in_bytes,
		     (unsigned long long)c.drop_auth, (unsigned long long)c.drop_replay,
		     (unsigned long long)c.udp_big, (unsigned long long)c.drop_udp,
		     (unsigned long long)c.drop_rogue, (unsigned long long)c.drop_flood);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int handler_describe(const struct handler *h, char *out, size_t cap)
{
	size_t pos_out;
	int n;

	if (h->state == H_UP)
		n = snprintf(out, cap, "%lu %s %s %u %s <-> %s %s %u %s", h->id,
			     proto_config_name(h->spec.conf), h->laddr, h->lport, h->spec.dev,
			     proto_config_name(h->spec.peer_conf), h->raddr, h->rport,
			     h->spec.peer_dev);
	else    /* no connection: where it is trying to go */
		n = snprintf(out, cap, "%lu %s - 0 %s <-> %s %s %u %s", h->id,
			     proto_config_name(h->spec.conf), h->spec.dev,
			     proto_config_name(h->spec.peer_conf), h->redial->rhost,
			     (unsigned int)h->redial->rport, h->spec.peer_dev);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	pos_out = (size_t)n;
	for (size_t m = 0; m < h->spec.nmacs; m++) {
		char mac[MAC_PATTERN_STRLEN];

		mac_pattern_format(&h->spec.macs[m], mac);
		n = snprintf(out + pos_out, cap - pos_out, " %s", mac);
		if (n < 0 || (size_t)n >= cap - pos_out)
			return -1;
		pos_out += (size_t)n;
	}
	/* VNET 0.9's format ends with the addresses: a reconnecting handler's state is in STATS?. */
	return (int)pos_out;
}

