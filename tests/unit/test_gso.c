// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_gso.c - unit tests of segmentation and receive coalescing in software: every segment's
 * IP and L4 checksum checked by a byte-by-byte routine of this file, sequence numbers, flags,
 * lengths; malformed frames (exact-size heap copies, so that ASan sees any over-read); the MSS
 * clamp; and the cost of a cut and of a coalesce, printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <cmocka.h>

#include "vnet/frame.h"
#include "vnet/gso.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

#define SEGS_MAX 256
#define STRIDE   9216

/* ---- an independent checksum: big-endian 16-bit words, one at a time */

static uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* The pseudo-header's sum, built as RFC 768/793 (IPv4) and RFC 8200 (IPv6) draw it. */
static uint32_t ref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, size_t l4_len)
{
	uint8_t ph[40];

	memset(ph, 0, sizeof(ph));
	if (!v6) {
		memcpy(ph, ip + 12, 8);
		ph[9] = proto;
		wr16(ph + 10, (uint16_t)l4_len);
		return ref_sum(0, ph, 12);
	}
	memcpy(ph, ip + 8, 32);
	wr32(ph + 32, (uint32_t)l4_len);
	ph[39] = proto;
	return ref_sum(0, ph, 40);
}

/* ---- test frames */

struct spec {
	bool v6, udp;
	int tags;               /* VLAN tags: 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	size_t ipopt;           /* IPv4 options, bytes (multiple of 4) */
	size_t tcpopt;          /* TCP options, bytes (multiple of 4) */
	size_t payload;
	uint8_t flags;          /* TCP flags */
	/* set by build() */
	size_t l3, l4, hdr, len;
};

#define SEQ0    0xfffff000u     /* wraps within a super-frame */
#define ID0     0xfff0

/* Set s's offsets; its frame's length. */
static size_t frame_len(struct spec *s)
{
	s->l3 = 14 + 4 * (size_t)s->tags;
	s->l4 = s->l3 + (s->v6 ? 40 : 20 + s->ipopt);
	s->hdr = s->l4 + (s->udp ? 8 : 20 + s->tcpopt);
	s->len = s->hdr + s->payload;
	return s->len;
}

/* Write the frame that s describes at f, with valid checksums. */
static void build(struct spec *s, uint8_t *f)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa };
	size_t off = 12, l4_len;
	uint8_t *ip, *l4;
	uint32_t sum;

	frame_len(s);
	memcpy(f, macs, 12);
	if (s->tags == 2) {
		wr16(f + off, 0x88a8);
		wr16(f + off + 2, 100);
		off += 4;
	}
	if (s->tags >= 1) {
		wr16(f + off, 0x8100);
		wr16(f + off + 2, 200);
		off += 4;
	}
	wr16(f + off, s->v6 ? 0x86dd : 0x0800);
	assert_int_equal(s->l3, off + 2);
	ip = f + s->l3;
	l4_len = s->len - s->l4;
	l4 = f + s->l4;
	if (s->v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[1] = 0x01;
		wr16(ip + 4, (uint16_t)l4_len);
		ip[6] = s->udp ? 17 : 6;
		ip[7] = 64;
		ip[8] = 0xfd;
		ip[23] = 1;
		ip[24] = 0xfd;
		ip[39] = 2;
	} else {
		memset(ip, 0, 20 + s->ipopt);
		ip[0] = (uint8_t)(0x40 | (20 + s->ipopt) / 4);
		wr16(ip + 2, (uint16_t)(s->len - s->l3));
		wr16(ip + 4, ID0);
		wr16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = s->udp ? 17 : 6;
		ip[12] = 198, ip[13] = 18, ip[15] = 1;
		ip[16] = 198, ip[17] = 18, ip[19] = 2;
		for (size_t i = 0; i < s->ipopt; i++)
			ip[20 + i] = 1;         /* NOP options */
		wr16(ip + 10, (uint16_t)~ref_fold(ref_sum(0, ip, 20 + s->ipopt)));
	}
	for (size_t i = 0; i < s->payload; i++)
		f[s->hdr + i] = (uint8_t)(i * 31 + i / 251);
	if (s->udp) {
		wr16(l4, 40000);
		wr16(l4 + 2, 5201);
		wr16(l4 + 4, (uint16_t)l4_len);
		wr16(l4 + 6, 0);
		sum = ref_pseudo(ip, s->v6, 17, l4_len);
		wr16(l4 + 6, (uint16_t)~ref_fold(ref_sum(sum, l4, l4_len)));
		return;
	}
	memset(l4, 0, 20 + s->tcpopt);
	wr16(l4, 40000);
	wr16(l4 + 2, 5201);
	wr32(l4 + 4, SEQ0);
	wr32(l4 + 8, 0x01020304);
	l4[12] = (uint8_t)((20 + s->tcpopt) / 4 << 4);
	l4[13] = s->flags;
	wr16(l4 + 14, 502);
	for (size_t i = 0; i < s->tcpopt; i++)
		l4[20 + i] = 1;
	if (s->tcpopt >= 12) {              /* NOP NOP timestamps */
		l4[22] = 8;
		l4[23] = 10;
		wr32(l4 + 24, 12345);
		wr32(l4 + 28, 67890);
	}
	sum = ref_pseudo(ip, s->v6, 6, l4_len);
	wr16(l4 + 16, (uint16_t)~ref_fold(ref_sum(sum, l4, l4_len)));
}

static struct virtio_net_hdr vh_of(uint8_t flags, uint8_t gso_type, uint16_t gso_size,
				   struct spec *s)
{
	struct virtio_net_hdr vh;

	frame_len(s);
	memset(&vh, 0, sizeof(vh));
	vh.flags = flags;
	vh.gso_type = gso_type;
	vh.gso_size = gso_size;
	vh.hdr_len = (uint16_t)s->hdr;
	vh.csum_start = (uint16_t)s->l4;
	vh.csum_offset = s->udp ? 6 : 16;
	return vh;
}

