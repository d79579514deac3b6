// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gso.c - segmentation and coalescing in software, for the datagram path (pure)
 *
 * Checksums are ones' complement sums taken in memory order (RFC 1071: the
 * sum of the 16-bit words as they lie in memory, folded, is the checksum's
 * bytes whatever the host's byte order), so the payload is summed a 32-bit
 * word at a time and stored with memcpy.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "vnet/frame.h"
#include "vnet/gso.h"

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_IPV6  0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define VLAN_TAGS_MAX   2

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_CSUM_OFF    16
#define UDP_CSUM_OFF    6
#define TCPOPT_EOL      0
#define TCPOPT_NOP      1
#define TCPOPT_MSS      2

/* Where the headers of a TCP or UDP frame lie. */
struct layout {
	size_t l3;      /* IP header */
	size_t l4;      /* TCP or UDP header */
	size_t hdr;     /* the payload: all headers' length */
	uint8_t proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	bool v6;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Add p[0..n) to a memory-order sum (an odd last byte counts as the high half of a word). */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint32_t a, b;
	uint16_t w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		sum += (uint64_t)a + b;
	}
	for (; n >= 2; p += 2, n -= 2) {
		memcpy(&w, p, 2);
		sum += w;
	}
	if (n) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w, last, 2);
		sum += w;
	}
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The sum of the pseudo-header of an L4 segment of l4_len bytes (RFC 768, 793, 8200). */
static uint64_t pseudo_sum(const uint8_t *eth, size_t l3, bool v6, uint8_t proto, size_t l4_len)
{
	uint8_t tail[8] = { 0 };

	if (!v6) {
		tail[1] = proto;
		put16(tail + 2, (uint16_t)l4_len);
		return csum_add(csum_add(0, eth + l3 + 12, 8), tail, 4);
	}
	put32(tail, (uint32_t)l4_len);
	tail[7] = proto;
	return csum_add(csum_add(0, eth + l3 + 8, 32), tail, 8);
}

static void put_csum(uint8_t *field, uint16_t c)
{
	memcpy(field, &c, 2);
}

/*
 * Find the headers of an Ethernet (up to two VLAN tags) IPv4 or IPv6 TCP or
 * UDP frame, all within len: false for anything else, an IPv4 fragment, or
 * IPv6 with extension headers.
 */
static bool gso_parse(const uint8_t *eth, size_t len, struct layout *g)
{
	size_t off = FRAME_ETH_MIN, ihl;
	uint16_t type;

	if (len < FRAME_ETH_MIN)
		return false;
	type = get16(eth + 12);
	for (int tags = 0; type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD; tags++) {
		if (tags == VLAN_TAGS_MAX || off + 4 > len)
			return false;
		type = get16(eth + off + 2);
		off += 4;
	}
	g->l3 = off;
	if (type == ETHERTYPE_IPV4) {
		if (off + 20 > len || eth[off] >> 4 != 4)
			return false;
		ihl = (size_t)(eth[off] & 0x0f) * 4;
		if (ihl < 20 || off + ihl > len || (get16(eth + off + 6) & 0x3fff))
			return false;
		g->proto = eth[off + 9];
		g->l4 = off + ihl;
		g->v6 = false;
	} else if (type == ETHERTYPE_IPV6) {
		if (off + 40 > len || eth[off] >> 4 != 6)
			return false;
		g->proto = eth[off + 6];
		g->l4 = off + 40;
		g->v6 = true;
	} else {
		return false;
	}
	if (g->proto == IPPROTO_TCP) {
		size_t doff;

		if (g->l4 + 20 > len)
			return false;
		doff = (size_t)(eth[g->l4 + 12] >> 4) * 4;
		if (doff < 20 || g->l4 + doff > len)
			return false;
		g->hdr = g->l4 + doff;
		return true;
	}
	if (g->proto == IPPROTO_UDP) {
		if (g->l4 + 8 > len)
			return false;
		g->hdr = g->l4 + 8;
		return true;
	}
	return false;
}

