// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * port_batch.c - small frames to inject, gathered to go in one system call
 * (sendmmsg on a packet socket: port_packet.c port_packet_write_many)
 */
#include <string.h>

#include "vnet/port_batch.h"

bool port_batch_small(size_t len)
{
	return len <= PORT_BATCH_SMALL;
}

bool port_batch_fits(const struct port_batch *b, size_t len)
{
	/* buf keeps PORT_BATCH_SMALL past PORT_BATCH_BYTES: the last frame always fits. */
	return port_batch_small(len) && b->n < PORT_BATCH_FRAMES && b->used < PORT_BATCH_BYTES;
}

void port_batch_add(struct port_batch *b, const struct virtio_net_hdr *vh, const uint8_t *frame,
		    size_t len)
{
	unsigned int i = b->n++;
	uint8_t *q = b->buf + b->used;

	memcpy(q, frame, len);
	b->used += len;
	b->vh[i] = *vh;
	b->iov[i][0] = (struct iovec){ &b->vh[i], sizeof(b->vh[i]) };
	b->iov[i][1] = (struct iovec){ q, len };
	b->msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = b->iov[i], .msg_iovlen = 2 } };
}

size_t port_batch_len(const struct port_batch *b, unsigned int i)
{
	return b->iov[i][1].iov_len;
}

void port_batch_clear(struct port_batch *b)
{
	b->n = 0;
	b->used = 0;
}
