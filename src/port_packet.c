// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * port_packet.c - AF_PACKET port: promiscuous capture through a kernel BPF filter, injection
 *
 * Loops: a packet socket never receives what it sends itself, and every frame
 * vnet injects carries VNET_MARK, which every handler's filter rejects when it
 * sees the frame leave. PACKET_IGNORE_OUTGOING would do the same but would
 * also hide the host's own frames, and frames a local bridge forwards out of
 * the device, from the handler.
 *
 * 802.1Q tags: the kernel hands a packet socket a received frame without its
 * tag, which it keeps in the metadata (PACKET_AUXDATA); packet_recv puts it
 * back, so the frame crosses tagged and is injected tagged on the far side.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vnet/bpf.h"
#include "vnet/frame.h"
#include "vnet/log.h"
#include "vnet/port.h"

#define PACKET_SOCKBUF (4 * 1024 * 1024)

int port_packet_bind(int fd, int ifindex, uint16_t proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = ifindex,
	};

	return bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ? -errno : 0;
}

static int packet_start(struct port *p)
{
	uint8_t scrap[256];

	/* Frames queued before (a reconnecting handler's outage) are stale: drop them. */
	for (int i = 0; i < 8192; i++)
		if (recv(p->fd, scrap, sizeof(scrap), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
	return port_packet_bind(p->fd, p->ifindex, ETH_P_ALL);
}

/* The 802.1Q tag the kernel moved into the frame's metadata, if any: true with *tpid, *tci. */
static bool packet_vlan(struct msghdr *msg, uint16_t *tpid, uint16_t *tci)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (!(aux.tp_status & TP_STATUS_VLAN_VALID))
			return false;
		*tpid = aux.tp_status & TP_STATUS_VLAN_TPID_VALID ? aux.tp_vlan_tpid : ETH_P_8021Q;
		*tci = aux.tp_vlan_tci;
		return true;
	}
	return false;
}

/* A read of n bytes (-1 with errno) by msg into vh, frame (cap): accounted, its tag put back. */
static ssize_t packet_received(struct port_stats *st, ssize_t n, struct msghdr *msg,
			       struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	size_t room = cap > FRAME_VLAN_HLEN ? cap - FRAME_VLAN_HLEN : 0;
	uint16_t tpid, tci;
	size_t tagged;

	n = port_received(st, n, n >= 0 && (msg->msg_flags & MSG_TRUNC), room);
	if (n < 0 || !packet_vlan(msg, &tpid, &tci))
		return n;
	tagged = frame_vlan_insert(vh, frame, (size_t)n, cap, tpid, tci);
	if (!tagged)
		return n;   /* a runt: dropped later */
	st->rx_bytes += FRAME_VLAN_HLEN;
	return (ssize_t)tagged;
}

/* The message of one read: metadata into vh, the frame into frame (room kept for a tag). */
static void packet_msg(struct msghdr *msg, struct iovec iov[2], void *control, size_t control_len,
		       struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	iov[0] = (struct iovec){ vh, sizeof(*vh) };
	iov[1] = (struct iovec){ frame, cap > FRAME_VLAN_HLEN ? cap - FRAME_VLAN_HLEN : 0 };
	*msg = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 2, .msg_control = control,
				.msg_controllen = control_len };
}

/*
 * Receive with room kept for a tag: the kernel strips 802.1Q tags into
 * metadata (always on receive, and on transmit with tx-vlan-offload), and
 * the tag goes back into the frame here so that it crosses to the peer.
 */
ssize_t port_packet_read(int fd, struct port_stats *st, struct virtio_net_hdr *vh,
			 uint8_t *frame, size_t cap)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} control;
	struct iovec iov[2];
	struct msghdr msg;

	packet_msg(&msg, iov, control.buf, sizeof(control.buf), vh, frame, cap);
	return packet_received(st, recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC), &msg, vh, frame,
			       cap);
}

int port_packet_read_many(int fd, struct port_stats *st, struct port_rx_slot *slots,
			  unsigned int n)
{
	struct mmsghdr msgs[PORT_RX_SLOTS];
	struct iovec iov[PORT_RX_SLOTS][2];
	int got;

	if (n > PORT_RX_SLOTS)
		n = PORT_RX_SLOTS;
	for (unsigned int i = 0; i < n; i++) {
		packet_msg(&msgs[i].msg_hdr, iov[i], slots[i].control,
			   sizeof(slots[i].control), &slots[i].vh, slots[i].frame,
			   sizeof(slots[i].frame));
		msgs[i].msg_len = 0;
	}
	got = recvmmsg(fd, msgs, n, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (got <= 0)
		return got < 0 ? (int)packet_received(st, -1, &msgs[0].msg_hdr, &slots[0].vh,
						       slots[0].frame, sizeof(slots[0].frame))
			       : -EAGAIN;
	for (int i = 0; i < got; i++)
		slots[i].len = packet_received(st, (ssize_t)msgs[i].msg_len, &msgs[i].msg_hdr,
					       &slots[i].vh, slots[i].frame,
					       sizeof(slots[i].frame));
	return got;
}

static ssize_t packet_recv(struct port *p, struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	return port_packet_read(p->fd, &p->stats, vh, frame, cap);
}

int port_packet_write(struct port *p, int fd, const struct virtio_net_hdr *vh,
		      const uint8_t *frame, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)vh, .iov_len = sizeof(*vh) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	return port_sent(p, sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL), len);
}

