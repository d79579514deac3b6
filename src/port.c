// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * port.c - what the port back-ends share: their filter, the accounting of a
 * read or a write, what a receive error means, and adding counters. The
 * back-ends (port_packet.c, port_tap.c, capture.c) call it; port_open.c,
 * which chooses among them, is above them all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vnet/bpf.h"
#include "vnet/port.h"

int port_filter(const struct port_want *w, struct sock_filter *prog, size_t cap,
		struct sock_fprog *fprog, char *err, size_t errlen)
{
	int len = bpf_build(w->cfg, w->macs, w->nmacs, VNET_MARK, prog, cap);

	if (len < 0) {
		snprintf(err, errlen, "cannot build the filter: %s", strerror(-len));
		return len;
	}
	fprog->len = (unsigned short)len;
	fprog->filter = prog;
	return 0;
}

ssize_t port_received(struct port_stats *st, ssize_t n, bool truncated, size_t cap)
{
	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	if ((size_t)n < sizeof(struct virtio_net_hdr))
		return -EIO;
	n -= (ssize_t)sizeof(struct virtio_net_hdr);
	if (truncated || (size_t)n > cap) {
		st->rx_oversize++;
		return -EMSGSIZE;
	}
	st->rx_frames++;
	st->rx_bytes += (uint64_t)n;
	return n;
}

enum port_rx_err port_rx_error(ssize_t err)
{
	switch (err) {
	case -EAGAIN:
		return PORT_RX_AGAIN;
	case -ENETDOWN:
		return PORT_RX_DOWN;
	case -EMSGSIZE:
		return PORT_RX_OVERSIZE;
	case -EINVAL:   /* packet_recvmsg, tun_put_user: the frame is freed */
	case -EIO:      /* port_received: shorter than its virtio_net_hdr */
		return PORT_RX_SKIP;
	case -ENODEV:
	case -ENXIO:
	case -EBADFD:   /* a TAP whose device was deleted */
		return PORT_RX_GONE;
	default:
		return PORT_RX_ODD;
	}
}

void port_stats_add(struct port_stats *to, const struct port_stats *from)
{
	to->rx_frames += from->rx_frames;
	to->rx_bytes += from->rx_bytes;
	to->tx_frames += from->tx_frames;
	to->tx_bytes += from->tx_bytes;
	to->rx_oversize += from->rx_oversize;
	to->tx_errors += from->tx_errors;
	to->queue_drops += from->queue_drops;
	to->rx_errors += from->rx_errors;
	to->device_drops += from->device_drops;
	to->loop_drops += from->loop_drops;
}

int port_sent(struct port *p, ssize_t ret, size_t len)
{
	if (ret < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return -EAGAIN;
		p->stats.tx_errors++;
		return -errno;
	}
	p->stats.tx_frames++;
	p->stats.tx_bytes += len;
	return 0;
}