/* Check an IP/L4 frame laid out as s: lengths, IP header and L4 checksums. */
static void check_frame(const uint8_t *f, size_t len, const struct spec *s)
{
	const uint8_t *ip = f + s->l3, *l4 = f + s->l4;
	size_t l4_len = len - s->l4;

	assert_true(len >= s->hdr);
	if (s->v6) {
		assert_int_equal(be16(ip + 4), len - s->l3 - 40);
	} else {
		assert_int_equal(be16(ip + 2), len - s->l3);
		assert_int_equal(ref_fold(ref_sum(0, ip, s->l4 - s->l3)), 0xffff);
	}
	if (s->udp) {
		assert_int_equal(be16(l4 + 4), l4_len);
		assert_int_not_equal(be16(l4 + 6), 0);
	}
	assert_int_equal(ref_fold(ref_sum(ref_pseudo(ip, s->v6, s->udp ? 17 : 6, l4_len), l4,
					  l4_len)), 0xffff);
}

static uint8_t *segs_buf(void)
{
	static uint8_t *out;

	if (!out)
		out = malloc((size_t)SEGS_MAX * STRIDE);
	assert_non_null(out);
	return out;
}

/* Cut s's frame (vh) into max_frame-byte frames; check each against the original; their count. */
static int cut_and_check(struct spec *s, const struct virtio_net_hdr *vh, size_t max_frame,
			 size_t mss, uint8_t **outp, size_t *lens)
{
	uint8_t *f = malloc(frame_len(s)), *out = segs_buf();
	size_t want = s->payload ? (s->payload + mss - 1) / mss : 1, done = 0;
	int n;

	assert_non_null(f);
	build(s, f);
	n = gso_segment(vh, f, s->len, max_frame, out, STRIDE, SEGS_MAX, lens);
	assert_int_equal(n, want);
	for (int i = 0; i < n; i++) {
		const uint8_t *g = out + (size_t)i * STRIDE, *l4 = g + s->l4;
		size_t chunk = s->payload - done < mss ? s->payload - done : mss;

		assert_int_equal(lens[i], s->hdr + chunk);
		assert_true(lens[i] <= max_frame);
		check_frame(g, lens[i], s);
		assert_memory_equal(g, f, s->l3);
		assert_memory_equal(g + s->hdr, f + s->hdr + done, chunk);
		if (!s->v6)
			assert_int_equal(be16(g + s->l3 + 4), (uint16_t)(ID0 + i));
		if (!s->udp) {
			uint8_t fl = f[s->l4 + 13];

			assert_int_equal(be32(l4 + 4), (uint32_t)(SEQ0 + done));
			if (i > 0)
				fl &= (uint8_t)~TCP_CWR;
			if (i + 1 < n)
				fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
			assert_int_equal(l4[13], fl);
			assert_memory_equal(l4 + 8, f + s->l4 + 8, 5);         /* ack, offset */
			assert_memory_equal(l4 + 20, f + s->l4 + 20, s->hdr - s->l4 - 20);
		}
		done += chunk;
	}
	assert_int_equal(done, s->payload);
	free(f);
	if (outp)
		*outp = out;
	return n;
}

/* ---- segmentation */

static void test_tcp4(void **state)
{
	struct spec s = { .tcpopt = 12, .payload = 10000,
			  .flags = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR };
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
					 1448, &s);
	size_t lens[SEGS_MAX];

	(void)state;
	assert_int_equal(cut_and_check(&s, &vh, 1514, 1448, NULL, lens), 7);
	assert_int_equal(lens[0], 14 + 20 + 32 + 1448);
	assert_int_equal(lens[6], 14 + 20 + 32 + 10000 - 6 * 1448);
}

static void test_tcp4_ip_options_ecn(void **state)
{
	struct spec s = { .ipopt = 8, .tcpopt = 12, .payload = 4000, .flags = TCP_ACK | TCP_CWR };
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM,
					 VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 1000, &s);
	size_t lens[SEGS_MAX];

	(void)state;
	assert_int_equal(cut_and_check(&s, &vh, 1514, 1000, NULL, lens), 4);
}

static void test_tcp6(void **state)
{
	struct spec s = { .v6 = true, .tcpopt = 12, .payload = 65000, .flags = TCP_ACK | TCP_PSH };
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6,
					 1428, &s);
	size_t lens[SEGS_MAX];

	(void)state;
	assert_int_equal(cut_and_check(&s, &vh, 1514, 1428, NULL, lens), 46);
}

static void test_tcp_vlan(void **state)
{
	struct spec s1 = { .tags = 1, .tcpopt = 12, .payload = 3000, .flags = TCP_ACK };
	struct spec s2 = { .v6 = true, .tags = 2, .payload = 3001, .flags = TCP_ACK | TCP_FIN };
	struct virtio_net_hdr vh1 = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV4, 1448, &s1);
	struct virtio_net_hdr vh2 = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV6, 1000, &s2);
	size_t lens[SEGS_MAX];

	(void)state;
	assert_int_equal(cut_and_check(&s1, &vh1, 1518, 1448, NULL, lens), 3);
	assert_int_equal(cut_and_check(&s2, &vh2, 1522, 1000, NULL, lens), 4);
}

static void test_udp_l4(void **state)
{
	struct spec s4 = { .udp = true, .payload = 4500 };
	struct spec s6 = { .udp = true, .v6 = true, .tags = 1, .payload = 6000 };
	struct virtio_net_hdr vh4 = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM,
					  VIRTIO_NET_HDR_GSO_UDP_L4, 1000, &s4);
	struct virtio_net_hdr vh6 = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM,
					  VIRTIO_NET_HDR_GSO_UDP_L4, 1200, &s6);
	size_t lens[SEGS_MAX];

	(void)state;
	assert_int_equal(cut_and_check(&s4, &vh4, 1500, 1000, NULL, lens), 5);
	assert_int_equal(lens[4], 14 + 20 + 8 + 500);
	assert_int_equal(cut_and_check(&s6, &vh6, 1500, 1200, NULL, lens), 5);
}