/* Set the IPv4 header checksum of the header at ip (ihl bytes). */
static void ipv4_fix_csum(uint8_t *ip, size_t ihl)
{
	ip[10] = ip[11] = 0;
	put_csum(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, ihl)));
}

/*
 * Fix segment s (slen bytes, headers as g says) after its payload was put in;
 * partial: its L4 checksum field gets the pseudo-header's sum only, for the
 * receiving stack to complete (CHECKSUM_PARTIAL), and the payload is not read.
 */
static void seg_finish(uint8_t *s, size_t slen, const struct layout *g, uint16_t ip_id,
		       bool partial)
{
	size_t l4_len = slen - g->l4, field;
	uint64_t sum;
	uint16_t c;

	if (g->v6) {
		put16(s + g->l3 + 4, (uint16_t)(slen - g->l3 - 40));
	} else {
		put16(s + g->l3 + 2, (uint16_t)(slen - g->l3));
		put16(s + g->l3 + 4, ip_id);
		ipv4_fix_csum(s + g->l3, g->l4 - g->l3);
	}
	if (g->proto == IPPROTO_TCP) {
		field = g->l4 + TCP_CSUM_OFF;
	} else {
		field = g->l4 + UDP_CSUM_OFF;
		put16(s + g->l4 + 4, (uint16_t)l4_len);
	}
	s[field] = s[field + 1] = 0;
	sum = pseudo_sum(s, g->l3, g->v6, g->proto, l4_len);
	if (partial) {
		put_csum(s + field, csum_fold(sum));
		return;
	}
	c = (uint16_t)~csum_fold(csum_add(sum, s + g->l4, l4_len));
	/* UDP: 0 means no checksum; its ones' complement twin says the same sum */
	if (c == 0 && g->proto == IPPROTO_UDP)
		c = 0xffff;
	put_csum(s + field, c);
}

/* Cut eth into segments of mss payload bytes (gso_segment's work once the sizes are known). */
static int gso_cut(const uint8_t *eth, size_t len, const struct layout *g, size_t mss,
		   uint8_t *out, size_t stride, size_t max_segs, size_t *lens, bool partial)
{
	size_t payload = len - g->hdr, n = payload ? (payload + mss - 1) / mss : 1;
	uint32_t seq = g->proto == IPPROTO_TCP ? get32(eth + g->l4 + 4) : 0;
	uint16_t id = g->v6 ? 0 : get16(eth + g->l3 + 4);
	uint8_t flags = g->proto == IPPROTO_TCP ? eth[g->l4 + 13] : 0;

	if (n > max_segs)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		size_t off = i * mss, chunk = payload - off < mss ? payload - off : mss;
		uint8_t *s = out + i * stride;

		memcpy(s, eth, g->hdr);
		memcpy(s + g->hdr, eth + g->hdr + off, chunk);
		lens[i] = g->hdr + chunk;
		if (g->proto == IPPROTO_TCP) {
			uint8_t f = flags;

			put32(s + g->l4 + 4, seq + (uint32_t)off);
			if (i > 0)
				f &= (uint8_t)~TCP_CWR;
			if (i + 1 < n)
				f &= (uint8_t)~(TCP_FIN | TCP_PSH);
			s[g->l4 + 13] = f;
		}
		seg_finish(s, lens[i], g, (uint16_t)(id + i), partial);
	}
	return (int)n;
}

/* A frame that fits as it is: copied, its partial checksum (if any) completed. */
static int gso_whole(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
		     uint8_t *out, size_t *lens)
{
	size_t start = vh->csum_start, field = start + vh->csum_offset;
	uint16_t c;

	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && (start < FRAME_ETH_MIN || field + 2 > len))
		return -EINVAL;
	memcpy(out, eth, len);
	lens[0] = len;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* The field holds the pseudo-header's sum: the sum from csum_start covers it. */
		c = (uint16_t)~csum_fold(csum_add(0, out + start, len - start));
		put_csum(out + field, c ? c : 0xffff);
	}
	return 1;
}

