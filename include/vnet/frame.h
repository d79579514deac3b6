/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.h - binary framing of the daemon-to-daemon link after BEGIN (pure)
 *
 * Message: a 4-byte big-endian header (type << 24 | length) and length bytes.
 *   FRAME_T_OFFLOAD  10-byte offload header, then the Ethernet frame
 *   FRAME_T_PLAIN    the Ethernet frame alone (no offload metadata)
 *   FRAME_T_KEEPALIVE  empty
 *   FRAME_T_DGRAM_OFFER  (optional) the datagram path's offer, FRAME_OFFER_LEN bytes:
 *       version u8 (1), flags u8 (FRAME_OFFER_F_ACCEPT: the sender takes
 *       datagrams), port u16 (the UDP port the sender receives on), index u32
 *       (the receiver index its datagrams are to carry), nonce (32 bytes)
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
	FRAME_T_DGRAM_OFFER = 0x81,
};

#define FRAME_OFFER_LEN     40
#define FRAME_OFFER_VERSION 1
#define FRAME_OFFER_F_ACCEPT 0x01

struct frame_offer {
	uint8_t version, flags;
	uint16_t port;
	uint32_t index;
	uint8_t nonce[32];
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
	const uint8_t *body;            /* the message's payload, whatever its type */
	size_t body_len;
};

/* Write a message header. */
void frame_put_header(uint8_t out[FRAME_HDR_LEN], enum frame_type type, size_t len);
/* Write the offload header for vh (host order) in wire order. */
void frame_put_offload(uint8_t out[FRAME_OFFLOAD_LEN], const struct virtio_net_hdr *vh);

/* Write an offer message (header included) into out. */
void frame_put_offer(uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN], const struct frame_offer *o);
/* Read an offer from a decoded FRAME_T_DGRAM_OFFER message: false if its length or version is not ours. */
bool frame_get_offer(const struct frame_msg *msg, struct frame_offer *o);

/*
 * Decode the first message of buf[0..len). On FRAME_OK *used is its size and
 * msg points into buf; on FRAME_ERROR err says why.
 */
enum frame_status frame_decode(const uint8_t *buf, size_t len, struct frame_msg *msg,
			       size_t *used, const char **err);

/*
 * Check offload metadata on its own: known flags and segmentation type, a
 * segment size with segmentation, no ECN bit without it. These are framing
 * rules, whose breach is a protocol error (frame_decode applies them). How
 * the metadata fits its frame is frame_offload_safe's question.
 */
bool frame_offload_valid(const struct virtio_net_hdr *vh, const char **err);

/*
 * Put back the 802.1Q (or 802.1ad) tag tpid/tci that the kernel took out of
 * the frame eth[0..len) into its metadata (rx-vlan-offload, and always on
 * receive before packet sockets see the frame): the tag goes after the
 * source address, and the offload offsets that count from the frame's start
 * (csum_start when the checksum is partial, hdr_len when set) move by 4.
 * eth has room for cap bytes. Returns the new length, or 0 (nothing changed)
 * if the frame is shorter than an Ethernet header or the tag does not fit.
 */
#define FRAME_VLAN_HLEN     4
size_t frame_vlan_insert(struct virtio_net_hdr *vh, uint8_t *eth, size_t len, size_t cap,
			 uint16_t tpid, uint16_t tci);

/*
 * Bounds on segmentation offload from the peer. The receiving kernel cuts a
 * super-frame into packets of gso_size payload bytes, in software when the
 * device has no TSO: left unbounded, one 64 KiB frame with gso_size 1 makes
 * 64,000 packets (a CPU and network amplifier).
 * FRAME_GSO_SIZE_MIN: no real path cuts segments this small. The smallest
 * Linux makes from a path MTU is 500 bytes (its 552-byte minimum, less
 * headers and timestamps); IPv4's default MSS is 536, an IPv6 path carries at
 * least 1220. Only a TCP connection whose far end announces an MSS below 256
 * (Linux accepts down to 48) gets its super-frames refused: a deliberate trade.
 * FRAME_GSO_SEGS_MAX: a Linux super-frame is at most 65,536 bytes, that is at
 * most 256 segments of 256 bytes, so no frame within the size rule made by a
 * real sender is cut in more (a usual 64 KiB TCP frame, MSS 1448, makes 45;
 * Linux's UDP segmentation sends 64 or 128 at most, by version). It also
 * bounds the frames of up to 65,792 bytes that VLAN tags allow.
 */
#define FRAME_GSO_SIZE_MIN  256
#define FRAME_GSO_SEGS_MAX  256

/*
 * Whether the frame of len bytes at eth is a TCP segment with RST set: IPv4
 * (not a fragment) or IPv6, behind up to two VLAN tags.
 */
bool frame_tcp_reset(const uint8_t *eth, size_t len);

/*
 * Whether a frame with valid offload metadata (frame_offload_valid) is safe to
 * inject: its checksum field (csum_start + csum_offset + 2, when the checksum
 * is partial; csum_start past the Ethernet header) and hdr_len within the
 * frame, and no segmentation, or segmentation whose type matches the frame's
 * EtherType (after up to two 802.1Q/802.1ad tags) and IP protocol, whose
 * headers lie within the frame, with gso_size >= FRAME_GSO_SIZE_MIN and at
 * most FRAME_GSO_SEGS_MAX segments. UDP fragmentation offload (UFO,
 * VIRTIO_NET_HDR_GSO_UDP), which turns one frame into IP fragments, is never
 * safe. On false, why says why. A refused frame is dropped, not a protocol
 * error.
 */
bool frame_offload_safe(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t eth_len,
			const char **why);

#endif
