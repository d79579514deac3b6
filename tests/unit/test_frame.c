// SPDX-License-Identifier: GPL-2.0-or-later
/* test_frame.c - unit tests of the daemon-to-daemon framing: encoding, decoding, offload checks */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/common.h"
#include "vnet/frame.h"

/* Fixed by the virtio specification; older kernel headers (before 6.2) lack the name. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* ---- helpers ---- */

static void fill_eth(uint8_t *eth, size_t len)
{
	static const uint8_t hdr[14] = { 0x02, 0, 0, 0, 0, 0x0a, 0x02, 0, 0, 0, 0, 0x0b, 0x08, 0 };

	memcpy(eth, hdr, len < sizeof(hdr) ? len : sizeof(hdr));
	for (size_t i = sizeof(hdr); i < len; i++)
		eth[i] = (uint8_t)(i * 13 + 5);
}

/* Write a PLAIN message carrying an eth_len-byte frame at out; its size. */
static size_t put_plain(uint8_t *out, size_t eth_len)
{
	frame_put_header(out, FRAME_T_PLAIN, eth_len);
	fill_eth(out + FRAME_HDR_LEN, eth_len);
	return FRAME_HDR_LEN + eth_len;
}

/* Write an OFFLOAD message; its size. */
static size_t put_offload(uint8_t *out, const struct virtio_net_hdr *vh, size_t eth_len)
{
	frame_put_header(out, FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + eth_len);
	frame_put_offload(out + FRAME_HDR_LEN, vh);
	fill_eth(out + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, eth_len);
	return FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + eth_len;
}

static struct virtio_net_hdr vh_make(uint8_t flags, uint8_t gso_type, uint16_t hdr_len,
				     uint16_t gso_size, uint16_t csum_start, uint16_t csum_offset)
{
	struct virtio_net_hdr vh;

	memset(&vh, 0, sizeof(vh));
	vh.flags = flags;
	vh.gso_type = gso_type;
	vh.hdr_len = hdr_len;
	vh.gso_size = gso_size;
	vh.csum_start = csum_start;
	vh.csum_offset = csum_offset;
	return vh;
}

/* A TCP/IPv4 segmentation super-frame, as the kernel hands it over. */
static struct virtio_net_hdr vh_tcp4(void)
{
	return vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 1448, 34, 16);
}

/* Decode buf[0..len) (an exact-size heap copy, so that ASan sees any over-read). */
static enum frame_status decode_copy(const uint8_t *buf, size_t len, struct frame_msg *msg,
				     size_t *used, const char **err, uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, buf, len);
	return frame_decode(*copy, len, msg, used, err);
}

static void expect_error(const uint8_t *buf, size_t len, const char *keyword)
{
	struct frame_msg msg;
	size_t used = 12345;
	const char *err = NULL;
	uint8_t *copy;
	enum frame_status st = decode_copy(buf, len, &msg, &used, &err, &copy);

	free(copy);
	if (st != FRAME_ERROR)
		fail_msg("type 0x%02x length %zu: status %d, want FRAME_ERROR", buf[0], len, st);
	assert_non_null(err);
	if (!strstr(err, keyword))
		fail_msg("error '%s' does not mention '%s'", err, keyword);
}

static void expect_vh_invalid(const struct virtio_net_hdr *vh, const char *keyword)
{
	const char *err = NULL;

	if (frame_offload_valid(vh, &err))
		fail_msg("flags 0x%x gso 0x%x hdr_len %u gso_size %u csum %u+%u: accepted",
			 vh->flags, vh->gso_type, vh->hdr_len, vh->gso_size, vh->csum_start,
			 vh->csum_offset);
	assert_non_null(err);
	if (!strstr(err, keyword))
		fail_msg("error '%s' does not mention '%s'", err, keyword);
}

static void expect_vh_valid(const struct virtio_net_hdr *vh)
{
	const char *err = NULL;

	if (!frame_offload_valid(vh, &err))
		fail_msg("flags 0x%x gso 0x%x hdr_len %u gso_size %u csum %u+%u: rejected (%s)",
			 vh->flags, vh->gso_type, vh->hdr_len, vh->gso_size, vh->csum_start,
			 vh->csum_offset, err ? err : "?");
}

#define NEEDS_CSUM VIRTIO_NET_HDR_F_NEEDS_CSUM
#define GSO_ECN VIRTIO_NET_HDR_GSO_ECN

/* An offload header, and a word of the reason frame_offload_valid refuses it for (NULL: it
 * accepts it). */
struct vh_case {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
	const char *keyword;
};

static void check_vh(const struct vh_case *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct virtio_net_hdr vh = vh_make(t[i].flags, t[i].gso_type, t[i].hdr_len,
						   t[i].gso_size, t[i].csum_start,
						   t[i].csum_offset);

		if (t[i].keyword)
			expect_vh_invalid(&vh, t[i].keyword);
		else
			expect_vh_valid(&vh);
	}
}
#define CHECK_VH(t) check_vh((t), ARRAY_SIZE(t))

/* ---- encoding ---- */

static void test_put_header(void **state)
{
	uint8_t h[FRAME_HDR_LEN + 1];

	memset(h, 0xee, sizeof(h));
	frame_put_header(h, FRAME_T_PLAIN, 0x012345);
	assert_memory_equal(h, ((const uint8_t[]){ 0x02, 0x01, 0x23, 0x45, 0xee }), 5);
	frame_put_header(h, FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX);
	assert_memory_equal(h, ((const uint8_t[]){ 0x01, 0x01, 0x01, 0x0a, 0xee }), 5);
	frame_put_header(h, FRAME_T_KEEPALIVE, 0);
	assert_memory_equal(h, ((const uint8_t[]){ 0x03, 0x00, 0x00, 0x00, 0xee }), 5);
}

static void test_put_offload(void **state)
{
	uint8_t o[FRAME_OFFLOAD_LEN + 1];
	struct virtio_net_hdr vh = vh_make(0x01, 0x81, 0x0102, 0x0304, 0x0506, 0x0708);

	memset(o, 0xee, sizeof(o));
	frame_put_offload(o, &vh);
	assert_memory_equal(o, ((const uint8_t[]){ 0x01, 0x81, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
						   0x07, 0x08, 0xee }), 11);
	vh = vh_make(0xff, 0xfe, 0xfffe, 0xfdfc, 0xfbfa, 0xf9f8);
	frame_put_offload(o, &vh);
	assert_memory_equal(o, ((const uint8_t[]){ 0xff, 0xfe, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa,
						   0xf9, 0xf8, 0xee }), 11);
}

