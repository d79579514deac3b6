/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gso.h - segmentation and coalescing in software, for the datagram path (pure)
 *
 * Sending: a super-frame the kernel handed over with segmentation offload
 * (virtio_net_hdr: TCPv4, TCPv6 or UDP_L4; IPv4 or IPv6; up to two VLAN tags),
 * or a frame too large for one datagram, is cut into complete frames that
 * each fit, with their IP and L4 checksums computed as a NIC would.
 * Receiving: consecutive TCP segments of one flow are coalesced back into one
 * super-frame (as the kernel's GRO) before injection.
 */
#ifndef VNET_GSO_H
#define VNET_GSO_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Cut eth[0..len) (offload metadata vh) into frames of at most max_frame
 * bytes each, written at out, out + stride, out + 2 * stride... (at most
 * max_segs; stride >= max_frame), their lengths in lens[]. Every segment but
 * the last has the same length. Complete checksums (no offload left); TCP
 * flags as a NIC sets them (FIN and PSH on the last only, CWR on the first
 * only), IPv4 ids counting up, IPv6 payload lengths. A frame with no
 * segmentation but a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM) comes
 * out as one frame with its checksum completed; a TCP frame of no
 * segmentation longer than max_frame is cut too.
 * Returns the number of segments, or -EINVAL (not a frame it can cut:
 * unknown headers, UFO, a non-TCP/UDP frame longer than max_frame, more than
 * max_segs segments) or -EMSGSIZE (headers alone exceed max_frame, or a
 * UDP_L4 datagram, which cannot be cut smaller, does not fit in it).
 */
int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
		size_t max_frame, uint8_t *out, size_t stride, size_t max_segs, size_t *lens);

/*
 * As gso_segment, but when vh's partial checksum (NEEDS_CSUM) lies at the
 * L4 checksum of a frame it cuts (as the kernel hands over every
 * super-frame), the segments keep partial checksums: their L4 checksum
 * field holds their pseudo-header's sum (not inverted), for the receiving
 * stack to complete, and their payload is not summed; *partial then says
 * true. For a receiver that passes them on with NEEDS_CSUM (gso_partial_vh).
 */
int gso_segment_partial(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
			size_t max_frame, uint8_t *out, size_t stride, size_t max_segs,
			size_t *lens, bool *partial);

/*
 * The offload header of a segment cut by gso_segment_partial with partial
 * checksums: NEEDS_CSUM at its TCP or UDP checksum. False (vh zeroed) if
 * eth[0..len) is no TCP or UDP frame gso_segment could cut.
 */
bool gso_partial_vh(const uint8_t *eth, size_t len, struct virtio_net_hdr *vh);

/*
 * Clamp the MSS option of a TCP SYN in eth[0..len) (IPv4 or IPv6, VLAN tags)
 * to at most mss, fixing its checksum (incrementally; a partial checksum in
 * vh is left as it is). True if the frame was changed.
 */
bool gso_clamp_mss(const struct virtio_net_hdr *vh, uint8_t *eth, size_t len, uint16_t mss);

/*
 * Receive coalescing: frames (complete, checksums valid) are added one by
 * one; consecutive TCP segments of one flow, in order, the same header
 * (addresses, ports, ack, window, options, flags but PSH on the last), each
 * of the first one's payload size except a shorter last, are held and
 * joined into one super-frame of at most GSO_MAX_BYTES and GSO_MAX_SEGS
 * segments.
 */
#define GSO_MAX_BYTES   65535
#define GSO_MAX_SEGS    64

struct gso_coalesce {
	uint8_t buf[GSO_MAX_BYTES + 4 * 2 + 14];    /* the super-frame being built */
	size_t len;             /* 0: nothing held */
	unsigned int segs;
	/* the rest is the implementation's */
	size_t l3, l4, hdr_len, seg_size;
	uint32_t next_seq;
	bool ipv6, closed, partial;     /* partial: the first one's checksum */
};

/*
 * Hold a copy of eth[0..len) (vh: no segmentation; a partial checksum only
 * at its TCP checksum, as gso_partial_vh sets it, and then trusted, not
 * checked) joined to what is held,
 * if it continues it: true. False: it does not (not a TCP segment of the
 * held flow in order, or the held super-frame is full or closed); nothing
 * changed: flush what is held (gso_coalesce_take), then add it again, or
 * send it on as it is when gso_coalesce_add refuses it while nothing is held
 * (not coalescable at all).
 */
bool gso_coalesce_add(struct gso_coalesce *c, const struct virtio_net_hdr *vh, const uint8_t *eth,
		      size_t len);

/*
 * Give out what is held: *eth and the length returned (0: nothing held),
 * with vh set for injection: one segment as it came (its partial checksum,
 * if it had one, or no offload); several,
 * a TCPv4 or TCPv6 super-frame (gso_size the first's payload size, its IP
 * header's length fields set for the whole, a partial checksum: the
 * pseudo-header's sum in the TCP checksum field, NEEDS_CSUM, csum_start and
 * csum_offset). Then nothing is held. The frame stays valid until the next add.
 */
size_t gso_coalesce_take(struct gso_coalesce *c, struct virtio_net_hdr *vh, const uint8_t **eth);

#endif