/* Does vh's partial checksum lie where g's L4 checksum is (the stack's own, to be left so)? */
static bool partial_at_l4(const struct virtio_net_hdr *vh, const struct layout *g)
{
	return (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && vh->csum_start == g->l4 &&
	       vh->csum_offset == (g->proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF);
}

/* gso_segment and gso_segment_partial; *partial (when not NULL) may say to leave checksums partial. */
static int segment(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
		   size_t max_frame, uint8_t *out, size_t stride, size_t max_segs, size_t *lens,
		   bool *partial)
{
	uint8_t gso;
	struct layout g;
	size_t mss;

	if (!vh || !eth || !out || !lens || len < FRAME_ETH_MIN || stride < max_frame ||
	    max_segs == 0)
		return -EINVAL;
	gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (vh->gso_type & VIRTIO_NET_HDR_GSO_ECN)
			return -EINVAL;         /* ECN without segmentation: no kernel makes it */
		if (len <= max_frame)
			return gso_whole(vh, eth, len, out, lens);
		if (!gso_parse(eth, len, &g) || g.proto != IPPROTO_TCP)
			return -EINVAL;
		if (g.hdr >= max_frame)
			return -EMSGSIZE;
		mss = max_frame - g.hdr;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!gso_parse(eth, len, &g) || g.proto != IPPROTO_TCP ||
		    g.v6 != (gso == VIRTIO_NET_HDR_GSO_TCPV6) || vh->gso_size == 0)
			return -EINVAL;
		if (g.hdr >= max_frame)
			return -EMSGSIZE;
		/* A smaller MSS than the sender's is still TCP (a NIC keeps it): it must fit. */
		mss = vh->gso_size < max_frame - g.hdr ? vh->gso_size : max_frame - g.hdr;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (!gso_parse(eth, len, &g) || g.proto != IPPROTO_UDP || vh->gso_size == 0 ||
		    (vh->gso_type & VIRTIO_NET_HDR_GSO_ECN))
			return -EINVAL;
		/* Each segment is one of the sender's datagrams: it cannot be cut smaller. */
		if (g.hdr + vh->gso_size > max_frame)
			return -EMSGSIZE;
		mss = vh->gso_size;
		break;
	default:
		return -EINVAL;
	}
	if (partial)
		*partial = partial_at_l4(vh, &g);
	return gso_cut(eth, len, &g, mss, out, stride, max_segs, lens, partial && *partial);
}

int gso_segment(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
		size_t max_frame, uint8_t *out, size_t stride, size_t max_segs, size_t *lens)
{
	return segment(vh, eth, len, max_frame, out, stride, max_segs, lens, NULL);
}

int gso_segment_partial(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
			size_t max_frame, uint8_t *out, size_t stride, size_t max_segs,
			size_t *lens, bool *partial)
{
	*partial = false;
	return segment(vh, eth, len, max_frame, out, stride, max_segs, lens, partial);
}

bool gso_partial_vh(const uint8_t *eth, size_t len, struct virtio_net_hdr *vh)
{
	struct layout g;

	memset(vh, 0, sizeof(*vh));
	if (!gso_parse(eth, len, &g))
		return false;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)g.l4;
	vh->csum_offset = g.proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
	return true;
}

/*
 * Replace the bytes p[0..n) (at offset off from the start of the summed
 * region, whose checksum is at *field) with v[0..n), updating the checksum
 * incrementally (RFC 1624: HC' = ~(~HC + ~m + m')) over the 16-bit words
 * that the bytes touch. n is at most 4.
 */
static void csum_replace(uint8_t *base, size_t off, const uint8_t *v, size_t n, uint8_t *field)
{
	size_t a = off & ~(size_t)1, b = (off + n + 1) & ~(size_t)1;
	uint8_t old[6], new[6];
	uint64_t sum;
	uint16_t hc, w;

	memcpy(old, base + a, b - a);
	memcpy(base + off, v, n);
	memcpy(new, base + a, b - a);
	memcpy(&hc, field, 2);
	sum = (uint16_t)~hc;
	for (size_t i = 0; i < b - a; i += 2) {
		memcpy(&w, old + i, 2);
		sum += (uint16_t)~w;
		memcpy(&w, new + i, 2);
		sum += w;
	}
	put_csum(field, (uint16_t)~csum_fold(sum));
}