/* A TCP super-frame whose segments do not fit max_frame is cut smaller; headers alone, -EMSGSIZE */
static void test_mss_from_max_frame(void **state)
{
	struct spec s = { .tcpopt = 12, .payload = 20000, .flags = TCP_ACK };
	struct spec u = { .udp = true, .payload = 3000 };
	struct virtio_net_hdr vh = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV4, 8948, &s);
	struct virtio_net_hdr vu = vh_of(0, VIRTIO_NET_HDR_GSO_UDP_L4, 1500, &u);
	struct virtio_net_hdr plain = vh_of(0, VIRTIO_NET_HDR_GSO_NONE, 0, &s);
	size_t lens[SEGS_MAX];
	uint8_t *f = malloc(20100);

	(void)state;
	assert_int_equal(cut_and_check(&s, &vh, 1400, 1400 - 66, NULL, lens), 15);
	/* a TCP frame without segmentation longer than max_frame */
	assert_int_equal(cut_and_check(&s, &plain, 1400, 1400 - 66, NULL, lens), 15);
	assert_non_null(f);
	build(&s, f);
	assert_int_equal(gso_segment(&vh, f, s.len, 66, segs_buf(), STRIDE, SEGS_MAX, lens),
			 -EMSGSIZE);
	/* a UDP datagram cannot be cut smaller than the sender made it */
	build(&u, f);
	assert_int_equal(gso_segment(&vu, f, u.len, 1400, segs_buf(), STRIDE, SEGS_MAX, lens),
			 -EMSGSIZE);
	/* a UDP frame without segmentation longer than max_frame */
	vu.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	assert_int_equal(gso_segment(&vu, f, u.len, 1400, segs_buf(), STRIDE, SEGS_MAX, lens),
			 -EINVAL);
	free(f);
}

/* Put the pseudo-header's sum in the checksum field, as the kernel hands a partial checksum. */
static void make_partial(uint8_t *f, const struct spec *s)
{
	size_t field = s->l4 + (s->udp ? 6 : 16);

	wr16(f + field, ref_fold(ref_pseudo(f + s->l3, s->v6, s->udp ? 17 : 6, s->len - s->l4)));
}

static void test_needs_csum(void **state)
{
	struct spec specs[] = {
		{ .payload = 1000, .tcpopt = 12, .flags = TCP_ACK | TCP_PSH },
		{ .v6 = true, .tags = 2, .payload = 777, .flags = TCP_ACK },
		{ .udp = true, .payload = 1001 },
		{ .udp = true, .v6 = true, .payload = 0 },
	};
	uint8_t f[2000], *out = segs_buf();
	size_t lens[SEGS_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct spec *s = &specs[i];
		struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM,
						 VIRTIO_NET_HDR_GSO_NONE, 0, s);

		build(s, f);
		make_partial(f, s);
		assert_int_equal(gso_segment(&vh, f, s->len, 1514, out, STRIDE, 1, lens), 1);
		assert_int_equal(lens[0], s->len);
		check_frame(out, lens[0], s);
		/* without NEEDS_CSUM the frame goes as it is */
		vh.flags = 0;
		assert_int_equal(gso_segment(&vh, f, s->len, 1514, out, STRIDE, 1, lens), 1);
		assert_memory_equal(out, f, s->len);
	}
}

/* A UDP checksum that comes to 0 is sent as 0xffff (0 would mean "no checksum"). */
static void test_udp_zero_csum(void **state)
{
	struct spec s = { .udp = true, .payload = 64 };
	struct virtio_net_hdr vh = vh_of(0, VIRTIO_NET_HDR_GSO_UDP_L4, 64, &s);
	uint8_t f[200], *out = segs_buf();
	size_t lens[SEGS_MAX];
	uint8_t *l4;

	(void)state;
	build(&s, f);
	l4 = f + s.l4;
	/* make the payload's last word the checksum: the sum then comes to 0xffff, its checksum 0 */
	wr16(l4 + 8 + 62, 0);
	wr16(l4 + 6, 0);
	wr16(l4 + 8 + 62, (uint16_t)~ref_fold(ref_sum(ref_pseudo(f + s.l3, false, 17, 72), l4, 72)));
	assert_int_equal(gso_segment(&vh, f, s.len, 1500, out, STRIDE, 4, lens), 1);
	assert_int_equal(be16(out + s.l4 + 6), 0xffff);
	check_frame(out, lens[0], &s);
	/* a partial checksum completed the same way */
	vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, &s);
	make_partial(f, &s);
	assert_int_equal(gso_segment(&vh, f, s.len, 1500, out, STRIDE, 4, lens), 1);
	assert_int_equal(be16(out + s.l4 + 6), 0xffff);
}

/* ---- malformed input */

/* gso_segment, the clamp and coalescing on an exact-size heap copy of f[0..len). */
static int on_copy(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len, size_t max_segs)
{
	static struct gso_coalesce c;
	struct virtio_net_hdr ovh;
	const uint8_t *oeth;
	uint8_t *copy = malloc(len ? len : 1);
	size_t lens[SEGS_MAX];
	int n;

	assert_non_null(copy);
	memcpy(copy, f, len);
	n = gso_segment(vh, copy, len, 1514, segs_buf(), STRIDE, max_segs, lens);
	gso_clamp_mss(vh, copy, len, 536);
	gso_coalesce_add(&c, NULL, copy, len);
	gso_coalesce_take(&c, &ovh, &oeth);
	free(copy);
	return n;
}

