// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler_dgram.c - a handler's datagrams as they arrive: opened by its
 * datagram path (dgpath.c), consecutive TCP segments of one flow coalesced
 * back into a super-frame (gso.c), then injected as the frames of its link
 * are (handler_path.c handler_deliver). Datagrams are not waited for: a
 * frame the port cannot take now is lost, as on a congested link.
 */
#include <errno.h>
#include <string.h>

#include "vnet/gso.h"
#include "handler_int.h"

#define DGRAM_READ_ROUNDS   8       /* batches read from a handler's own socket per wake-up */

/* One coalescing for the process (one loop), the handler it holds frames for in owner. */
static struct gso_coalesce coalesce;
static struct handler *coalesce_owner;

/* A frame from a datagram: not waited for when the port is full (lost, as on a congested link). */
static void handler_dgram_deliver(struct handler *h, const struct frame_msg *msg)
{
	handler_deliver_dgram(h, msg);
}

enum handler_end handler_dgram_done(struct handler *h)
{
	struct frame_msg msg = { .has_frame = true };
	size_t n;

	if (coalesce_owner != h)
		return HANDLER_GOES_ON;
	coalesce_owner = NULL;
	n = gso_coalesce_take(&coalesce, &msg.vh, &msg.eth);
	if (!n || h->closed)
		return HANDLER_GOES_ON;
	msg.eth_len = n;
	msg.has_offload = msg.vh.gso_type != VIRTIO_NET_HDR_GSO_NONE || msg.vh.flags;
	handler_dgram_deliver(h, &msg);
	return HANDLER_GOES_ON;
}

enum handler_end handler_dgram_in(struct handler *h, uint8_t *d, size_t len,
				  const struct sockaddr *from, socklen_t from_len)
{
	struct frame_msg msg;

	if (!dgpath_input(&h->dg, d, len, from, from_len, &msg))
		return HANDLER_GOES_ON;
	if (coalesce_owner && coalesce_owner != h)
		handler_dgram_done(coalesce_owner);
	if (msg.vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (coalesce_owner == h && gso_coalesce_add(&coalesce, &msg.vh, msg.eth, msg.eth_len))
			return HANDLER_GOES_ON;
		handler_dgram_done(h);
		if (gso_coalesce_add(&coalesce, &msg.vh, msg.eth, msg.eth_len)) {
			coalesce_owner = h;
			return HANDLER_GOES_ON;
		}
	} else {
		handler_dgram_done(h);
	}
	handler_dgram_deliver(h, &msg);
	return HANDLER_GOES_ON;
}

enum handler_end handler_dgram_ready(struct handler *h)
{
	for (int round = 0; round < DGRAM_READ_ROUNDS && !h->closed; round++) {
		unsigned int n = dgpath_rx(h->dg.fd);

		for (unsigned int i = 0; i < n && !h->closed; i++) {
			const struct sockaddr *from;
			socklen_t fl;
			size_t len;
			uint8_t *d = dgpath_rx_get(i, &len, &from, &fl);

			handler_dgram_in(h, d, len, from, fl);
		}
		handler_dgram_done(h);
		if (!n)
			break;
	}
	handler_inject_flush();
	return HANDLER_GOES_ON;
}