/* ---- round trips ---- */

static void test_offload_round_trip(void **state)
{
	static uint8_t buf[FRAME_MSG_MAX];
	struct virtio_net_hdr vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM,
					   VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
					   0x0142, 0x05a8, 0x0022, 0x0010);
	const size_t eth_lens[] = { FRAME_ETH_MIN + 320, 1514, 9014, 65000 };

	for (size_t i = 0; i < ARRAY_SIZE(eth_lens); i++) {
		struct frame_msg msg;
		size_t used = 0, n = put_offload(buf, &vh, eth_lens[i]);
		const char *err = NULL;

		assert_int_equal(n, FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + eth_lens[i]);
		assert_int_equal(frame_decode(buf, n, &msg, &used, &err), FRAME_OK);
		assert_int_equal(used, n);
		assert_int_equal(msg.type, FRAME_T_OFFLOAD);
		assert_true(msg.has_frame);
		assert_true(msg.has_offload);
		assert_int_equal(msg.vh.flags, vh.flags);
		assert_int_equal(msg.vh.gso_type, vh.gso_type);
		assert_int_equal(msg.vh.hdr_len, vh.hdr_len);
		assert_int_equal(msg.vh.gso_size, vh.gso_size);
		assert_int_equal(msg.vh.csum_start, vh.csum_start);
		assert_int_equal(msg.vh.csum_offset, vh.csum_offset);
		assert_ptr_equal(msg.eth, buf + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN);
		assert_int_equal(msg.eth_len, eth_lens[i]);
		{
			uint8_t *want = malloc(eth_lens[i]);

			assert_non_null(want);
			fill_eth(want, eth_lens[i]);
			assert_memory_equal(msg.eth, want, eth_lens[i]);
			free(want);
		}
	}
}

static void test_plain_round_trip(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + 1514 + 8], want[1514];
	struct frame_msg msg;
	size_t used = 0, n;
	const char *err = NULL;

	memset(buf, 0xee, sizeof(buf));
	n = put_plain(buf, 1514);
	assert_int_equal(n, FRAME_HDR_LEN + 1514);
	memset(&msg, 0xa5, sizeof(msg));
	/* Trailing bytes (the start of a next message) are not consumed. */
	assert_int_equal(frame_decode(buf, sizeof(buf), &msg, &used, &err), FRAME_OK);
	assert_int_equal(used, n);
	assert_int_equal(msg.type, FRAME_T_PLAIN);
	assert_true(msg.has_frame);
	assert_false(msg.has_offload);
	assert_int_equal(msg.vh.flags, 0);
	assert_int_equal(msg.vh.gso_type, 0);
	assert_int_equal(msg.vh.gso_size, 0);
	assert_ptr_equal(msg.eth, buf + FRAME_HDR_LEN);
	assert_int_equal(msg.eth_len, 1514);
	fill_eth(want, sizeof(want));
	assert_memory_equal(msg.eth, want, sizeof(want));
}

static void test_keepalive(void **state)
{
	uint8_t buf[FRAME_HDR_LEN];
	struct frame_msg msg;
	size_t used = 0;
	const char *err = NULL;

	frame_put_header(buf, FRAME_T_KEEPALIVE, 0);
	memset(&msg, 0xa5, sizeof(msg));
	assert_int_equal(frame_decode(buf, sizeof(buf), &msg, &used, &err), FRAME_OK);
	assert_int_equal(used, FRAME_HDR_LEN);
	assert_int_equal(msg.type, FRAME_T_KEEPALIVE);
	assert_false(msg.has_frame);
	assert_false(msg.has_offload);
	assert_int_equal(msg.eth_len, 0);
}

static void test_keepalive_with_payload(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + 64];

	memset(buf, 0, sizeof(buf));
	frame_put_header(buf, FRAME_T_KEEPALIVE, 1);
	expect_error(buf, FRAME_HDR_LEN + 1, "keepalive");
	expect_error(buf, FRAME_HDR_LEN, "keepalive");     /* known before the payload arrives */
	frame_put_header(buf, FRAME_T_KEEPALIVE, 60);
	expect_error(buf, FRAME_HDR_LEN + 60, "keepalive");
	frame_put_header(buf, FRAME_T_KEEPALIVE, 0xffffff);
	expect_error(buf, FRAME_HDR_LEN, "keepalive");
}

/* ---- incomplete input ---- */

static void expect_need_more_prefixes(const uint8_t *msgbuf, size_t n)
{
	for (size_t len = 0; len < n; len++) {
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;
		uint8_t *copy;
		enum frame_status st = decode_copy(msgbuf, len, &msg, &used, &err, &copy);

		free(copy);
		if (st != FRAME_NEED_MORE)
			fail_msg("type 0x%02x: prefix of %zu of %zu bytes gave status %d",
				 msgbuf[0], len, n, st);
	}
	/* And the whole of it decodes. */
	{
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;
		uint8_t *copy;

		assert_int_equal(decode_copy(msgbuf, n, &msg, &used, &err, &copy), FRAME_OK);
		free(copy);
		assert_int_equal(used, n);
	}
}

static void test_need_more_every_prefix(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + 1514];
	struct virtio_net_hdr vh = vh_tcp4();
	size_t n;

	n = put_offload(buf, &vh, 1514);
	expect_need_more_prefixes(buf, n);
	n = put_offload(buf, &vh, 100);
	expect_need_more_prefixes(buf, n);
	n = put_plain(buf, 1514);
	expect_need_more_prefixes(buf, n);
	n = put_plain(buf, FRAME_ETH_MIN);
	expect_need_more_prefixes(buf, n);
	frame_put_header(buf, FRAME_T_KEEPALIVE, 0);
	expect_need_more_prefixes(buf, FRAME_HDR_LEN);
	frame_put_header(buf, 0x80, 7);
	memset(buf + FRAME_HDR_LEN, 0x42, 7);
	expect_need_more_prefixes(buf, FRAME_HDR_LEN + 7);
}

/* ---- length limits ---- */

