/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.h - binary framing of the daemon-to-daemon link after BEGIN (pure)
 *
 * Message: a 4-byte big-endian header (type << 24 | length) and length bytes.
 *   FRAME_T_OFFLOAD  10-byte offload header, then the Ethernet frame
 *   FRAME_T_PLAIN    the Ethernet frame alone (no offload metadata)
 *   FRAME_T_KEEPALIVE  empty
 * Types 0x80-0xff are optional: a receiver skips those it does not know.
 * Any other unknown type, or a length out of bounds, is a protocol error.
 * The offload header (all big-endian) carries the kernel's virtio_net_hdr:
 *   flags u8, gso_type u8, hdr_len u16, gso_size u16, csum_start u16, csum_offset u16
 */
#ifndef VNET_FRAME_H
#define VNET_FRAME_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* UDP segmentation offload (Linux 6.2), missing from older headers such as Debian 12's */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define FRAME_HDR_LEN       4
#define FRAME_OFFLOAD_LEN   10
#define FRAME_ETH_MIN       14
#define FRAME_ETH_MAX       65792   /* 64 KiB GSO frame, headers and VLAN tags */
#define FRAME_MSG_MAX       (FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + FRAME_ETH_MAX)

enum frame_type {
	FRAME_T_OFFLOAD = 0x01,
	FRAME_T_PLAIN = 0x02,
	FRAME_T_KEEPALIVE = 0x03,
};

enum frame_status {
	FRAME_NEED_MORE,    /* incomplete: read more bytes */
	FRAME_OK,           /* one message decoded */
	FRAME_ERROR,        /* protocol error: close the link */
};

struct frame_msg {
	uint8_t type;
	bool has_frame;                 /* an Ethernet frame to inject */
	bool has_offload;               /* vh is meaningful */
	struct virtio_net_hdr vh;       /* host byte order, as the kernel wants it */
	const uint8_t *eth;
	size_t eth_len;
};

/* Write a message header. */
void frame_put_header(uint8_t out[FRAME_HDR_LEN], enum frame_type type, size_t len);
/* Write the offload header for vh (host order) in wire order. */
void frame_put_offload(uint8_t out[FRAME_OFFLOAD_LEN], const struct virtio_net_hdr *vh);

/*
 * Decode the first message of buf[0..len). On FRAME_OK *used is its size and
 * msg points into buf; on FRAME_ERROR err says why.
 */
enum frame_status frame_decode(const uint8_t *buf, size_t len, struct frame_msg *msg,
			       size_t *used, const char **err);

/* Check offload metadata against the frame it describes. */
bool frame_offload_valid(const struct virtio_net_hdr *vh, size_t eth_len, const char **err);

#endif
