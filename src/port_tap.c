// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * port_tap.c - TAP port: vnet owns the Ethernet device
 *
 * A device named "tap:NAME" in the daemon's -d list is created at start
 * (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, refused if NAME exists) and lives as
 * long as vnet holds it open: it is not persistent, so it disappears when
 * vnet exits, even by SIGKILL. The host's TCP keeps its offloads: vnet tells
 * the TAP (TUNSETOFFLOAD) that it takes partial checksums and GSO frames,
 * which travel to the peer with their metadata. A handler on the TAP gets its
 * own descriptor (a dup) with the handler's BPF filter attached
 * (TUNATTACHFILTER), so the kernel drops the frames the handler must not
 * forward before any copy. One handler at a time uses a TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vnet/bpf.h"
#include "vnet/log.h"
#include "vnet/port.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

/* One of the daemon's TAP devices: its queue's descriptor, held until vnet exits. */
struct port_tap {
	struct port_tap *next;
	char name[IFNAMSIZ];
	int fd;
	bool busy;
};

static struct port_tap *tap_find(const struct port_taps *taps, const char *name)
{
	for (struct port_tap *t = taps->first; t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

bool port_tap_owned(const struct port_taps *taps, const char *name)
{
	return tap_find(taps, name) != NULL;
}

static int set_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(s);
	return ret;
}

int port_tap_create(struct port_taps *taps, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr = { 0 };
	unsigned int offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	struct port_tap *t;
	int fd, ret;

	if (tap_find(taps, name))
		return 0;
	if (if_nametoindex(name)) {
		snprintf(err, errlen, "device %s already exists and is not vnet's: vnet creates "
			 "its TAP devices itself (remove %s or choose another name)", name, name);
		return -EEXIST;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(errno));
		return ret;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* IFF_TUN_EXCL: never attach to a device someone else made meanwhile. */
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create TAP device %s: %s", name,
			 errno == EBUSY || errno == EEXIST ? "it already exists" : strerror(errno));
		close(fd);
		return ret;
	}
	/* USO needs Linux 6.2; older kernels take the rest. */
	if (ioctl(fd, TUNSETOFFLOAD, offloads | TUN_F_USO4 | TUN_F_USO6) < 0 &&
	    ioctl(fd, TUNSETOFFLOAD, offloads) < 0)
		log_warn("%s: cannot enable offloads (%s): the host will segment its TCP itself",
			 name, strerror(errno));
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->fd = fd;
	t->next = taps->first;
	taps->first = t;
	ret = set_up(name);
	if (ret < 0)
		log_warn("%s: cannot set it up: %s", name, strerror(-ret));
	log_info("created TAP device %s", name);
	return 0;
}

void port_tap_destroy_all(struct port_taps *taps)
{
	while (taps->first) {
		struct port_tap *t = taps->first;
		bool there = if_nametoindex(t->name) != 0;

		close(t->fd);      /* not persistent: the device goes with it */
		if (there)
			log_info("removed TAP device %s", t->name);
		taps->first = t->next;
		free(t);
	}
}

static int tap_start(struct port *p)
{
	uint8_t scrap[2048];

	/* Frames the host sent while no handler was there are stale: drop them. */
	for (int i = 0; i < 4096; i++)
		if (read(p->fd, scrap, sizeof(scrap)) < 0)
			break;
	return 0;
}

static ssize_t tap_recv(struct port *p, struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	struct iovec iov[2] = {
		{ .iov_base = vh, .iov_len = sizeof(*vh) },
		{ .iov_base = frame, .iov_len = cap },
	};
	ssize_t n = readv(p->fd, iov, 2);

	return port_received(&p->stats, n, false, cap);
}

static int tap_send(struct port *p, const struct virtio_net_hdr *vh, const uint8_t *frame,
		    size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)vh, .iov_len = sizeof(*vh) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};

	return port_sent(p, writev(p->fd, iov, 2), len);
}

static void tap_close(struct port *p)
{
	struct port_tap *t = p->backend;
	struct sock_fprog none = { 0 };

	if (p->fd >= 0) {
		/* The filter belongs to the TAP's queue, not to this descriptor. */
		ioctl(p->fd, TUNDETACHFILTER, &none);
		close(p->fd);
	}
	p->fd = -1;
	if (t)
		t->busy = false;
	p->backend = NULL;
}

static const struct port_ops tap_ops = {
	.filter_drops_in_tx_dropped = true,
	.start = tap_start,
	.recv = tap_recv,
	.send = tap_send,
	.close = tap_close,
};

int port_tap_open(struct port *p, struct port_taps *taps, const struct port_want *w, char *err,
		  size_t errlen)
{
	const char *name = w->dev;
	struct sock_filter prog[BPF_PROG_LEN(VNET_MACS_MAX)];
	struct sock_fprog fprog;
	struct port_tap *t = tap_find(taps, name);
	int ret;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->ops = &tap_ops;
	if (!t) {
		snprintf(err, errlen, "%s is not one of vnet's TAP devices", name);
		return -ENODEV;
	}
	if (t->busy) {
		snprintf(err, errlen, "TAP device %s is in use by another handler", name);
		return -EBUSY;
	}
	if (!if_nametoindex(name)) {
		/* Deleted by the administrator: vnet does not make it again behind their back. */
		snprintf(err, errlen, "device %s does not exist (vnet's TAP device was deleted)",
			 name);
		return -ENODEV;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifindex = (int)if_nametoindex(name);
	ret = port_filter(w, prog, ARRAY_SIZE(prog), &fprog, err, errlen);
	if (ret < 0)
		return ret;
	p->fd = fcntl(t->fd, F_DUPFD_CLOEXEC, 0);
	if (p->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot use %s: %s", name, strerror(errno));
		return ret;
	}
	if (ioctl(p->fd, TUNATTACHFILTER, &fprog) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot attach the filter to %s: %s", name, strerror(errno));
		close(p->fd);
		p->fd = -1;
		return ret;
	}
	t->busy = true;
	p->backend = t;
	return 0;
}