/* A message of type t with a payload of plen bytes: status of its decoding, whole and header only. */
static enum frame_status decode_len(uint8_t type, size_t plen, bool header_only,
				    const struct virtio_net_hdr *vh, struct frame_msg *msg,
				    const char **err)
{
	size_t total = FRAME_HDR_LEN + plen, used = 0;
	uint8_t *buf = calloc(1, total);
	enum frame_status st;

	assert_non_null(buf);
	frame_put_header(buf, type, plen);
	if (type == FRAME_T_OFFLOAD && plen >= FRAME_OFFLOAD_LEN) {
		frame_put_offload(buf + FRAME_HDR_LEN, vh);
		fill_eth(buf + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, plen - FRAME_OFFLOAD_LEN);
	} else if (type == FRAME_T_PLAIN) {
		fill_eth(buf + FRAME_HDR_LEN, plen);
	}
	st = frame_decode(buf, header_only ? FRAME_HDR_LEN : total, msg, &used, err);
	if (st == FRAME_OK)
		assert_int_equal(used, total);
	free(buf);
	return st;
}

/* A message of type t with a plen-byte payload (and offload header vh), decoded whole or from
 * its header alone: the status it must get, the frame length when it decodes to a frame (0: no
 * frame), a word of the error (NULL: not looked at). */
struct len_case {
	uint8_t type;
	size_t plen;
	bool header_only;
	enum { VH_NONE, VH_ZERO, VH_TCP4 } vh;
	enum frame_status want;
	size_t eth_len;
	const char *keyword;
};

static void check_lens(const struct len_case *t, size_t n)
{
	const struct virtio_net_hdr zero = vh_make(0, 0, 0, 0, 0, 0), tcp4 = vh_tcp4();

	for (size_t i = 0; i < n; i++) {
		const struct virtio_net_hdr *vh = t[i].vh == VH_TCP4 ? &tcp4 :
						  t[i].vh == VH_ZERO ? &zero : NULL;
		struct frame_msg msg;
		const char *err = NULL;

		assert_int_equal(decode_len(t[i].type, t[i].plen, t[i].header_only, vh, &msg,
					    &err), t[i].want);
		if (t[i].keyword)
			assert_non_null(strstr(err, t[i].keyword));
		if (t[i].want != FRAME_OK)
			continue;
		assert_int_equal(msg.has_frame, t[i].eth_len > 0);
		if (t[i].eth_len)
			assert_int_equal(msg.eth_len, t[i].eth_len);
		assert_int_equal(msg.has_offload, vh != NULL);
		if (vh)
			assert_int_equal(msg.vh.gso_size, vh->gso_size);
	}
}
#define CHECK_LENS(t) check_lens((t), ARRAY_SIZE(t))

/* A message of type t whose header announces 0xffffff bytes: refused from the header. */
static void expect_header_error(uint8_t t)
{
	uint8_t h[FRAME_HDR_LEN];
	struct frame_msg msg;
	size_t used = 0;
	const char *err = NULL;

	frame_put_header(h, (enum frame_type)t, 0xffffff);
	assert_int_equal(frame_decode(h, sizeof(h), &msg, &used, &err), FRAME_ERROR);
}

static void test_plain_length_limits(void **state)
{
	static const struct len_case cases[] = {
		{ FRAME_T_PLAIN, 0, false, VH_NONE, FRAME_ERROR, 0, "length" },
		{ FRAME_T_PLAIN, FRAME_ETH_MIN - 1, false, VH_NONE, FRAME_ERROR, 0, "length" },
		{ FRAME_T_PLAIN, FRAME_ETH_MIN, false, VH_NONE, FRAME_OK, FRAME_ETH_MIN, NULL },
		{ FRAME_T_PLAIN, FRAME_ETH_MAX, false, VH_NONE, FRAME_OK, FRAME_ETH_MAX, NULL },
		{ FRAME_T_PLAIN, FRAME_ETH_MAX + 1, false, VH_NONE, FRAME_ERROR, 0, "length" },
		/* Out-of-bounds lengths are refused from the header alone, without waiting. */
		{ FRAME_T_PLAIN, FRAME_ETH_MIN - 1, true, VH_NONE, FRAME_ERROR, 0, NULL },
		{ FRAME_T_PLAIN, FRAME_ETH_MAX + 1, true, VH_NONE, FRAME_ERROR, 0, NULL },
		{ FRAME_T_PLAIN, FRAME_ETH_MAX, true, VH_NONE, FRAME_NEED_MORE, 0, NULL },
	};

	CHECK_LENS(cases);
	expect_header_error(FRAME_T_PLAIN);
}

static void test_offload_length_limits(void **state)
{
	static const struct len_case cases[] = {
		{ FRAME_T_OFFLOAD, 0, false, VH_ZERO, FRAME_ERROR, 0, NULL },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN, false, VH_ZERO, FRAME_ERROR, 0, NULL },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MIN - 1, false, VH_ZERO, FRAME_ERROR,
		  0, "length" },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MIN, false, VH_ZERO, FRAME_OK,
		  FRAME_ETH_MIN, NULL },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, false, VH_ZERO, FRAME_OK,
		  FRAME_ETH_MAX, NULL },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, false, VH_ZERO, FRAME_ERROR,
		  0, "length" },
		/* From the header alone. */
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MIN - 1, true, VH_ZERO, FRAME_ERROR,
		  0, NULL },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, true, VH_ZERO, FRAME_ERROR,
		  0, NULL },
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, true, VH_ZERO, FRAME_NEED_MORE,
		  0, NULL },
		/* A big GSO frame at the limit with real offload metadata. */
		{ FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, false, VH_TCP4, FRAME_OK,
		  FRAME_ETH_MAX, NULL },
	};

	CHECK_LENS(cases);
	assert_int_equal(FRAME_MSG_MAX, FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + FRAME_ETH_MAX);
}

/* ---- message types ---- */

static void test_unknown_mandatory_type(void **state)
{
	const uint8_t types[] = { 0x00, 0x04, 0x05, 0x10, 0x7f };
	uint8_t buf[FRAME_HDR_LEN + 64];

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		memset(buf, 0, sizeof(buf));
		frame_put_header(buf, (enum frame_type)types[i], 60);
		fill_eth(buf + FRAME_HDR_LEN, 60);
		expect_error(buf, FRAME_HDR_LEN + 60, "type");
		expect_error(buf, FRAME_HDR_LEN, "type");           /* header alone */
		frame_put_header(buf, (enum frame_type)types[i], 0);
		expect_error(buf, FRAME_HDR_LEN, "type");
	}
}