static void test_truncated(void **state)
{
	struct spec specs[] = {
		{ .tcpopt = 12, .payload = 3000, .flags = TCP_ACK },
		{ .v6 = true, .tags = 2, .payload = 3000, .flags = TCP_ACK },
		{ .udp = true, .tags = 1, .payload = 3000 },
		{ .ipopt = 40, .tcpopt = 40, .payload = 600, .flags = TCP_SYN },
	};
	uint8_t *f = malloc(4000);

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct spec *s = &specs[i];
		uint8_t gso = s->udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
			      s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, gso, 1000, s);

		build(s, f);
		for (size_t len = 0; len <= s->len; len++) {
			int n = on_copy(&vh, f, len, SEGS_MAX);

			if (len < s->hdr)
				assert_int_equal(n, -EINVAL);
			else
				assert_int_equal(n, len == s->hdr ? 1 : (int)(len - s->hdr + 999) / 1000);
		}
	}
	free(f);
}

static void test_bogus(void **state)
{
	struct spec s = { .tcpopt = 12, .payload = 3000, .flags = TCP_ACK };
	struct spec s6 = { .v6 = true, .payload = 3000, .flags = TCP_ACK };
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
					 1000, &s);
	struct virtio_net_hdr v;
	uint8_t f[3200], g[3200];
	size_t lens[SEGS_MAX];

	(void)state;
	memset(g, 0, sizeof(g));
	build(&s, f);
	assert_int_equal(on_copy(&vh, f, s.len, SEGS_MAX), 3);
	assert_int_equal(on_copy(&vh, f, s.len, 2), -EINVAL);          /* more than max_segs */
#define BAD(what, i, val) do { memcpy(g, f, s.len); what; g[i] = (uint8_t)(val); \
		assert_int_equal(on_copy(&v, g, s.len, SEGS_MAX), -EINVAL); } while (0)
	v = vh;
	BAD(, 14, 0x44);                        /* IHL 4 */
	BAD(, 14, 0x65);                        /* version 6 in an IPv4 EtherType */
	BAD(, 34 + 12, 0x40);                   /* TCP data offset 4 */
	BAD(, 20, 0x20);                        /* IPv4 more fragments */
	BAD(, 21, 0x01);                        /* IPv4 fragment offset */
	BAD(, 23, 17);                          /* UDP with TCP segmentation */
	BAD(, 23, 1);                           /* ICMP */
	BAD(, 13, 0x06);                        /* ARP EtherType (0x0806) */
	BAD(v.gso_type = VIRTIO_NET_HDR_GSO_TCPV6, 0, 2);     /* IPv6 segmentation of IPv4 */
	BAD(v.gso_type = VIRTIO_NET_HDR_GSO_UDP, 0, 2);       /* UFO */
	BAD(v.gso_type = VIRTIO_NET_HDR_GSO_ECN, 0, 2);       /* ECN without segmentation */
	BAD(v.gso_type = 7, 0, 2);                            /* unknown */
	BAD(v.gso_type = VIRTIO_NET_HDR_GSO_TCPV4; v.gso_size = 0, 0, 2);
	/* an IHL past a short frame */
	memcpy(g, f, s.len);
	g[14] = 0x4f;
	v = vh;
	assert_int_equal(on_copy(&v, g, 14 + 40, SEGS_MAX), -EINVAL);
	/* a data offset that runs past a short frame */
	memcpy(g, f, s.len);
	g[34 + 12] = 0xf0;
	v = vh;
	assert_int_equal(on_copy(&v, g, 34 + 50, SEGS_MAX), -EINVAL);
	/* partial checksums outside the frame */
	v = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, &s);
	v.csum_start = 10;
	assert_int_equal(on_copy(&v, f, 1000, 1), -EINVAL);
	v.csum_start = 998;
	v.csum_offset = 1;
	assert_int_equal(on_copy(&v, f, 1000, 1), -EINVAL);
	v.csum_offset = 0;
	assert_int_equal(on_copy(&v, f, 1000, 1), 1);
	v.csum_start = 0xffff;
	v.csum_offset = 0xffff;
	assert_int_equal(on_copy(&v, f, 1000, 1), -EINVAL);
	/* three VLAN tags */
	memcpy(g, f, 12);
	wr16(g + 12, 0x88a8);
	wr16(g + 16, 0x8100);
	wr16(g + 20, 0x8100);
	memcpy(g + 24, f + 12, s.len - 12);
	v = vh;
	assert_int_equal(on_copy(&v, g, s.len + 12, SEGS_MAX), -EINVAL);
	/* IPv6 extension headers: a hop-by-hop header before TCP */
	build(&s6, f);
	v = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV6, 1000, &s6);
	assert_int_equal(on_copy(&v, f, s6.len, SEGS_MAX), 3);
	memcpy(g, f, 54);
	g[20] = 0;                              /* next header: hop-by-hop */
	memset(g + 54, 0, 8);
	g[54] = 6;
	memcpy(g + 62, f + 54, s6.len - 54);
	assert_int_equal(on_copy(&v, g, s6.len + 8, SEGS_MAX), -EINVAL);
	/* a stride below max_frame, no room at all */
	assert_int_equal(gso_segment(&v, f, s6.len, 1514, segs_buf(), 1000, SEGS_MAX, lens),
			 -EINVAL);
	assert_int_equal(gso_segment(&v, f, s6.len, 1514, segs_buf(), STRIDE, 0, lens), -EINVAL);
#undef BAD
}

/* ---- MSS clamp */

/* A SYN (flags) with options opt[0..n) (padded with EOL to a multiple of 4). */
static size_t syn(uint8_t *f, bool v6, uint8_t flags, const uint8_t *opt, size_t n,
		  struct spec *s)
{
	*s = (struct spec){ .v6 = v6, .tcpopt = (n + 3) & ~(size_t)3, .flags = flags };
	build(s, f);
	memset(f + s->l4 + 20, 0, s->tcpopt);
	memcpy(f + s->l4 + 20, opt, n);
	f[s->l4 + 16] = f[s->l4 + 17] = 0;
	wr16(f + s->l4 + 16, (uint16_t)~ref_fold(ref_sum(ref_pseudo(f + s->l3, v6, 6, s->len - s->l4),
							  f + s->l4, s->len - s->l4)));
	return s->len;
}

