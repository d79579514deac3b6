// SPDX-License-Identifier: GPL-2.0-or-later
/* frame.c - binary framing of the daemon-to-daemon link */
#include <netinet/in.h>
#include <string.h>

#include "vnet/frame.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void frame_put_header(uint8_t out[FRAME_HDR_LEN], enum frame_type type, size_t len)
{
	out[0] = (uint8_t)type;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

void frame_put_offload(uint8_t out[FRAME_OFFLOAD_LEN], const struct virtio_net_hdr *vh)
{
	out[0] = vh->flags;
	out[1] = vh->gso_type;
	put16(out + 2, vh->hdr_len);
	put16(out + 4, vh->gso_size);
	put16(out + 6, vh->csum_start);
	put16(out + 8, vh->csum_offset);
}

void frame_put_offer(uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN], const struct frame_offer *o)
{
	uint8_t *p = out + FRAME_HDR_LEN;

	frame_put_header(out, FRAME_T_DGRAM_OFFER, FRAME_OFFER_LEN);
	p[0] = o->version;
	p[1] = o->flags;
	put16(p + 2, o->port);
	put16(p + 4, (uint16_t)(o->index >> 16));
	put16(p + 6, (uint16_t)o->index);
	memcpy(p + 8, o->nonce, sizeof(o->nonce));
}

bool frame_get_offer(const struct frame_msg *msg, struct frame_offer *o)
{
	const uint8_t *p = msg->body;

	if (msg->type != FRAME_T_DGRAM_OFFER || msg->body_len != FRAME_OFFER_LEN ||
	    p[0] != FRAME_OFFER_VERSION)
		return false;
	o->version = p[0];
	o->flags = p[1];
	o->port = get16(p + 2);
	o->index = (uint32_t)get16(p + 4) << 16 | get16(p + 6);
	memcpy(o->nonce, p + 8, sizeof(o->nonce));
	return true;
}

bool frame_offload_valid(const struct virtio_net_hdr *vh, const char **err)
{
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (vh->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) {
		*err = "unknown offload flags";
		return false;
	}
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			*err = "ECN bit without segmentation";
			return false;
		}
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_UDP:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		break;
	default:
		*err = "unknown segmentation type";
		return false;
	}
	if (vh->gso_size == 0) {
		*err = "segmentation without a segment size";
		return false;
	}
	return true;
}

/* Do the offsets of the metadata lie within the frame (the kernel refuses them otherwise)? */
static bool offload_fits(const struct virtio_net_hdr *vh, size_t eth_len, const char **why)
{
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (vh->csum_start < FRAME_ETH_MIN ||
	     (size_t)vh->csum_start + vh->csum_offset + 2 > eth_len)) {
		*why = "checksum offset outside the frame";
		return false;
	}
	if (vh->hdr_len > eth_len) {
		*why = "header length beyond the frame";
		return false;
	}
	return true;
}

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_IPV6  0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define VLAN_TAGS_MAX   2       /* 802.1ad + 802.1Q (QinQ) */
#define IPV6_EXT_MAX    4       /* extension headers walked before the transport header */
#define TCP_FLAG_RST    0x04    /* in the TCP header's octet 13 */

/*
 * The offset of the transport header of an IP frame and its IP protocol;
 * false if the frame is not IPv4 or IPv6 or its IP headers are cut short.
 * *v6 tells which IP version it is.
 */
static bool ip_transport(const uint8_t *eth, size_t len, size_t *l4, uint8_t *proto, bool *v6,
			 const char **why)
{
	size_t off = FRAME_ETH_MIN;
	uint16_t type = get16(eth + 12);

	for (int tags = 0; type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD; tags++) {
		if (tags == VLAN_TAGS_MAX || off + 4 > len) {
			*why = "segmentation of a frame with too many or cut VLAN tags";
			return false;
		}
		type = get16(eth + off + 2);
		off += 4;
	}
	if (type == ETHERTYPE_IPV4) {
		size_t ihl;

		if (off + 20 > len || eth[off] >> 4 != 4 || (ihl = (eth[off] & 0x0fu) * 4u) < 20 ||
		    off + ihl > len) {
			*why = "segmentation of a frame with a bad IPv4 header";
			return false;
		}
		if (get16(eth + off + 6) & 0x3fff) {
			*why = "segmentation of an IPv4 fragment";
			return false;
		}
		*proto = eth[off + 9];
		*l4 = off + ihl;
		*v6 = false;
		return true;
	}
	if (type == ETHERTYPE_IPV6) {
		uint8_t next;

		if (off + 40 > len || eth[off] >> 4 != 6) {
			*why = "segmentation of a frame with a bad IPv6 header";
			return false;
		}
		next = eth[off + 6];
		off += 40;
		/* Hop-by-hop, routing and destination options may precede the transport header. */
		for (int i = 0; i < IPV6_EXT_MAX && (next == 0 || next == 43 || next == 60); i++) {
			if (off + 8 > len) {
				*why = "segmentation of a frame with a cut IPv6 extension header";
				return false;
			}
			next = eth[off];
			off += ((size_t)eth[off + 1] + 1) * 8;
		}
		*proto = next;
		*l4 = off;
		*v6 = true;
		return true;
	}
	*why = "segmentation of a frame that is neither IPv4 nor IPv6";
	return false;
}