static void test_optional_type_skipped(void **state)
{
	const uint8_t types[] = { 0x80, 0x81, 0xc0, 0xff };
	uint8_t buf[FRAME_HDR_LEN + 100];

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;

		memset(buf, 0x99, sizeof(buf));
		frame_put_header(buf, (enum frame_type)types[i], 5);
		assert_int_equal(frame_decode(buf, sizeof(buf), &msg, &used, &err), FRAME_OK);
		assert_int_equal(used, FRAME_HDR_LEN + 5);
		assert_int_equal(msg.type, types[i]);
		assert_false(msg.has_frame);
		assert_false(msg.has_offload);

		frame_put_header(buf, (enum frame_type)types[i], 0);
		assert_int_equal(frame_decode(buf, FRAME_HDR_LEN, &msg, &used, &err), FRAME_OK);
		assert_int_equal(used, FRAME_HDR_LEN);
		assert_false(msg.has_frame);

		frame_put_header(buf, (enum frame_type)types[i], 100);
		assert_int_equal(frame_decode(buf, sizeof(buf) - 1, &msg, &used, &err),
				 FRAME_NEED_MORE);
		assert_int_equal(frame_decode(buf, sizeof(buf), &msg, &used, &err), FRAME_OK);
		assert_int_equal(used, sizeof(buf));
	}
}

static void test_optional_type_limits(void **state)
{
	static const struct len_case cases[] = {
		{ 0x80, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, false, VH_NONE, FRAME_OK, 0, NULL },
		{ 0x80, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, false, VH_NONE, FRAME_ERROR, 0,
		  "length" },
		{ 0xff, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, true, VH_NONE, FRAME_ERROR, 0,
		  "length" },
	};

	CHECK_LENS(cases);
	expect_header_error(0x80);
}

/* ---- offload validation ---- */

static void test_offload_flags(void **state)
{
	static const struct vh_case cases[] = {
		{ 0, 0, 0, 0, 0, 0, NULL },
		{ VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0, NULL },
		{ NEEDS_CSUM, 0, 0, 0, 34, 6, NULL },
		{ 0xff, 0, 0, 0, 34, 6, "flags" },
	};

	CHECK_VH(cases);
	for (unsigned int f = 0x04; f <= 0x80; f <<= 1) {
		struct virtio_net_hdr vh;

		vh = vh_make((uint8_t)f, 0, 0, 0, 0, 0);
		expect_vh_invalid(&vh, "flags");
		vh = vh_make((uint8_t)(f | VIRTIO_NET_HDR_F_NEEDS_CSUM), 0, 0, 0, 34, 6);
		expect_vh_invalid(&vh, "flags");
	}
}

static void test_offload_ecn_without_gso(void **state)
{
	static const struct vh_case cases[] = {
		{ 0, GSO_ECN, 0, 0, 0, 0, "ECN" },
		{ NEEDS_CSUM, GSO_ECN, 54, 1448, 34, 16, "ECN" },
		/* With segmentation it is fine. */
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 | GSO_ECN, 66, 1448, 34, 16, NULL },
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6 | GSO_ECN, 86, 1428, 54, 16, NULL },
	};

	CHECK_VH(cases);
}

static void test_offload_unknown_gso(void **state)
{
	const uint8_t types[] = { 2, 6, 7, 0x10, 0x40, 0x7f, 0x82, 0xff };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct virtio_net_hdr vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, types[i], 66, 1448,
						   34, 16);

		expect_vh_invalid(&vh, "segmentation");
	}
}

static void test_offload_gso_size_zero(void **state)
{
	static const struct vh_case cases[] = {
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 0, 34, 16, "size" },
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 86, 0, 54, 16, "size" },
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 42, 0, 34, 6, "size" },
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 1, 34, 16, NULL },
	};

	CHECK_VH(cases);
}

static void test_offload_valid_tcp4(void **state)
{
	static const struct vh_case cases[] = {
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 1448, 34, 16, NULL },    /* vh_tcp4() */
		/* Checksum only, no segmentation (a small TCP segment). */
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 34, 16, NULL },
		/* VLAN-tagged: everything 4 bytes later. */
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 70, 1444, 38, 16, NULL },
	};

	CHECK_VH(cases);
}

static void test_offload_valid_tcp6(void **state)
{
	static const struct vh_case cases[] = {
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 86, 1428, 54, 16, NULL },
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 54, 16, NULL },
	};

	CHECK_VH(cases);
}

static void test_offload_valid_udp(void **state)
{
	static const struct vh_case cases[] = {
		/* UDP segmentation (UDP_SEGMENT / USO): gso_type 5. */
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 42, 1472, 34, 6, NULL },
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 62, 1452, 54, 6, NULL },
		/* Legacy UFO. */
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 42, 1472, 34, 6, NULL },
		/* Checksum offload only. */
		{ NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 34, 6, NULL },
	};

	CHECK_VH(cases);
}

/* A message that decodes whole, its eth_len-byte frame refused by frame_offload_safe. */
static void expect_decoded_unfit(const uint8_t *buf, size_t n, size_t eth_len, const char *keyword)
{
	struct frame_msg msg;
	size_t used = 0;
	const char *err = NULL, *why = NULL;

	assert_int_equal(frame_decode(buf, n, &msg, &used, &err), FRAME_OK);
	assert_int_equal(used, n);
	assert_int_equal(msg.eth_len, eth_len);
	assert_false(frame_offload_safe(&msg.vh, msg.eth, msg.eth_len, &why));
	assert_non_null(why);
	if (!strstr(why, keyword))
		fail_msg("reason '%s' does not mention '%s'", why, keyword);
}

/* Invalid offload metadata inside a message makes the message a protocol error. */
static void test_decode_checks_offload(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + 100];
	struct virtio_net_hdr vh;
	size_t n;

	vh = vh_make(0x04, 0, 0, 0, 0, 0);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "flags");
	vh = vh_make(0, VIRTIO_NET_HDR_GSO_ECN, 0, 0, 0, 0);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "ECN");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 0, 34, 16);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "size");
	/*
	 * Metadata that does not fit its frame is the frame's fault, not the
	 * stream's: the message decodes whole (frame_offload_safe refuses it).
	 */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 101, 1448, 34, 16);
	n = put_offload(buf, &vh, 100);
	expect_decoded_unfit(buf, n, 100, "header length");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 90, 9);
	n = put_offload(buf, &vh, 100);
	expect_decoded_unfit(buf, n, 100, "checksum");
	/* The bound is the Ethernet frame, not the payload that includes the offload header. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 90, 8);
	n = put_offload(buf, &vh, 100);
	{
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;

		assert_int_equal(frame_decode(buf, n, &msg, &used, &err), FRAME_OK);
		assert_int_equal(msg.eth_len, 100);
	}
}

/* ---- offload safety (what a peer may make the kernel segment) ---- */