/* gso_clamp_mss(mss) leaves f[0..len) as it is. */
static void clamp_untouched(uint8_t *f, size_t len, uint16_t mss)
{
	static const struct virtio_net_hdr none;
	uint8_t orig[200];

	assert_true(len <= sizeof(orig));
	memcpy(orig, f, len);
	assert_false(gso_clamp_mss(&none, f, len, mss));
	assert_memory_equal(f, orig, len);
}

static void test_clamp(void **state)
{
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale; then the MSS at an odd offset */
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 1, 2, 0, 0, 0, 0,
					1, 3, 3, 7 };
	static const uint8_t odd[] = { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 };
	static const uint8_t cut[] = { 2, 8, 0x05, 0xb4 };      /* an MSS that runs past the end */
	static const uint8_t zero[] = { 8, 0, 2, 4, 0x05, 0xb4 }; /* a zero option length */
	struct virtio_net_hdr none = { 0 }, partial = { 0 };
	uint8_t f[200], orig[200];
	struct spec s;
	size_t len;

	(void)state;
	partial.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	for (int v6 = 0; v6 <= 1; v6++) {
		len = syn(f, v6, TCP_SYN, opts, sizeof(opts), &s);
		assert_true(gso_clamp_mss(&none, f, len, 1360));
		assert_int_equal(be16(f + s.l4 + 22), 1360);
		check_frame(f, len, &s);
		clamp_untouched(f, len, 1400);  /* already at most 1400 */

		len = syn(f, v6, TCP_SYN | TCP_ACK, odd, sizeof(odd), &s);
		assert_true(gso_clamp_mss(NULL, f, len, 1360));
		assert_int_equal(be16(f + s.l4 + 23), 1360);
		check_frame(f, len, &s);

		/* not a SYN: untouched */
		clamp_untouched(f, syn(f, v6, TCP_ACK, opts, sizeof(opts), &s), 1360);

		/* a partial checksum: the value changes, the field stays */
		len = syn(f, v6, TCP_SYN, opts, sizeof(opts), &s);
		memcpy(orig, f, len);
		assert_true(gso_clamp_mss(&partial, f, len, 1360));
		assert_int_equal(be16(f + s.l4 + 22), 1360);
		assert_memory_equal(f + s.l4 + 16, orig + s.l4 + 16, 2);

		/* options that break off before the MSS: nothing changes */
		clamp_untouched(f, syn(f, v6, TCP_SYN, cut, sizeof(cut), &s), 1360);
		clamp_untouched(f, syn(f, v6, TCP_SYN, zero, sizeof(zero), &s), 1360);
	}
}

/* ---- coalescing */

/* Add n segments at out (lens), all accepted. */
static void add_all(struct gso_coalesce *c, const uint8_t *out, const size_t *lens, int n)
{
	for (int i = 0; i < n; i++)
		assert_true(gso_coalesce_add(c, NULL, out + (size_t)i * STRIDE, lens[i]));
}

/* The super-frame given out by take: offload-safe, its checksum right once completed. */
static void check_super(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
			const struct spec *s, uint16_t seg_size)
{
	const char *why = NULL;
	uint8_t *copy = malloc(len);

	assert_non_null(copy);
	assert_true(frame_offload_safe(vh, eth, len, &why));
	assert_int_equal(vh->gso_type, s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh->gso_size, seg_size);
	assert_int_equal(vh->hdr_len, s->hdr);
	assert_int_equal(vh->csum_start, s->l4);
	assert_int_equal(vh->csum_offset, 16);
	/* the field holds the pseudo-header's sum: complete it as the kernel would */
	assert_int_equal(be16(eth + s->l4 + 16),
			 ref_fold(ref_pseudo(eth + s->l3, s->v6, 6, len - s->l4)));
	memcpy(copy, eth, len);
	wr16(copy + s->l4 + 16, (uint16_t)~ref_fold(ref_sum(0, copy + s->l4, len - s->l4)));
	check_frame(copy, len, s);
	free(copy);
}

static void roundtrip(struct spec *s, uint16_t mss, int want)
{
	static struct gso_coalesce c;
	uint8_t *out, *f = malloc(frame_len(s)), *again = malloc((size_t)SEGS_MAX * STRIDE);
	struct virtio_net_hdr vh = vh_of(0, s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
					 VIRTIO_NET_HDR_GSO_TCPV4, mss, s), ovh;
	size_t lens[SEGS_MAX], lens2[SEGS_MAX], len;
	const uint8_t *eth;
	int n;

	assert_non_null(f);
	assert_non_null(again);
	n = cut_and_check(s, &vh, 9000, mss, &out, lens);
	assert_int_equal(n, want);
	add_all(&c, out, lens, n);
	assert_int_equal(c.segs, n);
	len = gso_coalesce_take(&c, &ovh, &eth);
	assert_int_equal(len, s->len);
	check_super(&ovh, eth, len, s, mss);
	build(s, f);
	assert_memory_equal(eth + s->hdr, f + s->hdr, s->payload);
	assert_int_equal(eth[s->l4 + 13], f[s->l4 + 13]);
	/* cut again, the same segments */
	assert_int_equal(gso_segment(&ovh, eth, len, 9000, again, STRIDE, SEGS_MAX, lens2), n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(lens2[i], lens[i]);
		assert_memory_equal(again + (size_t)i * STRIDE, out + (size_t)i * STRIDE, lens[i]);
	}
	assert_int_equal(gso_coalesce_take(&c, &ovh, &eth), 0);
	free(f);
	free(again);
}

static void test_coalesce_roundtrip(void **state)
{
	struct spec s4 = { .tcpopt = 12, .payload = 45 * 1448, .flags = TCP_ACK | TCP_PSH };
	struct spec s6 = { .v6 = true, .tags = 2, .payload = 20000, .flags = TCP_ACK | TCP_FIN };
	struct spec s1 = { .tags = 1, .payload = 3000, .flags = TCP_ACK };

	(void)state;
	roundtrip(&s4, 1448, 45);
	roundtrip(&s6, 1428, 15);
	roundtrip(&s1, 1000, 3);
}

