/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * port.h - where a handler meets Ethernet: one small interface, several back-ends
 *
 * A port receives the frames its filter accepts and injects frames, both with
 * the kernel's offload metadata (struct virtio_net_hdr). Its descriptor is
 * registered in the loop by its owner; readiness is the usual EPOLLIN/EPOLLOUT.
 */
#ifndef VNET_PORT_H
#define VNET_PORT_H

#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "vnet/common.h"
#include "vnet/frame.h"
#include "vnet/mac.h"

struct port;

/*
 * The owner of a port fed by a capture it shares with other ports (a
 * device's shared capture): frames are pushed to it, never read by it.
 */
struct port_client {
	/*
	 * Where one frame of up to FRAME_ETH_MAX bytes goes, or NULL: no room
	 * (or not connected). deep: the queue may grow past its usual bound
	 * (VNET_QUEUE_BYTES), up to VNET_QUEUE_DEEP more, rather than the
	 * frame be lost; the capture bounds what all its clients hold so.
	 */
	uint8_t *(*room)(void *ctx, bool deep);
	/* The bytes queued past the usual bound (0: within it). */
	size_t (*deep_bytes)(void *ctx);
	/* The frame of len bytes written at room() is taken, with its metadata. */
	void (*take)(void *ctx, const struct virtio_net_hdr *vh, size_t len);
	/* A batch of frames ended, in which it took some: send them. */
	void (*flush)(void *ctx);
	/* Injection may go on after -EAGAIN from send(). */
	void (*writable)(void *ctx);
	/* The device went down (said once; capture resumes when it is up). */
	void (*down)(void *ctx);
	/* The capture failed (why): the port is of no more use. */
	void (*failed)(void *ctx, const char *why);
};

struct port_ops {
	/*
	 * The device counts as tx_dropped the frames it sent toward the port that
	 * the port's filter refused (a TAP: its reader is vnet): STATS? adds them
	 * to what the device saw.
	 */
	bool filter_drops_in_tx_dropped;
	/* Start receiving (frames before this are not queued). 0 or -errno. */
	int (*start)(struct port *p);
	/*
	 * Receive one frame into frame[0..cap) and its metadata into *vh.
	 * Returns its length, -EAGAIN when there is none, -EMSGSIZE for a frame
	 * larger than cap (dropped), or another -errno (port_rx_error says what
	 * it means).
	 */
	ssize_t (*recv)(struct port *p, struct virtio_net_hdr *vh, uint8_t *frame, size_t cap);
	/* Inject one frame. 0, -EAGAIN (try again when writable), or -errno (dropped). */
	int (*send)(struct port *p, const struct virtio_net_hdr *vh, const uint8_t *frame,
		    size_t len);
	/*
	 * Inject the frames msgs[0..n) describe (port_batch.h: metadata, frame) in
	 * one system call, in order; NULL where the back-end cannot (a TAP: send
	 * each). How many were injected, the first ones (at least 1), or -errno
	 * for the first (-EAGAIN: try again when writable; else it is dropped).
	 */
	int (*send_many)(struct port *p, struct mmsghdr *msgs, unsigned int n);
	/* Close the descriptor and release what the port holds. */
	void (*close)(struct port *p);
	/* Bring stats.queue_drops and device_drops up to date (may be NULL). */
	void (*update_stats)(struct port *p);
	/*
	 * A shared port (NULL for the others, whose fd the owner watches): the
	 * client to push frames to, set before start(); and the call that says
	 * the client has room again after room() said it had none.
	 */
	void (*bind)(struct port *p, const struct port_client *c, void *ctx);
	void (*resume)(struct port *p);
};

struct port_stats {
	uint64_t rx_frames, rx_bytes;       /* captured */
	uint64_t tx_frames, tx_bytes;       /* injected */
	uint64_t rx_oversize, tx_errors;    /* dropped */
	uint64_t queue_drops;               /* dropped by the kernel: our queue was full */
	uint64_t device_drops;              /* dropped by the kernel on a capture shared */
					    /* with other ports: whose, no one knows */
	uint64_t loop_drops;                /* captured, but injected by this daemon lately */
	uint64_t rx_errors;                 /* lost to a receive error (port_rx_error) */
};

/*
 * What a receive error means. A frame the kernel cannot hand over (EINVAL:
 * offload metadata it cannot put in a virtio_net_hdr, such as UDP
 * fragmentation from a guest; EIO: shorter than that header) is taken off
 * the queue and lost alone: PORT_RX_SKIP. An error not known to be of one
 * frame is counted the same, but it may repeat without consuming anything:
 * PORT_RX_ODD, after which the reader leaves the descriptor alone for
 * PORT_RX_ODD_HOLD_MS (a persistent one costs a read every that often, not a
 * busy loop). Only a device that is gone ends the port.
 */
#define PORT_RX_ODD_HOLD_MS 100
enum port_rx_err {
	PORT_RX_AGAIN,      /* nothing to read now (-EAGAIN) */
	PORT_RX_DOWN,       /* the device is down (-ENETDOWN): capture resumes when it is up */
	PORT_RX_OVERSIZE,   /* larger than the room given (-EMSGSIZE), dropped */
	PORT_RX_SKIP,       /* that frame was lost */
	PORT_RX_ODD,        /* skipped; read no more for PORT_RX_ODD_HOLD_MS */
	PORT_RX_GONE,       /* the device is gone (-ENODEV, -ENXIO, -EBADFD): the port is useless */
};
enum port_rx_err port_rx_error(ssize_t err);
/* Add the counters of from to those of to. */
void port_stats_add(struct port_stats *to, const struct port_stats *from);