/*
 * Build at eth an IP frame of len bytes: ntags VLAN tags (802.1ad first), then IPv4 or IPv6
 * (with ext 8-byte extension headers of type 60) carrying proto; a TCP header of 20 bytes or a
 * UDP header. Returns the offset of the transport header.
 */
static size_t build_ip(uint8_t *eth, size_t len, int ntags, bool v6, int ext, uint8_t proto)
{
	size_t off = 12;

	memset(eth, 0, len);
	memcpy(eth, "\x02\x00\x00\x00\x00\x0a\x02\x00\x00\x00\x00\x0b", 12);
	for (int t = 0; t < ntags; t++) {
		eth[off] = t == 0 && ntags > 1 ? 0x88 : 0x81;
		eth[off + 1] = t == 0 && ntags > 1 ? 0xa8 : 0x00;
		eth[off + 3] = 42;
		off += 4;
	}
	eth[off] = v6 ? 0x86 : 0x08;
	eth[off + 1] = v6 ? 0xdd : 0x00;
	off += 2;
	if (v6) {
		eth[off] = 0x60;
		eth[off + 6] = ext ? 60 : proto;
		off += 40;
		for (int e = 0; e < ext; e++) {
			eth[off] = e + 1 < ext ? 60 : proto;
			eth[off + 1] = 0;                       /* 8 bytes */
			off += 8;
		}
	} else {
		eth[off] = 0x45;
		eth[off + 9] = proto;
		off += 20;
	}
	if (proto == 6)
		eth[off + 12] = 5 << 4;
	return off;
}

static void expect_safe(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len)
{
	const char *why = NULL;
	uint8_t *copy = malloc(len);    /* exact size: ASan sees any over-read */

	assert_non_null(copy);
	memcpy(copy, eth, len);
	if (!frame_offload_safe(vh, copy, len, &why))
		fail_msg("gso 0x%x size %u on %zu bytes: refused (%s)", vh->gso_type, vh->gso_size,
			 len, why ? why : "?");
	free(copy);
}

static void expect_unsafe(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len,
			  const char *keyword)
{
	const char *why = NULL;
	uint8_t *copy = malloc(len);

	assert_non_null(copy);
	memcpy(copy, eth, len);
	if (frame_offload_safe(vh, copy, len, &why))
		fail_msg("gso 0x%x size %u on %zu bytes: accepted", vh->gso_type, vh->gso_size, len);
	free(copy);
	assert_non_null(why);
	if (!strstr(why, keyword))
		fail_msg("reason '%s' does not mention '%s'", why, keyword);
}

static struct virtio_net_hdr vh_gso(uint8_t type, uint16_t size, size_t l4)
{
	bool udp = (type & 0x7f) == VIRTIO_NET_HDR_GSO_UDP_L4 || (type & 0x7f) == VIRTIO_NET_HDR_GSO_UDP;

	return vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, type, (uint16_t)(l4 + (udp ? 8 : 20)), size,
		       (uint16_t)l4, udp ? 6 : 16);
}

static uint8_t big[FRAME_ETH_MAX];

static void test_safe_no_gso(void **state)
{
	struct virtio_net_hdr vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 16);
	uint8_t arp[60];

	/* Without segmentation anything goes: the frame is injected as it is. */
	memset(arp, 0, sizeof(arp));
	arp[12] = 0x08;
	arp[13] = 0x06;
	expect_safe(&vh, arp, sizeof(arp));
	vh = vh_make(0, 0, 0, 0, 0, 0);
	expect_safe(&vh, arp, FRAME_ETH_MIN);
}

static void test_safe_real_gso(void **state)
{
	struct virtio_net_hdr vh;
	size_t l4;

	l4 = build_ip(big, 65226, 0, false, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_safe(&vh, big, 65226);
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	expect_safe(&vh, big, 65226);
	vh = vh_make(VIRTIO_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1448, 0, 0);
	expect_safe(&vh, big, 65226);                 /* a GRO frame: no partial checksum */
	/* The smallest segments Linux makes from a path MTU: 500 bytes, 131 of them. */
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 500, l4);
	expect_safe(&vh, big, 65536);
	l4 = build_ip(big, 64000, 0, true, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1428, l4);
	expect_safe(&vh, big, 64000);
	l4 = build_ip(big, 64000, 0, true, 2, 6);     /* IPv6 extension headers */
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1412, l4);
	expect_safe(&vh, big, 64000);
	l4 = build_ip(big, 64000, 0, false, 0, 17);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP_L4, 1472, l4);
	expect_safe(&vh, big, 64000);
	l4 = build_ip(big, 64000, 0, true, 0, 17);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP_L4, 1452, l4);
	expect_safe(&vh, big, 64000);
	/* 802.1Q and QinQ tags before the EtherType. */
	l4 = build_ip(big, 9018, 1, false, 0, 6);
	assert_int_equal(l4, 38);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1444, l4);
	expect_safe(&vh, big, 9018);
	l4 = build_ip(big, 9022, 2, true, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1420, l4);
	expect_safe(&vh, big, 9022);
	/* A payload no longer than one segment. */
	l4 = build_ip(big, 100, 0, false, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_safe(&vh, big, 100);
	expect_safe(&vh, big, l4 + 20);
}

static void test_unsafe_ufo(void **state)
{
	size_t l4 = build_ip(big, 3042, 0, false, 0, 17);
	struct virtio_net_hdr vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP, 1, l4);

	expect_unsafe(&vh, big, 3042, "UFO");
	vh.gso_size = 1472;                         /* a real size does not make it acceptable */
	expect_unsafe(&vh, big, 3042, "UFO");
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	expect_unsafe(&vh, big, 3042, "UFO");
}

static void test_unsafe_gso_size(void **state)
{
	size_t l4 = build_ip(big, 64054, 0, false, 0, 6);
	struct virtio_net_hdr vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1, l4);

	expect_unsafe(&vh, big, 64054, "segment size");
	vh.gso_size = FRAME_GSO_SIZE_MIN - 1;
	expect_unsafe(&vh, big, 64054, "segment size");
	vh.gso_size = FRAME_GSO_SIZE_MIN;
	expect_safe(&vh, big, 64054);               /* 250 segments */
	/* Small frames too: the rule is on the size, whatever the frame. */
	vh.gso_size = 100;
	expect_unsafe(&vh, big, 200, "segment size");
	l4 = build_ip(big, 64000, 0, true, 0, 17);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP_L4, 8, l4);
	expect_unsafe(&vh, big, 64000, "segment size");
}