/* Recompute the TCP checksum of f[0..len) laid out as s. */
static void refix(uint8_t *f, const struct spec *s, size_t len)
{
	wr16(f + s->l4 + 16, 0);
	wr16(f + s->l4 + 16, (uint16_t)~ref_fold(ref_sum(ref_pseudo(f + s->l3, s->v6, 6, len - s->l4),
							  f + s->l4, len - s->l4)));
}

/* A TCPv4 segment of the test flow with payload bytes at sequence SEQ0 + at; its length. */
static size_t tcp_at(uint8_t *f, size_t payload, uint32_t at, uint8_t flags)
{
	struct spec s = { .tcpopt = 12, .payload = payload, .flags = flags };

	build(&s, f);
	wr32(f + s.l4 + 4, SEQ0 + at);
	refix(f, &s, s.len);
	return s.len;
}

static void test_coalesce_refuse(void **state)
{
	static struct gso_coalesce c;
	struct spec s = { .tcpopt = 12, .payload = 5 * 1000, .flags = TCP_ACK | TCP_PSH };
	struct virtio_net_hdr vh = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV4, 1000, &s), ovh;
	uint8_t *out, seg[1200];
	size_t lens[SEGS_MAX], len;
	const uint8_t *eth;

	(void)state;
	assert_int_equal(cut_and_check(&s, &vh, 1514, 1000, &out, lens), 5);
	/* nothing held: one segment goes out as it came */
	assert_true(gso_coalesce_add(&c, NULL, out, lens[0]));
	len = gso_coalesce_take(&c, &ovh, &eth);
	assert_int_equal(len, lens[0]);
	assert_memory_equal(eth, out, len);
	assert_int_equal(ovh.flags, 0);
	assert_int_equal(ovh.gso_type, 0);
	/* out of order */
	assert_true(gso_coalesce_add(&c, NULL, out, lens[0]));
	assert_false(gso_coalesce_add(&c, NULL, out + 2 * STRIDE, lens[2]));
	assert_false(gso_coalesce_add(&c, NULL, out, lens[0]));
	assert_true(gso_coalesce_add(&c, NULL, out + STRIDE, lens[1]));
	/* another flow (port), a bad checksum, partial checksum metadata */
	memcpy(seg, out + 2 * STRIDE, lens[2]);
	seg[s.l4 + 1] ^= 1;
	refix(seg, &s, lens[2]);
	assert_false(gso_coalesce_add(&c, NULL, seg, lens[2]));
	memcpy(seg, out + 2 * STRIDE, lens[2]);
	seg[s.hdr + 10] ^= 1;
	assert_false(gso_coalesce_add(&c, NULL, seg, lens[2]));
	vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, &s);
	vh.csum_start = (uint16_t)s.l3;         /* a partial checksum elsewhere than TCP's */
	assert_false(gso_coalesce_add(&c, &vh, out + 2 * STRIDE, lens[2]));
	vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 1000, &s);
	assert_false(gso_coalesce_add(&c, &vh, out + 2 * STRIDE, lens[2]));
	/* the last, with PSH, closes it: nothing joins after it */
	assert_true(gso_coalesce_add(&c, NULL, out + 2 * STRIDE, lens[2]));
	assert_true(gso_coalesce_add(&c, NULL, out + 3 * STRIDE, lens[3]));
	assert_true(gso_coalesce_add(&c, NULL, out + 4 * STRIDE, lens[4]));
	assert_false(gso_coalesce_add(&c, NULL, out + 4 * STRIDE, lens[4]));
	assert_int_equal(c.segs, 5);
	len = gso_coalesce_take(&c, &ovh, &eth);
	assert_int_equal(len, s.len);
	check_super(&ovh, eth, len, &s, 1000);
	assert_int_equal(eth[s.l4 + 13], TCP_ACK | TCP_PSH);
	/* a PSH segment while nothing is held goes as it is */
	assert_false(gso_coalesce_add(&c, NULL, out + 4 * STRIDE, lens[4]));
	/* SYN, RST, CWR, a payload below the minimum segment size, an empty segment */
	for (int i = 0; i < 5; i++) {
		struct spec t = { .tcpopt = 12, .payload = i == 3 ? 255 : i == 4 ? 0 : 1000,
				  .flags = (uint8_t)(TCP_ACK | (i == 0 ? TCP_SYN : i == 1 ? TCP_RST :
								i == 2 ? TCP_CWR : 0)) };

		build(&t, seg);
		assert_false(gso_coalesce_add(&c, NULL, seg, t.len));
	}
	/* a shorter segment closes it; a longer one than the first never joins */
	assert_true(gso_coalesce_add(&c, NULL, seg, tcp_at(seg, 1000, 0, TCP_ACK)));
	assert_true(gso_coalesce_add(&c, NULL, seg, tcp_at(seg, 600, 1000, TCP_ACK)));
	assert_false(gso_coalesce_add(&c, NULL, seg, tcp_at(seg, 600, 1600, TCP_ACK)));
	assert_int_equal(gso_coalesce_take(&c, &ovh, &eth), 66 + 1600);
	assert_true(gso_coalesce_add(&c, NULL, seg, tcp_at(seg, 600, 0, TCP_ACK)));
	assert_false(gso_coalesce_add(&c, NULL, seg, tcp_at(seg, 601, 600, TCP_ACK)));
	assert_true(gso_coalesce_add(&c, NULL, seg, tcp_at(seg, 600, 600, TCP_ACK)));
	assert_int_equal(c.segs, 2);
	gso_coalesce_take(&c, &ovh, &eth);
}