bool gso_clamp_mss(const struct virtio_net_hdr *vh, uint8_t *eth, size_t len, uint16_t mss)
{
	struct layout g;
	size_t off, end;
	uint8_t v[2];

	if (!eth || !gso_parse(eth, len, &g) || g.proto != IPPROTO_TCP ||
	    !(eth[g.l4 + 13] & TCP_SYN))
		return false;
	end = g.hdr;
	for (off = g.l4 + 20; off < end;) {
		uint8_t kind = eth[off];
		size_t olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (off + 2 > end || (olen = eth[off + 1]) < 2 || off + olen > end)
			break;
		if (kind == TCPOPT_MSS && olen == 4) {
			if (get16(eth + off + 2) <= mss)
				return false;
			put16(v, mss);
			if (vh && (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
				memcpy(eth + off + 2, v, 2);    /* the sum is made later */
			else
				csum_replace(eth + g.l4, off + 2 - g.l4, v, 2,
					     eth + g.l4 + TCP_CSUM_OFF);
			return true;
		}
		off += olen;
	}
	return false;
}

/* ---- receive coalescing */

/*
 * A TCP segment that may join a super-frame: exact IP lengths, checksums
 * right (partial: its TCP checksum is the sender stack's partial one, not
 * checked), plain flags.
 */
static bool gso_joinable(const uint8_t *eth, size_t len, const struct layout *g, bool partial)
{
	const uint8_t *ip = eth + g->l3;
	uint8_t fl;
	uint64_t sum;

	if (g->proto != IPPROTO_TCP || len == g->hdr)
		return false;
	fl = eth[g->l4 + 13];
	if (!(fl & TCP_ACK) || (fl & (TCP_SYN | TCP_RST | TCP_URG | TCP_ECE | TCP_CWR)))
		return false;
	if (g->v6) {
		if ((size_t)get16(ip + 4) != len - g->l3 - 40)
			return false;
	} else {
		/* no IP options, as the kernel's GRO */
		if (g->l4 - g->l3 != 20 || (size_t)get16(ip + 2) != len - g->l3 ||
		    csum_fold(csum_add(0, ip, 20)) != 0xffff)
			return false;
	}
	if (partial)
		return true;
	/* A partial checksum (NEEDS_CSUM) is trusted by the stack: only sound data may get one. */
	sum = csum_add(pseudo_sum(eth, g->l3, g->v6, IPPROTO_TCP, len - g->l4), eth + g->l4,
		       len - g->l4);
	return csum_fold(sum) == 0xffff;
}

/* Equal bytes [a, b) in x and y. */
static bool same(const uint8_t *x, const uint8_t *y, size_t a, size_t b)
{
	return !memcmp(x + a, y + a, b - a);
}

/* Does eth (laid out as g) belong to the flow held in c, headers equal but lengths and seq? */
static bool gso_same_flow(const struct gso_coalesce *c, const uint8_t *eth,
			  const struct layout *g)
{
	const uint8_t *h = c->buf;
	size_t l3 = g->l3, l4 = g->l4;

	if (g->l3 != c->l3 || g->l4 != c->l4 || g->hdr != c->hdr_len || g->v6 != c->ipv6)
		return false;
	if (!same(h, eth, 0, l3))
		return false;
	if (g->v6) {
		/* version, class, flow label; next header, hop limit, addresses */
		if (!same(h, eth, l3, l3 + 4) || !same(h, eth, l3 + 6, l3 + 40))
			return false;
	} else {
		/* version, TOS; flags, TTL, protocol; addresses (not the length, id, checksum) */
		if (!same(h, eth, l3, l3 + 2) || !same(h, eth, l3 + 6, l3 + 10) ||
		    !same(h, eth, l3 + 12, l3 + 20))
			return false;
	}
	/* ports; ack and data offset; window; urgent pointer and options */
	return same(h, eth, l4, l4 + 4) && same(h, eth, l4 + 8, l4 + 13) &&
	       same(h, eth, l4 + 14, l4 + 16) && same(h, eth, l4 + 18, g->hdr);
}

bool gso_coalesce_add(struct gso_coalesce *c, const struct virtio_net_hdr *vh, const uint8_t *eth,
		      size_t len)
{
	bool partial = vh && (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
	struct layout g;
	size_t pay;
	uint8_t fl;

	if (vh && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return false;
	if (!c || !eth || !gso_parse(eth, len, &g) || (partial && !partial_at_l4(vh, &g)) ||
	    !gso_joinable(eth, len, &g, partial))
		return false;
	pay = len - g.hdr;
	fl = eth[g.l4 + 13];
	if (c->len == 0) {
		/* A segment that closes at once, or too small a segment size: as it is. */
		if ((fl & (TCP_FIN | TCP_PSH)) || pay < FRAME_GSO_SIZE_MIN ||
		    len - g.l3 > GSO_MAX_BYTES)
			return false;
		memcpy(c->buf, eth, len);
		c->len = len;
		c->segs = 1;
		c->l3 = g.l3;
		c->l4 = g.l4;
		c->hdr_len = g.hdr;
		c->seg_size = pay;
		c->next_seq = get32(eth + g.l4 + 4) + (uint32_t)pay;
		c->ipv6 = g.v6;
		c->partial = partial;
		c->closed = false;
		return true;
	}
	if (c->closed || c->segs >= GSO_MAX_SEGS || pay > c->seg_size ||
	    c->len - c->l3 + pay > GSO_MAX_BYTES)
		return false;
	if (!gso_same_flow(c, eth, &g) || get32(eth + g.l4 + 4) != c->next_seq ||
	    (fl & (uint8_t)~(TCP_FIN | TCP_PSH)) != c->buf[g.l4 + 13])
		return false;
	memcpy(c->buf + c->len, eth + g.hdr, pay);
	c->len += pay;
	c->segs++;
	c->next_seq += (uint32_t)pay;
	if (fl & (TCP_FIN | TCP_PSH)) {
		c->buf[g.l4 + 13] |= fl & (TCP_FIN | TCP_PSH);
		c->closed = true;
	}
	if (pay < c->seg_size)
		c->closed = true;
	return true;
}

size_t gso_coalesce_take(struct gso_coalesce *c, struct virtio_net_hdr *vh, const uint8_t **eth)
{
	size_t len = c->len;
	uint8_t *b = c->buf;

	memset(vh, 0, sizeof(*vh));
	*eth = b;
	if (len == 0)
		return 0;
	if (c->segs == 1 && c->partial) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;    /* as it came */
		vh->csum_start = (uint16_t)c->l4;
		vh->csum_offset = TCP_CSUM_OFF;
	} else if (c->segs > 1) {
		if (c->ipv6) {
			put16(b + c->l3 + 4, (uint16_t)(len - c->l3 - 40));
		} else {
			put16(b + c->l3 + 2, (uint16_t)(len - c->l3));
			ipv4_fix_csum(b + c->l3, c->l4 - c->l3);
		}
		/* The kernel completes it: the pseudo-header's sum, not inverted. */
		put_csum(b + c->l4 + TCP_CSUM_OFF,
			 csum_fold(pseudo_sum(b, c->l3, c->ipv6, IPPROTO_TCP, len - c->l4)));
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = c->ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		vh->hdr_len = (uint16_t)c->hdr_len;
		vh->gso_size = (uint16_t)c->seg_size;
		vh->csum_start = (uint16_t)c->l4;
		vh->csum_offset = TCP_CSUM_OFF;
	}
	c->len = 0;
	c->segs = 0;
	c->closed = false;
	return len;
}