struct port {
	const struct port_ops *ops;
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
	struct port_stats stats;
	void *backend;      /* the back-end's own (a TAP: its entry in the set) */
};

/* What a port is opened for: its device, our side of the handler, the addresses it is for. */
struct port_want {
	const char *dev;
	enum vnet_config cfg;
	const struct mac_pattern *macs;
	size_t nmacs;
};

/*
 * AF_PACKET port on device w->dev: promiscuous, PACKET_VNET_HDR, outgoing frames
 * ignored, a kernel BPF filter built from (w->cfg, w->macs). err gets a reason
 * fit for "NOK reason" on failure. 0 or -errno.
 */
int port_packet_open(struct port *p, const struct port_want *w, char *err, size_t errlen);

/*
 * TAP devices owned by vnet ("tap:NAME" in -d): created at start, gone when
 * vnet exits. The daemon holds the set (struct daemon's tapdevs); the TAP
 * back-end alone knows what is in it. A device that exists already is
 * refused (err says so).
 */
struct port_tap;
struct capture_set;
struct port_taps {
	struct port_tap *first;
	struct capture_set *shared;  /* the other devices' shared captures (capture.c), or NULL */
};
int port_tap_create(struct port_taps *taps, const char *name, char *err, size_t errlen);
bool port_tap_owned(const struct port_taps *taps, const char *name);
void port_tap_destroy_all(struct port_taps *taps);
/* A port on vnet's TAP name (one handler at a time), filtered in the kernel. */
int port_tap_open(struct port *p, struct port_taps *taps, const struct port_want *w, char *err,
		  size_t errlen);

/* For the back-ends: the BPF filter of (cfg, macs) into prog/fprog; 0 or -errno with err. */
struct sock_filter;
struct sock_fprog;
int port_filter(const struct port_want *w, struct sock_filter *prog, size_t cap,
		struct sock_fprog *fprog, char *err, size_t errlen);
/* Account a read of n bytes (virtio header included, -1 with errno); what recv returns. */
ssize_t port_received(struct port_stats *st, ssize_t n, bool truncated, size_t cap);

/* For the shared capture: what an AF_PACKET port does, on a descriptor of its own. */
/*
 * A packet socket on ifindex (dev for messages) with its filter attached
 * (setsockopt SOL_SOCKET attach_opt), PACKET_VNET_HDR, PACKET_AUXDATA,
 * VNET_MARK, promiscuous, bound with protocol 0 (nothing queued yet).
 * The descriptor, or -errno with err.
 */
int port_packet_socket(int ifindex, const char *dev, int attach_opt, const void *attach,
		       socklen_t attach_len, char *err, size_t errlen);
/* Bind fd to ifindex for proto (ETH_P_ALL starts capture). 0 or -errno. */
int port_packet_bind(int fd, int ifindex, uint16_t proto);
/* Read one frame as an AF_PACKET port's recv does, 802.1Q tag put back, accounted in st. */
ssize_t port_packet_read(int fd, struct port_stats *st, struct virtio_net_hdr *vh,
			 uint8_t *frame, size_t cap);
/* One frame of port_packet_read_many: its metadata and length (or -errno as recv's). */
#define PORT_RX_SLOTS 16
struct port_rx_slot {
	struct virtio_net_hdr vh;
	ssize_t len;
	/*
	 * Aligned as a cmsghdr but not a union with one: glibc's struct cmsghdr
	 * ends in a flexible array member, which clang refuses (-Wgnu-variable-
	 * sized-type-not-at-end) in a field that is not the struct's last.
	 */
	_Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	uint8_t frame[FRAME_ETH_MAX];
};
/*
 * Read up to n (at most PORT_RX_SLOTS) frames in one call (recvmmsg) into slots
 * as port_packet_read does, each's result in its len: how many, or -errno
 * when none (-EAGAIN: nothing to read).
 */
int port_packet_read_many(int fd, struct port_stats *st, struct port_rx_slot *slots,
			  unsigned int n);
/* Inject one frame as an AF_PACKET port's send does, accounted in p. */
int port_packet_write(struct port *p, int fd, const struct virtio_net_hdr *vh,
		      const uint8_t *frame, size_t len);
/* Inject msgs[0..n) as an AF_PACKET port's send_many does (sendmmsg), accounted in p. */
int port_packet_write_many(struct port *p, int fd, struct mmsghdr *msgs, unsigned int n);
/* Account a write (its return value, -1 with errno); what send returns. */
int port_sent(struct port *p, ssize_t ret, size_t len);

/*
 * port_open.c: either kind, a TAP port for vnet's own TAP devices (in taps), else a port
 * of the device's shared capture (taps->shared) or an AF_PACKET port of its own.
 */
int port_open(struct port *p, struct port_taps *taps, const struct port_want *w, char *err,
	      size_t errlen);

#endif
