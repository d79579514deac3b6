// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_gso.c - libFuzzer target for segmentation and coalescing in software (gso_segment,
 * gso_segment_partial, gso_partial_vh, gso_clamp_mss, gso_coalesce_add, gso_coalesce_take).
 *
 * Input: flags, gso_type, hdr_len[2], gso_size[2], csum_start[2], csum_offset[2] (the offload
 * metadata), max_frame[2], max_segs, then the frame (an exact-size heap copy: ASan sees any
 * read past its end). Checked:
 *  - gso_segment: a count within max_segs, segments of at most max_frame bytes, all but the last
 *    of one length; a frame that was cut has every IPv4 header and TCP/UDP checksum right
 *    (checked here byte by byte, apart from gso.c's own sums);
 *  - the segments, fed to the coalescer in order: every super-frame it gives out passes
 *    frame_offload_safe; when all of them join one, cutting it again gives the same segments;
 *  - the input frame itself through the coalescer, and gso_clamp_mss on a copy: at most the MSS
 *    and the checksum change, and a checksum that was right stays right.
 * A violation calls __builtin_trap().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/frame.h"
#include "vnet/gso.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define SEGS_MAX    256
#define STRIDE      9216
#define IN_HDR      14

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Whether f[0..len) is an IPv4/IPv6 TCP/UDP frame (up to two VLAN tags, no IPv6 extension
 * headers) whose IP and L4 checksums are right; *l4 is where its L4 header starts, *proto its
 * protocol. False when it is not such a frame (*l4 = 0) or a checksum is wrong (*l4 set).
 */
static bool sums_right(const uint8_t *f, size_t len, size_t *l4, uint8_t *proto)
{
	size_t off = 14, l3;
	uint16_t type;
	uint8_t ph[40] = { 0 };
	size_t phlen, l4len;

	*l4 = 0;
	if (len < 14)
		return false;
	type = be16(f + 12);
	for (int i = 0; i < 2 && (type == 0x8100 || type == 0x88a8); i++) {
		if (off + 4 > len)
			return false;
		type = be16(f + off + 2);
		off += 4;
	}
	l3 = off;
	if (type == 0x0800 && l3 + 20 <= len && f[l3] >> 4 == 4 && (f[l3] & 15) >= 5 &&
	    l3 + (f[l3] & 15) * 4u <= len) {
		off = l3 + (f[l3] & 15) * 4u;
		*proto = f[l3 + 9];
		l4len = len - off;
		memcpy(ph, f + l3 + 12, 8);
		ph[9] = *proto;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		phlen = 12;
		if (fold(sum16(0, f + l3, off - l3)) != 0xffff) {
			*l4 = off;
			return false;
		}
	} else if (type == 0x86dd && l3 + 40 <= len && f[l3] >> 4 == 6) {
		off = l3 + 40;
		*proto = f[l3 + 6];
		l4len = len - off;
		memcpy(ph, f + l3 + 8, 32);
		ph[34] = (uint8_t)(l4len >> 8);
		ph[35] = (uint8_t)l4len;
		ph[39] = *proto;
		phlen = 40;
	} else {
		return false;
	}
	if ((*proto != 6 || off + 20 > len) && (*proto != 17 || off + 8 > len))
		return false;
	*l4 = off;
	if (*proto == 17 && be16(f + off + 6) == 0)
		return false;   /* no checksum: segmentation always makes one */
	return fold(sum16(sum16(0, ph, phlen), f + off, l4len)) == 0xffff;
}

static void check_take(struct gso_coalesce *c, const uint8_t **eth, size_t *len,
		       struct virtio_net_hdr *vh)
{
	const char *why = NULL;

	*len = gso_coalesce_take(c, vh, eth);
	if (*len && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		CHECK(frame_offload_safe(vh, *eth, *len, &why));
	CHECK(c->len == 0);
}

/* Complete segment s's partial checksum (vh from gso_partial_vh) as the kernel would. */
static void complete(uint8_t *s, size_t len, const struct virtio_net_hdr *vh)
{
	uint16_t c = (uint16_t)~fold(sum16(0, s + vh->csum_start, len - vh->csum_start));

	if (c == 0 && vh->csum_offset == 6)
		c = 0xffff;     /* UDP */
	s[vh->csum_start + vh->csum_offset] = (uint8_t)(c >> 8);
	s[vh->csum_start + vh->csum_offset + 1] = (uint8_t)c;
}

/* The cut leaving partial checksums: the same segments once completed; they coalesce safely. */
static void check_partial(struct gso_coalesce *c, const struct virtio_net_hdr *vh,
			  const uint8_t *f, size_t len, size_t max_frame, size_t max_segs,
			  const uint8_t *out, const size_t *lens, int n, uint8_t *part)
{
	size_t plens[SEGS_MAX], olen;
	struct virtio_net_hdr pvh, ovh;
	const uint8_t *oeth;
	bool partial = false;

	CHECK(gso_segment_partial(vh, f, len, max_frame, part, STRIDE, max_segs, plens,
				  &partial) == n);
	for (int i = 0; i < n; i++) {
		uint8_t *s = part + (size_t)i * STRIDE;

		CHECK(plens[i] == lens[i]);
		if (!partial)
			continue;
		CHECK(gso_partial_vh(s, plens[i], &pvh));
		if (!gso_coalesce_add(c, &pvh, s, plens[i])) {
			check_take(c, &oeth, &olen, &ovh);
			gso_coalesce_add(c, &pvh, s, plens[i]);
		}
	}
	check_take(c, &oeth, &olen, &ovh);
	for (int i = 0; partial && i < n; i++) {
		uint8_t *s = part + (size_t)i * STRIDE;

		CHECK(gso_partial_vh(s, plens[i], &pvh));
		complete(s, plens[i], &pvh);
		CHECK(!memcmp(s, out + (size_t)i * STRIDE, lens[i]));
	}
	if (!partial)
		for (int i = 0; i < n; i++)
			CHECK(!memcmp(part + (size_t)i * STRIDE, out + (size_t)i * STRIDE, lens[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gso_coalesce c;
	static uint8_t *out, *again;
	struct virtio_net_hdr vh, ovh;
	size_t lens[SEGS_MAX], lens2[SEGS_MAX], len, max_frame, max_segs, l4, olen;
	const uint8_t *oeth;
	uint8_t *f, proto;
	unsigned int joined = 0;
	bool cut, whole = true;
	int n;

	if (size < IN_HDR)
		return 0;
	if (!out) {
		out = malloc((size_t)SEGS_MAX * STRIDE);
		again = malloc((size_t)SEGS_MAX * STRIDE);
		CHECK(out && again);
	}
	memset(&vh, 0, sizeof(vh));
	vh.flags = data[0];
	vh.gso_type = data[1];
	vh.hdr_len = be16(data + 2);
	vh.gso_size = be16(data + 4);
	vh.csum_start = be16(data + 6);
	vh.csum_offset = be16(data + 8);
	max_frame = 60 + be16(data + 10) % (STRIDE - 59);
	max_segs = 1 + data[12] % SEGS_MAX;
	len = size - IN_HDR;
	f = malloc(len ? len : 1);
	CHECK(f != NULL);
	memcpy(f, data + IN_HDR, len);

	n = gso_segment(&vh, f, len, max_frame, out, STRIDE, max_segs, lens);
	CHECK(n == -EINVAL || n == -EMSGSIZE || (n >= 1 && (size_t)n <= max_segs));
	cut = n > 0 && (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE || len > max_frame);
	for (int i = 0; i < n; i++) {
		CHECK(lens[i] >= 14 && lens[i] <= max_frame);
		CHECK(i + 1 == n || lens[i] == lens[0]);
		if (cut)
			CHECK(sums_right(out + (size_t)i * STRIDE, lens[i], &l4, &proto));
	}
	if (n == 1 && !cut && !(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		CHECK(lens[0] == len && !memcmp(out, f, len));
	check_partial(&c, &vh, f, len, max_frame, max_segs, out, lens, n, again);

	/* The segments through the coalescer, in order. */
	for (int i = 0; i < n; i++) {
		const uint8_t *s = out + (size_t)i * STRIDE;

		if (gso_coalesce_add(&c, NULL, s, lens[i])) {
			joined++;
			continue;
		}
		whole = false;
		check_take(&c, &oeth, &olen, &ovh);
		if (gso_coalesce_add(&c, NULL, s, lens[i]))
			joined++;
	}
	if (cut && n > 1 && whole && joined == (unsigned int)n) {
		/* one super-frame of them all: cut again, the same segments */
		int n2;

		olen = gso_coalesce_take(&c, &ovh, &oeth);
		CHECK(olen > 0 && ovh.gso_type != VIRTIO_NET_HDR_GSO_NONE);
		n2 = gso_segment(&ovh, oeth, olen, max_frame, again, STRIDE, SEGS_MAX, lens2);
		CHECK(n2 == n);
		for (int i = 0; i < n; i++)
			CHECK(lens2[i] == lens[i] && !memcmp(again + (size_t)i * STRIDE,
							     out + (size_t)i * STRIDE, lens[i]));
	}
	check_take(&c, &oeth, &olen, &ovh);

	/* The input itself through the coalescer, twice (the second never continues the first). */
	if (gso_coalesce_add(&c, &vh, f, len))
		CHECK(!gso_coalesce_add(&c, &vh, f, len));
	check_take(&c, &oeth, &olen, &ovh);

	/* The clamp: the MSS and the checksum change at most, a right checksum stays right. */
	{
		uint8_t *g = malloc(len ? len : 1);
		bool right = sums_right(f, len, &l4, &proto);
		size_t diff = 0;

		CHECK(g != NULL);
		memcpy(g, f, len);
		if (gso_clamp_mss(&vh, g, len, (uint16_t)(536 + data[13]))) {
			for (size_t i = 0; i < len; i++)
				diff += f[i] != g[i];
			CHECK(diff >= 1 && diff <= 4);
			if (right && !(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
				CHECK(sums_right(g, len, &l4, &proto));
		} else {
			CHECK(!memcmp(f, g, len));
		}
		free(g);
	}
	free(f);
	return 0;
}