/* At most GSO_MAX_SEGS segments and GSO_MAX_BYTES in one super-frame. */
static void test_coalesce_limits(void **state)
{
	static struct gso_coalesce c;
	struct spec s = { .payload = 300 * 100, .flags = TCP_ACK };
	struct virtio_net_hdr vh = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV4, 300, &s), ovh;
	struct spec b = { .payload = 60 * 1460, .flags = TCP_ACK };
	uint8_t *out;
	size_t lens[SEGS_MAX], len;
	const uint8_t *eth;
	int n = 0;

	(void)state;
	assert_int_equal(cut_and_check(&s, &vh, 1514, 300, &out, lens), 100);
	while (gso_coalesce_add(&c, NULL, out + (size_t)n * STRIDE, lens[n]))
		n++;
	assert_int_equal(n, GSO_MAX_SEGS);
	len = gso_coalesce_take(&c, &ovh, &eth);
	check_super(&ovh, eth, len, &s, 300);
	vh = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV4, 1460, &b);
	assert_int_equal(cut_and_check(&b, &vh, 1514, 1460, &out, lens), 60);
	for (n = 0; gso_coalesce_add(&c, NULL, out + (size_t)n * STRIDE, lens[n]); n++)
		;
	assert_int_equal(n, (GSO_MAX_BYTES - 40) / 1460);
	len = gso_coalesce_take(&c, &ovh, &eth);
	assert_true(len - 14 <= GSO_MAX_BYTES);
	check_super(&ovh, eth, len, &b, 1460);
}

/* ---- cost, printed */

/* ---- partial checksums: gso_segment_partial, gso_partial_vh, and coalescing them */

/* Complete the partial checksum of segment g (len bytes, laid out as s) as the kernel would. */
static void complete(uint8_t *g, size_t len, const struct spec *s)
{
	size_t field = s->l4 + (s->udp ? 6 : 16);
	uint16_t c = (uint16_t)~ref_fold(ref_sum(0, g + s->l4, len - s->l4));

	wr16(g + field, s->udp && c == 0 ? 0xffff : c);
}

/* Cut s's super-frame (partial, as the kernel hands it) both ways: the same once completed. */
static void partial_matches_full(struct spec *s, uint8_t gso, uint16_t mss, int want)
{
	uint8_t *f = malloc(frame_len(s)), *full = malloc((size_t)SEGS_MAX * STRIDE),
		*part = malloc((size_t)SEGS_MAX * STRIDE);
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, gso, mss, s), pvh;
	size_t lens[SEGS_MAX], plens[SEGS_MAX];
	bool partial = false;

	assert_non_null(f);
	assert_non_null(full);
	assert_non_null(part);
	build(s, f);
	make_partial(f, s);
	assert_int_equal(gso_segment(&vh, f, s->len, 1500, full, STRIDE, SEGS_MAX, lens), want);
	assert_int_equal(gso_segment_partial(&vh, f, s->len, 1500, part, STRIDE, SEGS_MAX, plens,
					     &partial), want);
	assert_true(partial);
	for (int i = 0; i < want; i++) {
		uint8_t *g = part + (size_t)i * STRIDE;
		size_t field = s->l4 + (s->udp ? 6 : 16);

		assert_int_equal(plens[i], lens[i]);
		/* the field: the segment's own pseudo-header's sum (its length, not the whole's) */
		assert_int_equal(be16(g + field),
				 ref_fold(ref_pseudo(g + s->l3, s->v6, s->udp ? 17 : 6,
						     plens[i] - s->l4)));
		assert_true(gso_partial_vh(g, plens[i], &pvh));
		assert_int_equal(pvh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		assert_int_equal(pvh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_int_equal(pvh.csum_start, s->l4);
		assert_int_equal(pvh.csum_offset, s->udp ? 6 : 16);
		complete(g, plens[i], s);
		assert_memory_equal(g, full + (size_t)i * STRIDE, lens[i]);
	}
	/* no partial checksum to keep (a complete one), or one elsewhere: complete checksums */
	build(s, f);
	vh.flags = 0;
	assert_int_equal(gso_segment_partial(&vh, f, s->len, 1500, part, STRIDE, SEGS_MAX, plens,
					     &partial), want);
	assert_false(partial);
	for (int i = 0; i < want; i++)
		assert_memory_equal(part + (size_t)i * STRIDE, full + (size_t)i * STRIDE, lens[i]);
	make_partial(f, s);
	vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, gso, mss, s);
	vh.csum_start = (uint16_t)s->l3;
	assert_int_equal(gso_segment_partial(&vh, f, s->len, 1500, part, STRIDE, SEGS_MAX, plens,
					     &partial), want);
	assert_false(partial);
	for (int i = 0; i < want; i++)
		assert_memory_equal(part + (size_t)i * STRIDE, full + (size_t)i * STRIDE, lens[i]);
	free(f);
	free(full);
	free(part);
}

static void test_partial_cut(void **state)
{
	struct spec s4 = { .tcpopt = 12, .payload = 20000, .flags = TCP_ACK | TCP_PSH };
	struct spec s6 = { .v6 = true, .tags = 2, .payload = 9000, .flags = TCP_ACK };
	struct spec u4 = { .udp = true, .tags = 1, .payload = 5 * 1200 + 7 };
	uint8_t arp[60] = { [12] = 0x08, [13] = 0x06 };
	struct virtio_net_hdr vh;

	(void)state;
	partial_matches_full(&s4, VIRTIO_NET_HDR_GSO_TCPV4, 1382, 15);
	partial_matches_full(&s6, VIRTIO_NET_HDR_GSO_TCPV6, 1000, 9);
	partial_matches_full(&u4, VIRTIO_NET_HDR_GSO_UDP_L4, 1200, 6);
	assert_false(gso_partial_vh(arp, sizeof(arp), &vh));
	assert_int_equal(vh.flags, 0);
}

