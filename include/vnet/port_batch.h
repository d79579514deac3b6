/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * port_batch.h - small frames to inject, gathered to go in one system call
 *
 * A wake-up of the datagram path opens many datagrams, each a frame to inject;
 * on a packet socket one sendmmsg injects them all, where one sendmsg each
 * costs a system call a frame. The frames are copied here (they are small:
 * larger ones go alone, at once, after what is gathered), in the order they
 * came, and described as the messages sendmmsg takes. Pure: no I/O.
 */
#ifndef VNET_PORT_BATCH_H
#define VNET_PORT_BATCH_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define PORT_BATCH_FRAMES 64            /* frames a batch holds */
#define PORT_BATCH_SMALL  2048          /* the largest frame gathered; larger ones go alone */
#define PORT_BATCH_BYTES  (PORT_BATCH_FRAMES * 256)     /* their bytes, typically */

struct port_batch {
	unsigned int n;                 /* frames gathered */
	size_t used;                    /* of buf */
	struct virtio_net_hdr vh[PORT_BATCH_FRAMES];
	struct iovec iov[PORT_BATCH_FRAMES][2];     /* the metadata, the frame */
	struct mmsghdr msgs[PORT_BATCH_FRAMES];
	uint8_t buf[PORT_BATCH_BYTES + PORT_BATCH_SMALL];
};

/* Whether a frame of len bytes is gathered at all (else it goes alone). */
bool port_batch_small(size_t len);
/* Whether b has room for one more frame of len bytes (port_batch_small). */
bool port_batch_fits(const struct port_batch *b, size_t len);
/* Add the frame (len bytes, port_batch_fits) and its metadata after those gathered. */
void port_batch_add(struct port_batch *b, const struct virtio_net_hdr *vh, const uint8_t *frame,
		    size_t len);
/* The length of frame i (< b->n). */
size_t port_batch_len(const struct port_batch *b, unsigned int i);
/* Empty it. */
void port_batch_clear(struct port_batch *b);

#endif