static void test_unsafe_segment_count(void **state)
{
	size_t l4 = build_ip(big, FRAME_ETH_MAX, 0, false, 0, 6);
	size_t payload = FRAME_ETH_MAX - l4 - 20;
	struct virtio_net_hdr vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, FRAME_GSO_SIZE_MIN, l4);

	/* 65,738 payload bytes in 256-byte segments: 257 of them. */
	assert_true(payload > FRAME_GSO_SEGS_MAX * FRAME_GSO_SIZE_MIN);
	expect_unsafe(&vh, big, FRAME_ETH_MAX, "segments");
	/* Exactly FRAME_GSO_SEGS_MAX segments pass, one byte more does not. */
	expect_safe(&vh, big, l4 + 20 + FRAME_GSO_SEGS_MAX * FRAME_GSO_SIZE_MIN);
	expect_unsafe(&vh, big, l4 + 20 + FRAME_GSO_SEGS_MAX * FRAME_GSO_SIZE_MIN + 1, "segments");
	/* The header length counted is the frame's, not the peer's hdr_len. */
	vh.hdr_len = 60000;
	expect_unsafe(&vh, big, FRAME_ETH_MAX, "segments");
	/* TCP options make the header longer (doff 15: 60 bytes), the payload shorter. */
	vh.hdr_len = (uint16_t)(l4 + 60);
	big[l4 + 12] = 15 << 4;
	expect_safe(&vh, big, l4 + 60 + FRAME_GSO_SEGS_MAX * FRAME_GSO_SIZE_MIN);
	expect_unsafe(&vh, big, l4 + 61 + FRAME_GSO_SEGS_MAX * FRAME_GSO_SIZE_MIN, "segments");
}

static void test_unsafe_type_mismatch(void **state)
{
	struct virtio_net_hdr vh;
	size_t l4;
	uint8_t arp[60];

	/* TCP over IPv4 on an IPv6 frame, and the other way round. */
	l4 = build_ip(big, 9000, 0, true, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_unsafe(&vh, big, 9000, "TCP");
	l4 = build_ip(big, 9000, 0, false, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1448, l4);
	expect_unsafe(&vh, big, 9000, "TCP");
	/* TCP segmentation of UDP, UDP segmentation of TCP. */
	l4 = build_ip(big, 9000, 0, false, 0, 17);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_unsafe(&vh, big, 9000, "TCP");
	l4 = build_ip(big, 9000, 0, true, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP_L4, 1448, l4);
	expect_unsafe(&vh, big, 9000, "not UDP");
	l4 = build_ip(big, 9000, 0, true, 0, 17);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN, 1448, l4);
	expect_unsafe(&vh, big, 9000, "ECN");
	/* Another IP protocol, an IPv6 fragment header. */
	l4 = build_ip(big, 9000, 0, false, 0, 132);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_unsafe(&vh, big, 9000, "TCP");
	l4 = build_ip(big, 9000, 0, true, 0, 44);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1448, l4);
	expect_unsafe(&vh, big, 9000, "TCP");
	/* Segmentation of an ARP frame, tagged or not. */
	memset(arp, 0, sizeof(arp));
	arp[12] = 0x08;
	arp[13] = 0x06;
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, 34);
	expect_unsafe(&vh, arp, sizeof(arp), "neither IPv4 nor IPv6");
	memcpy(arp + 12, "\x81\x00\x00\x2a\x08\x06", 6);
	expect_unsafe(&vh, arp, sizeof(arp), "neither IPv4 nor IPv6");
	/* The EtherType behind a tag counts, not the one the tag replaces. */
	l4 = build_ip(big, 9000, 1, false, 0, 6);
	big[16] = 0x86;
	big[17] = 0xdd;
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_unsafe(&vh, big, 9000, "IPv6");
	/* Three tags are too many. */
	l4 = build_ip(big, 9000, 3, false, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	expect_unsafe(&vh, big, 9000, "VLAN");
}

static void test_unsafe_bad_headers(void **state)
{
	struct virtio_net_hdr vh;
	size_t l4;

	l4 = build_ip(big, 9000, 0, false, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	big[14] = 0x65;                             /* version 6 behind EtherType IPv4 */
	expect_unsafe(&vh, big, 9000, "IPv4 header");
	big[14] = 0x44;                             /* ihl 4 */
	expect_unsafe(&vh, big, 9000, "IPv4 header");
	big[14] = 0x4f;                             /* ihl 15: 60 bytes, fine */
	big[14 + 60 + 12] = 5 << 4;
	expect_safe(&vh, big, 9000);
	expect_unsafe(&vh, big, 14 + 59, "IPv4 header");
	build_ip(big, 9000, 0, false, 0, 6);
	big[14 + 6] = 0x20;                         /* more fragments */
	expect_unsafe(&vh, big, 9000, "fragment");
	big[14 + 6] = 0x00;
	big[14 + 7] = 0x01;                         /* a fragment offset */
	expect_unsafe(&vh, big, 9000, "fragment");
	big[14 + 6] = 0x40;                         /* don't fragment: fine */
	big[14 + 7] = 0x00;
	expect_safe(&vh, big, 9000);
	/* TCP header: data offset below 5, or beyond the frame. */
	big[l4 + 12] = 4 << 4;
	expect_unsafe(&vh, big, 9000, "TCP header");
	big[l4 + 12] = 15 << 4;
	expect_unsafe(&vh, big, l4 + 59, "TCP header");
	expect_safe(&vh, big, l4 + 60);
	/* Frames cut short at every place. */
	build_ip(big, 9000, 1, true, 2, 6);
	l4 = 18 + 40 + 16;
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1448, l4);
	expect_safe(&vh, big, l4 + 20);
	for (size_t len = FRAME_ETH_MIN; len < l4 + 20; len++)
		expect_unsafe(&vh, big, len, "");
	build_ip(big, 9000, 0, false, 0, 17);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_UDP_L4, 1448, 34);
	expect_safe(&vh, big, 42);
	for (size_t len = FRAME_ETH_MIN; len < 42; len++)
		expect_unsafe(&vh, big, len, "");
	/* IPv6: wrong version, extension headers beyond the frame. */
	l4 = build_ip(big, 9000, 0, true, 0, 6);
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV6, 1448, l4);
	big[14] = 0x40;
	expect_unsafe(&vh, big, 9000, "IPv6 header");
	build_ip(big, 9000, 0, true, 1, 6);
	big[14 + 40 + 1] = 255;                     /* a 2048-byte extension header */
	expect_unsafe(&vh, big, 2000, "");
}