/* Segments with partial checksums coalesce unchecked (trusted as the stack trusts them). */
static void test_partial_coalesce(void **state)
{
	static struct gso_coalesce c;
	struct spec s = { .tcpopt = 12, .payload = 6 * 1000, .flags = TCP_ACK | TCP_PSH };
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
					 1000, &s), pvh, ovh;
	uint8_t *f = malloc(frame_len(&s)), *out = segs_buf();
	size_t lens[SEGS_MAX], len;
	const uint8_t *eth;
	bool partial;

	(void)state;
	assert_non_null(f);
	build(&s, f);
	make_partial(f, &s);
	assert_int_equal(gso_segment_partial(&vh, f, s.len, 1514, out, STRIDE, SEGS_MAX, lens,
					     &partial), 6);
	assert_true(partial);
	/* not checked: a flipped payload byte passes (the datagram's tag vouches for it) */
	out[2 * STRIDE + s.hdr + 5] ^= 0x40;
	for (int i = 0; i < 6; i++) {
		assert_true(gso_partial_vh(out + (size_t)i * STRIDE, lens[i], &pvh));
		assert_true(gso_coalesce_add(&c, &pvh, out + (size_t)i * STRIDE, lens[i]));
	}
	len = gso_coalesce_take(&c, &ovh, &eth);
	assert_int_equal(len, s.len);
	out[2 * STRIDE + s.hdr + 5] ^= 0x40;
	f[s.hdr + 2 * 1000 + 5] ^= 0x40;
	assert_memory_equal(eth + s.hdr, f + s.hdr, s.payload);
	f[s.hdr + 2 * 1000 + 5] ^= 0x40;
	check_super(&ovh, eth, len, &s, 1000);
	/* one alone goes out as it came: its partial checksum and the metadata that says so */
	assert_true(gso_partial_vh(out, lens[0], &pvh));
	assert_true(gso_coalesce_add(&c, &pvh, out, lens[0]));
	len = gso_coalesce_take(&c, &ovh, &eth);
	assert_int_equal(len, lens[0]);
	assert_memory_equal(eth, out, len);
	assert_int_equal(ovh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(ovh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(ovh.csum_start, s.l4);
	assert_int_equal(ovh.csum_offset, 16);
	/* a complete one joins partial ones, its checksum still checked */
	assert_true(gso_coalesce_add(&c, &pvh, out, lens[0]));
	memcpy(f, out + STRIDE, lens[1]);
	complete(f, lens[1], &s);
	assert_true(gso_coalesce_add(&c, NULL, f, lens[1]));
	memcpy(f, out + 2 * STRIDE, lens[2]);
	complete(f, lens[2], &s);
	f[s.hdr] ^= 1;
	assert_false(gso_coalesce_add(&c, NULL, f, lens[2]));
	assert_int_equal(c.segs, 2);
	gso_coalesce_take(&c, &ovh, &eth);
	free(f);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void test_cost(void **state)
{
	static struct gso_coalesce c;
	struct spec s = { .tcpopt = 12, .payload = 65536 - 66, .flags = TCP_ACK };
	struct spec m = { .tcpopt = 12, .payload = 45 * 1448, .flags = TCP_ACK };
	struct virtio_net_hdr vh = vh_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
					 1448, &s), ovh;
	uint8_t *f = malloc(frame_len(&s)), *out = segs_buf(), *segs;
	size_t lens[SEGS_MAX];
	const uint8_t *eth;
	double t0, t1;
	bool partial = false;
	int n = 0, rounds = 200;

	(void)state;
	assert_non_null(f);
	build(&s, f);
	t0 = now_ns();
	for (int i = 0; i < rounds; i++)
		n = gso_segment(&vh, f, s.len, 1400, out, STRIDE, SEGS_MAX, lens);
	t1 = now_ns();
	printf("gso_segment: a 64 KiB TCPv4 super-frame into %d frames of at most 1400 bytes: "
	       "%.0f ns\n", n, (t1 - t0) / rounds);
	t0 = now_ns();
	for (int i = 0; i < rounds; i++)
		n = gso_segment_partial(&vh, f, s.len, 1400, out, STRIDE, SEGS_MAX, lens, &partial);
	t1 = now_ns();
	assert_true(partial);
	printf("gso_segment_partial: the same, checksums left partial: %.0f ns\n",
	       (t1 - t0) / rounds);
	segs = malloc((size_t)45 * STRIDE);
	assert_non_null(segs);
	vh = vh_of(0, VIRTIO_NET_HDR_GSO_TCPV4, 1448, &m);
	build(&m, f);
	assert_int_equal(gso_segment(&vh, f, m.len, 1514, segs, STRIDE, 45, lens), 45);
	t0 = now_ns();
	for (int i = 0; i < rounds; i++) {
		add_all(&c, segs, lens, 45);
		assert_int_equal(gso_coalesce_take(&c, &ovh, &eth), m.len);
	}
	t1 = now_ns();
	printf("gso_coalesce: 45 segments of 1448 bytes into one super-frame: %.0f ns\n",
	       (t1 - t0) / rounds);
	/* the same segments as partial ones: no checksum to check */
	t0 = now_ns();
	for (int i = 0; i < rounds; i++) {
		for (int k = 0; k < 45; k++) {
			struct virtio_net_hdr pvh;

			assert_true(gso_partial_vh(segs + (size_t)k * STRIDE, lens[k], &pvh));
			assert_true(gso_coalesce_add(&c, &pvh, segs + (size_t)k * STRIDE, lens[k]));
		}
		assert_int_equal(gso_coalesce_take(&c, &ovh, &eth), m.len);
	}
	t1 = now_ns();
	printf("gso_coalesce: the same as partial segments: %.0f ns\n", (t1 - t0) / rounds);
	free(segs);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp4_ip_options_ecn),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_tcp_vlan),
		cmocka_unit_test(test_udp_l4),
		cmocka_unit_test(test_mss_from_max_frame),
		cmocka_unit_test(test_needs_csum),
		cmocka_unit_test(test_udp_zero_csum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bogus),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_coalesce_roundtrip),
		cmocka_unit_test(test_coalesce_refuse),
		cmocka_unit_test(test_coalesce_limits),
		cmocka_unit_test(test_partial_cut),
		cmocka_unit_test(test_partial_coalesce),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
