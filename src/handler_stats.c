// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler_stats.c - what HANDLERS? and STATS? say of each handler
 *
 * STATS? counts, for each handler, the frames it forwarded and injected and
 * the ones dropped on the way, and what its device saw that the filter kept
 * out (the device's counters since the handler began, less what the handler
 * handled, and less what its shared capture lost without knowing whose).
 */
#include <stdio.h>
#include <stdlib.h>

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

int handler_stats(struct handler *h, const struct nl_link *links, size_t nlinks,
		  char *out, size_t cap)
{
	struct port_stats all;
	const struct port_stats *st = &all;
	uint64_t seen, forwarded, filtered;
	int n;

	handler_port_stats(h, &all);
	/* What the device saw that is neither forwarded nor injected: filtered out. */
	seen = h->state == H_NODEV ? 0 : handler_device_frames(h, links, nlinks) - h->dev_base;
	forwarded = st->rx_frames + st->rx_oversize + st->queue_drops + st->device_drops +
		    st->loop_drops + st->tx_frames;
	filtered = seen > forwarded ? seen - forwarded : 0;
	n = snprintf(out, cap, "%lu state=%s uptime=%llu reconnects=%u out_frames=%llu "
		     "out_bytes=%llu in_frames=%llu in_bytes=%llu drop_filter=%llu "
		     "drop_queue=%llu drop_inject=%llu drop_oversize=%llu drop_unlisted=%llu "
		     "drop_offload=%llu reconnecting=%s drop_aqm=%llu mark_aqm=%llu "
		     "drop_device=%llu drop_loop=%llu drop_capture=%llu path=%s udp_out=%llu "
		     "udp_out_bytes=%llu udp_in=%llu udp_in_bytes=%llu drop_auth=%llu "
		     "drop_replay=%llu udp_big=%llu drop_udp=%llu drop_rogue=%llu drop_flood=%llu", h->id,
		     h->closed ? "closed" : state_names[h->state],
		     (unsigned long long)(h->state == H_UP && !h->closed ? (loop_now_ms() - h->up_since) / 1000 : 0),
		     h->reconnects, (unsigned long long)st->rx_frames,
		     (unsigned long long)st->rx_bytes, (unsigned long long)st->tx_frames,
		     (unsigned long long)st->tx_bytes, (unsigned long long)filtered,
		     (unsigned long long)st->queue_drops, (unsigned long long)h->inject_drops,
		     (unsigned long long)st->rx_oversize, (unsigned long long)h->drop_unlisted,
		     (unsigned long long)h->drop_offload, handler_reconnects(h) ? "yes" : "no",
		     (unsigned long long)(h->aqm ? h->aqm->drops : 0),
		     (unsigned long long)(h->aqm ? h->aqm->marks : 0),
		     (unsigned long long)st->device_drops,
		     (unsigned long long)(st->loop_drops + h->drop_loop),
		     (unsigned long long)st->rx_errors, dgpath_name(&h->dg),
		     (unsigned long long)h->dg.st.out, (unsigned long long)h->dg.st.out_bytes,
		     (unsigned long long)h->dg.st.in, (unsigned long long)h->dg.st.in_bytes,
		     (unsigned long long)h->dg.st.drop_auth, (unsigned long long)h->dg.st.drop_replay,
		     (unsigned long long)h->dg.st.big, (unsigned long long)h->dg.st.drop_send,
		     (unsigned long long)h->drop_rogue, (unsigned long long)h->drop_flood);
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