int port_packet_write_many(struct port *p, int fd, struct mmsghdr *msgs, unsigned int n)
{
	int ret = sendmmsg(fd, msgs, n, MSG_DONTWAIT | MSG_NOSIGNAL);

	/* After the first, an error is not reported: the caller's next call meets it. */
	if (ret < 0)
		return port_sent(p, ret, 0);
	if (ret == 0)
		return -EAGAIN;     /* not expected of n > 0: nothing was taken */
	for (int i = 0; i < ret; i++) {
		p->stats.tx_frames++;
		p->stats.tx_bytes += msgs[i].msg_hdr.msg_iov[msgs[i].msg_hdr.msg_iovlen - 1].iov_len;
	}
	return ret;
}

static int packet_send_many(struct port *p, struct mmsghdr *msgs, unsigned int n)
{
	return port_packet_write_many(p, p->fd, msgs, n);
}

static int packet_send(struct port *p, const struct virtio_net_hdr *vh, const uint8_t *frame,
		       size_t len)
{
	return port_packet_write(p, p->fd, vh, frame, len);
}

static void packet_close(struct port *p)
{
	/* Closing the socket drops its promiscuous membership: nothing else to undo. */
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static void packet_update_stats(struct port *p)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	/* The kernel resets its counters on every read: accumulate. */
	if (p->fd >= 0 && getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		p->stats.queue_drops += st.tp_drops;
}

static const struct port_ops packet_ops = {
	.start = packet_start,
	.recv = packet_recv,
	.send = packet_send,
	.send_many = packet_send_many,
	.close = packet_close,
	.update_stats = packet_update_stats,
};

static int setopt(int fd, int level, int name, const void *val, socklen_t len, const char *what,
		  char *err, size_t errlen)
{
	if (setsockopt(fd, level, name, val, len) == 0)
		return 0;
	snprintf(err, errlen, "cannot set %s: %s", what, strerror(errno));
	return -errno;
}

int port_packet_socket(int ifindex, const char *dev, int attach_opt, const void *attach,
		       socklen_t attach_len, char *err, size_t errlen)
{
	struct packet_mreq mreq;
	int one = 1, size = PACKET_SOCKBUF, ret, fd;
	uint32_t mark = VNET_MARK;

	/* Protocol 0: nothing is queued until the filter is in place and the owner binds. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open a packet socket: %s", strerror(errno));
		return ret;
	}
	if ((ret = setopt(fd, SOL_SOCKET, attach_opt, attach, attach_len, "the BPF filter", err,
			  errlen)) < 0 ||
	    (ret = setopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one),
			  "PACKET_VNET_HDR", err, errlen)) < 0 ||
	    (ret = setopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one),
			  "PACKET_AUXDATA", err, errlen)) < 0 ||
	    (ret = setopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark),
			  "SO_MARK", err, errlen)) < 0)
		goto fail;
	/* Larger buffers absorb bursts of 64 KiB frames; best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if ((ret = port_packet_bind(fd, ifindex, 0)) < 0) {
		snprintf(err, errlen, "cannot bind to %s: %s", dev, strerror(-ret));
		goto fail;
	}
	memset(&mreq, 0, sizeof(mreq));
	mreq.mr_ifindex = ifindex;
	mreq.mr_type = PACKET_MR_PROMISC;
	if ((ret = setopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq),
			  "promiscuous mode", err, errlen)) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return ret;
}

int port_packet_open(struct port *p, const struct port_want *w, char *err, size_t errlen)
{
	const char *dev = w->dev;
	struct sock_filter prog[BPF_PROG_LEN(VNET_MACS_MAX)];
	struct sock_fprog fprog;
	unsigned int ifindex = if_nametoindex(dev);
	int ret;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->ops = &packet_ops;
	if (!ifindex) {
		snprintf(err, errlen, "device %s does not exist", dev);
		return -ENODEV;
	}
	p->ifindex = (int)ifindex;
	snprintf(p->name, sizeof(p->name), "%s", dev);

	ret = port_filter(w, prog, ARRAY_SIZE(prog), &fprog, err, errlen);
	if (ret < 0)
		return ret;
	ret = port_packet_socket(p->ifindex, dev, SO_ATTACH_FILTER, &fprog, sizeof(fprog), err,
				 errlen);
	if (ret < 0)
		return ret;
	p->fd = ret;
	return 0;
}