/* Offsets outside the frame: refused (dropped and counted), whatever the segmentation. */
static void test_unsafe_csum_outside(void **state)
{
	static uint8_t f[131072];
	struct virtio_net_hdr vh;
	const uint8_t nc = VIRTIO_NET_HDR_F_NEEDS_CSUM;

	(void)state;
	fill_eth(f, sizeof(f));
	/* csum_start within the Ethernet header. */
	vh = vh_make(nc, 0, 0, 0, 13, 6);
	expect_unsafe(&vh, f, 100, "checksum");
	vh = vh_make(nc, 0, 0, 0, 0, 0);
	expect_unsafe(&vh, f, 100, "checksum");
	vh = vh_make(nc, 0, 0, 0, 14, 6);
	expect_safe(&vh, f, 100);
	/* The 2-byte checksum field must end within the frame. */
	vh = vh_make(nc, 0, 0, 0, 90, 8);
	expect_safe(&vh, f, 100);               /* 90 + 8 + 2 == 100 */
	vh = vh_make(nc, 0, 0, 0, 90, 9);
	expect_unsafe(&vh, f, 100, "checksum");
	vh = vh_make(nc, 0, 0, 0, 99, 0);
	expect_unsafe(&vh, f, 100, "checksum");
	vh = vh_make(nc, 0, 0, 0, 100, 0);
	expect_unsafe(&vh, f, 100, "checksum");
	vh = vh_make(nc, 0, 0, 0, 0xffff, 0xffff);
	expect_unsafe(&vh, f, FRAME_ETH_MAX, "checksum");
	vh = vh_make(nc, 0, 0, 0, 14, 0xffff);  /* field ends at byte 65551 */
	expect_unsafe(&vh, f, 65550, "checksum");
	expect_safe(&vh, f, 65551);
	vh = vh_make(nc, 0, 0, 0, 0xffff, 0xffff);      /* ends at 131072: no 16-bit wrap-around */
	expect_safe(&vh, f, 131072);
	/* Without a partial checksum the offsets mean nothing. */
	vh = vh_make(0, 0, 0, 0, 0xffff, 0xffff);
	expect_safe(&vh, f, 100);
}

static void test_unsafe_hdr_len_beyond(void **state)
{
	struct virtio_net_hdr vh;
	size_t l4 = build_ip(big, 1514, 0, false, 0, 6);

	(void)state;
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	vh.hdr_len = 1515;
	expect_unsafe(&vh, big, 1514, "header length");
	vh.hdr_len = 0xffff;
	expect_unsafe(&vh, big, 1514, "header length");
	vh.hdr_len = 1514;                      /* the whole frame linear: a hint, and it fits */
	expect_safe(&vh, big, 1514);
	/* A super-frame cut short with the hdr_len of its old length (two segments of 1448). */
	vh.hdr_len = (uint16_t)(l4 + 20 + 2 * 1448);
	expect_unsafe(&vh, big, 1514, "header length");
	/* The same bound without segmentation (the kernel refuses both). */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 61, 0, (uint16_t)l4, 16);
	expect_unsafe(&vh, big, 60, "header length");
	vh.hdr_len = 60;
	expect_safe(&vh, big, 60);
}

/* ---- a stream ---- */

/* ---- 802.1Q tags put back at capture ---- */

static void test_vlan_insert(void **state)
{
	static uint8_t buf[FRAME_ETH_MAX], want[FRAME_ETH_MAX];
	struct virtio_net_hdr vh, back;
	size_t l4 = build_ip(buf, 60000, 0, false, 0, 6), n;
	const char *err = NULL;

	/* A GSO frame whose tag the kernel took out: the tag goes back, the offsets move. */
	vh = vh_gso(VIRTIO_NET_HDR_GSO_TCPV4, 1448, l4);
	back = vh;
	build_ip(want, 60004, 1, false, 0, 6);
	want[14] = 0xa0;                                /* PCP 5, VID 42 */
	want[15] = 42;
	n = frame_vlan_insert(&back, buf, 60000, sizeof(buf), 0x8100, 0xa02a);
	assert_int_equal(n, 60004);
	assert_memory_equal(buf, want, 60004);
	assert_int_equal(back.csum_start, vh.csum_start + 4);
	assert_int_equal(back.hdr_len, vh.hdr_len + 4);
	assert_int_equal(back.csum_offset, vh.csum_offset);
	assert_int_equal(back.gso_size, vh.gso_size);
	assert_int_equal(back.gso_type, vh.gso_type);
	assert_true(frame_offload_valid(&back, &err));
	expect_safe(&back, buf, n);

	/* 802.1ad, no offload: only the bytes change; the offsets stay unset. */
	l4 = build_ip(buf, 100, 0, true, 0, 17);
	vh = vh_make(0, 0, 0, 0, 0, 0);
	n = frame_vlan_insert(&vh, buf, 100, 104, 0x88a8, 0x0007);
	assert_int_equal(n, 104);
	assert_memory_equal(buf + 12, "\x88\xa8\x00\x07\x86\xdd", 6);
	assert_int_equal(vh.csum_start, 0);
	assert_int_equal(vh.hdr_len, 0);

	/* A partial checksum without segmentation: csum_start moves, hdr_len 0 stays. */
	l4 = build_ip(buf, 200, 0, false, 0, 17);
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)l4, 6);
	assert_int_equal(frame_vlan_insert(&vh, buf, 200, 204, 0x8100, 42), 204);
	assert_int_equal(vh.csum_start, l4 + 4);
	assert_int_equal(vh.hdr_len, 0);
	assert_true(frame_offload_valid(&vh, &err));
	expect_safe(&vh, buf, 204);

	/* No room, or no Ethernet header: nothing written. */
	build_ip(buf, 200, 0, false, 0, 17);
	memcpy(want, buf, 200);
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)l4, 6);
	back = vh;
	assert_int_equal(frame_vlan_insert(&vh, buf, 200, 203, 0x8100, 42), 0);
	assert_int_equal(frame_vlan_insert(&vh, buf, 13, 203, 0x8100, 42), 0);
	assert_memory_equal(buf, want, 200);
	assert_memory_equal(&vh, &back, sizeof(vh));
}