bool frame_tcp_reset(const uint8_t *eth, size_t len)
{
	const char *why;
	uint8_t proto;
	size_t l4;
	bool v6;

	return len >= FRAME_ETH_MIN && ip_transport(eth, len, &l4, &proto, &v6, &why) &&
	       proto == IPPROTO_TCP && l4 + 14 <= len && (eth[l4 + 13] & TCP_FLAG_RST);
}

bool frame_offload_safe(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t eth_len,
			const char **why)
{
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN, proto = 0;
	size_t l4 = 0, hdr, segs;
	bool v6 = false;

	if (!offload_fits(vh, eth_len, why))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return true;
	if (gso == VIRTIO_NET_HDR_GSO_UDP) {
		*why = "UDP fragmentation offload (UFO)";
		return false;
	}
	if (vh->gso_size < FRAME_GSO_SIZE_MIN) {
		*why = "segment size below the minimum";
		return false;
	}
	if (eth_len < FRAME_ETH_MIN || !ip_transport(eth, eth_len, &l4, &proto, &v6, why))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (v6 != (gso == VIRTIO_NET_HDR_GSO_TCPV6) || proto != IPPROTO_TCP) {
			*why = "TCP segmentation of a frame that is not TCP of that IP version";
			return false;
		}
		hdr = l4 + 20 > eth_len ? 0 : l4 + (size_t)(eth[l4 + 12] >> 4) * 4;
		if (hdr < l4 + 20 || hdr > eth_len) {
			*why = "TCP segmentation of a frame with a bad TCP header";
			return false;
		}
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (proto != IPPROTO_UDP) {
			*why = "UDP segmentation of a frame that is not UDP";
			return false;
		}
		if (vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) {
			*why = "ECN bit on UDP segmentation";
			return false;
		}
		if (l4 + 8 > eth_len) {
			*why = "UDP segmentation of a frame with a cut UDP header";
			return false;
		}
		hdr = l4 + 8;
		break;
	default:
		*why = "unknown segmentation type";
		return false;
	}
	segs = (eth_len - hdr + vh->gso_size - 1) / vh->gso_size;
	if (segs > FRAME_GSO_SEGS_MAX) {
		*why = "too many segments";
		return false;
	}
	return true;
}

size_t frame_vlan_insert(struct virtio_net_hdr *vh, uint8_t *eth, size_t len, size_t cap,
			uint16_t tpid, uint16_t tci)
{
	if (len < FRAME_ETH_MIN || len + FRAME_VLAN_HLEN > cap)
		return 0;
	memmove(eth + 2 * 6 + FRAME_VLAN_HLEN, eth + 2 * 6, len - 2 * 6);
	put16(eth + 12, tpid);
	put16(eth + 14, tci);
	/* The offsets count from the frame's start: the tag comes before what they point to. */
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		vh->csum_start = (uint16_t)(vh->csum_start + FRAME_VLAN_HLEN);
	if (vh->hdr_len)
		vh->hdr_len = (uint16_t)(vh->hdr_len + FRAME_VLAN_HLEN);
	return len + FRAME_VLAN_HLEN;
}

enum frame_status frame_decode(const uint8_t *buf, size_t len, struct frame_msg *msg,
			       size_t *used, const char **err)
{
	size_t plen;
	const uint8_t *p = buf + FRAME_HDR_LEN;

	if (len < FRAME_HDR_LEN)
		return FRAME_NEED_MORE;
	plen = (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
	memset(msg, 0, sizeof(*msg));
	msg->type = buf[0];

	switch (msg->type) {
	case FRAME_T_OFFLOAD:
		if (plen < FRAME_OFFLOAD_LEN + FRAME_ETH_MIN ||
		    plen > FRAME_OFFLOAD_LEN + FRAME_ETH_MAX) {
			*err = "frame length out of bounds";
			return FRAME_ERROR;
		}
		break;
	case FRAME_T_PLAIN:
		if (plen < FRAME_ETH_MIN || plen > FRAME_ETH_MAX) {
			*err = "frame length out of bounds";
			return FRAME_ERROR;
		}
		break;
	case FRAME_T_KEEPALIVE:
		if (plen != 0) {
			*err = "keepalive with a payload";
			return FRAME_ERROR;
		}
		break;
	default:
		if (msg->type < 0x80) {
			*err = "unknown message type";
			return FRAME_ERROR;
		}
		if (plen > FRAME_OFFLOAD_LEN + FRAME_ETH_MAX) {
			*err = "message length out of bounds";
			return FRAME_ERROR;
		}
		break;
	}
	if (len - FRAME_HDR_LEN < plen)
		return FRAME_NEED_MORE;
	*used = FRAME_HDR_LEN + plen;
	msg->body = p;
	msg->body_len = plen;

	if (msg->type == FRAME_T_OFFLOAD) {
		msg->vh.flags = p[0];
		msg->vh.gso_type = p[1];
		msg->vh.hdr_len = get16(p + 2);
		msg->vh.gso_size = get16(p + 4);
		msg->vh.csum_start = get16(p + 6);
		msg->vh.csum_offset = get16(p + 8);
		msg->has_offload = true;
		msg->has_frame = true;
		msg->eth = p + FRAME_OFFLOAD_LEN;
		msg->eth_len = plen - FRAME_OFFLOAD_LEN;
		if (!frame_offload_valid(&msg->vh, err))
			return FRAME_ERROR;
	} else if (msg->type == FRAME_T_PLAIN) {
		msg->has_frame = true;
		msg->eth = p;
		msg->eth_len = plen;
	}
	return FRAME_OK;
}