static void test_back_to_back(void **state)
{
	uint8_t buf[4096];
	struct virtio_net_hdr vh = vh_tcp4();
	size_t n = 0, off = 0, sizes[5];

	sizes[0] = put_offload(buf + n, &vh, 1000);
	n += sizes[0];
	frame_put_header(buf + n, FRAME_T_KEEPALIVE, 0);
	sizes[1] = FRAME_HDR_LEN;
	n += sizes[1];
	sizes[2] = put_plain(buf + n, 60);
	n += sizes[2];
	frame_put_header(buf + n, (enum frame_type)0x90, 3);
	memcpy(buf + n + FRAME_HDR_LEN, "abc", 3);
	sizes[3] = FRAME_HDR_LEN + 3;
	n += sizes[3];
	sizes[4] = put_plain(buf + n, 1514);
	n += sizes[4];

	for (int i = 0; i < 5; i++) {
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;

		assert_int_equal(frame_decode(buf + off, n - off, &msg, &used, &err), FRAME_OK);
		assert_int_equal(used, sizes[i]);
		switch (i) {
		case 0:
			assert_int_equal(msg.type, FRAME_T_OFFLOAD);
			assert_true(msg.has_offload);
			assert_int_equal(msg.eth_len, 1000);
			assert_int_equal(msg.vh.gso_size, 1448);
			assert_ptr_equal(msg.eth, buf + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN);
			break;
		case 1:
			assert_int_equal(msg.type, FRAME_T_KEEPALIVE);
			assert_false(msg.has_frame);
			break;
		case 2:
			assert_int_equal(msg.type, FRAME_T_PLAIN);
			assert_false(msg.has_offload);
			assert_int_equal(msg.eth_len, 60);
			assert_ptr_equal(msg.eth, buf + off + FRAME_HDR_LEN);
			break;
		case 3:
			assert_int_equal(msg.type, 0x90);
			assert_false(msg.has_frame);
			break;
		case 4:
			assert_int_equal(msg.type, FRAME_T_PLAIN);
			assert_int_equal(msg.eth_len, 1514);
			break;
		}
		off += used;
	}
	assert_int_equal(off, n);
	{
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;

		assert_int_equal(frame_decode(buf + off, 0, &msg, &used, &err), FRAME_NEED_MORE);
		/* A stream cut in the middle of the second message. */
		assert_int_equal(frame_decode(buf, sizes[0] + 2, &msg, &used, &err), FRAME_OK);
		assert_int_equal(used, sizes[0]);
		assert_int_equal(frame_decode(buf + used, 2, &msg, &used, &err), FRAME_NEED_MORE);
	}
}

/* frame_tcp_reset on a frame of build_ip's, its TCP flags set to flags: its length. */
static size_t rst_frame(uint8_t *f, int tags, bool v6, int ext, uint8_t flags)
{
	size_t l4 = build_ip(f, 200, tags, v6, ext, 6);

	f[l4 + 13] = flags;
	return l4 + 20;
}

static void test_tcp_reset(void **state)
{
	uint8_t f[200];
	size_t n;

	(void)state;
	for (int tags = 0; tags <= 2; tags++)
		for (int v6 = 0; v6 < 2; v6++) {
			n = rst_frame(f, tags, v6, v6 ? 2 : 0, 0x04);
			assert_true(frame_tcp_reset(f, n));
			assert_true(frame_tcp_reset(f, n - 6));     /* the flags octet is the 14th */
			assert_false(frame_tcp_reset(f, n - 7));
			n = rst_frame(f, tags, v6, 0, 0x10);        /* an ACK */
			assert_false(frame_tcp_reset(f, n));
		}
	n = rst_frame(f, 3, false, 0, 0x04);    /* a third tag: not read past */
	assert_false(frame_tcp_reset(f, n));
	n = rst_frame(f, 0, false, 0, 0x04);
	f[20] = 0x20;                           /* IPv4 more fragments */
	assert_false(frame_tcp_reset(f, n));
	f[20] = 0;
	f[23] = 17;                             /* UDP */
	assert_false(frame_tcp_reset(f, n));
	assert_false(frame_tcp_reset(f, 14));
	assert_false(frame_tcp_reset(f, 13));
	n = rst_frame(f, 0, true, 1, 0x04);
	f[14 + 40 + 1] = 200;                   /* an extension header claiming 1608 bytes */
	assert_false(frame_tcp_reset(f, n));
	n = rst_frame(f, 0, true, 5, 0x04);     /* more extension headers than are walked */
	assert_false(frame_tcp_reset(f, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_header),
		cmocka_unit_test(test_vlan_insert),
		cmocka_unit_test(test_put_offload),
		cmocka_unit_test(test_offload_round_trip),
		cmocka_unit_test(test_plain_round_trip),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_keepalive_with_payload),
		cmocka_unit_test(test_need_more_every_prefix),
		cmocka_unit_test(test_plain_length_limits),
		cmocka_unit_test(test_offload_length_limits),
		cmocka_unit_test(test_unknown_mandatory_type),
		cmocka_unit_test(test_optional_type_skipped),
		cmocka_unit_test(test_optional_type_limits),
		cmocka_unit_test(test_offload_flags),
		cmocka_unit_test(test_offload_ecn_without_gso),
		cmocka_unit_test(test_offload_unknown_gso),
		cmocka_unit_test(test_offload_gso_size_zero),
		cmocka_unit_test(test_offload_valid_tcp4),
		cmocka_unit_test(test_offload_valid_tcp6),
		cmocka_unit_test(test_offload_valid_udp),
		cmocka_unit_test(test_decode_checks_offload),
		cmocka_unit_test(test_safe_no_gso),
		cmocka_unit_test(test_safe_real_gso),
		cmocka_unit_test(test_unsafe_ufo),
		cmocka_unit_test(test_unsafe_gso_size),
		cmocka_unit_test(test_unsafe_segment_count),
		cmocka_unit_test(test_unsafe_type_mismatch),
		cmocka_unit_test(test_unsafe_bad_headers),
		cmocka_unit_test(test_unsafe_csum_outside),
		cmocka_unit_test(test_unsafe_hdr_len_beyond),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_tcp_reset),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
