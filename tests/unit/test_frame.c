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

static void expect_vh_invalid(const struct virtio_net_hdr *vh, size_t eth_len,
			      const char *keyword)
{
	const char *err = NULL;

	if (frame_offload_valid(vh, eth_len, &err))
		fail_msg("flags 0x%x gso 0x%x hdr_len %u gso_size %u csum %u+%u on %zu bytes: "
			 "accepted", vh->flags, vh->gso_type, vh->hdr_len, vh->gso_size,
			 vh->csum_start, vh->csum_offset, eth_len);
	assert_non_null(err);
	if (!strstr(err, keyword))
		fail_msg("error '%s' does not mention '%s'", err, keyword);
}

static void expect_vh_valid(const struct virtio_net_hdr *vh, size_t eth_len)
{
	const char *err = NULL;

	if (!frame_offload_valid(vh, eth_len, &err))
		fail_msg("flags 0x%x gso 0x%x hdr_len %u gso_size %u csum %u+%u on %zu bytes: "
			 "rejected (%s)", vh->flags, vh->gso_type, vh->hdr_len, vh->gso_size,
			 vh->csum_start, vh->csum_offset, eth_len, err ? err : "?");
}

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

static void test_plain_length_limits(void **state)
{
	struct frame_msg msg;
	const char *err = NULL;

	assert_int_equal(decode_len(FRAME_T_PLAIN, 0, false, NULL, &msg, &err), FRAME_ERROR);
	assert_non_null(strstr(err, "length"));
	err = NULL;
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MIN - 1, false, NULL, &msg, &err),
			 FRAME_ERROR);
	assert_non_null(strstr(err, "length"));
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MIN, false, NULL, &msg, &err),
			 FRAME_OK);
	assert_int_equal(msg.eth_len, FRAME_ETH_MIN);
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MAX, false, NULL, &msg, &err),
			 FRAME_OK);
	assert_int_equal(msg.eth_len, FRAME_ETH_MAX);
	err = NULL;
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MAX + 1, false, NULL, &msg, &err),
			 FRAME_ERROR);
	assert_non_null(strstr(err, "length"));

	/* Out-of-bounds lengths are refused from the header alone, without waiting. */
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MIN - 1, true, NULL, &msg, &err),
			 FRAME_ERROR);
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MAX + 1, true, NULL, &msg, &err),
			 FRAME_ERROR);
	assert_int_equal(decode_len(FRAME_T_PLAIN, FRAME_ETH_MAX, true, NULL, &msg, &err),
			 FRAME_NEED_MORE);
	{
		uint8_t h[FRAME_HDR_LEN];
		size_t used = 0;

		frame_put_header(h, FRAME_T_PLAIN, 0xffffff);
		assert_int_equal(frame_decode(h, sizeof(h), &msg, &used, &err), FRAME_ERROR);
	}
}

static void test_offload_length_limits(void **state)
{
	struct virtio_net_hdr none = vh_make(0, 0, 0, 0, 0, 0);
	struct frame_msg msg;
	const char *err = NULL;

	assert_int_equal(decode_len(FRAME_T_OFFLOAD, 0, false, &none, &msg, &err), FRAME_ERROR);
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN, false, &none, &msg, &err),
			 FRAME_ERROR);
	err = NULL;
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MIN - 1, false,
				    &none, &msg, &err), FRAME_ERROR);
	assert_non_null(strstr(err, "length"));
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MIN, false,
				    &none, &msg, &err), FRAME_OK);
	assert_int_equal(msg.eth_len, FRAME_ETH_MIN);
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, false,
				    &none, &msg, &err), FRAME_OK);
	assert_int_equal(msg.eth_len, FRAME_ETH_MAX);
	assert_true(msg.has_offload);
	err = NULL;
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, false,
				    &none, &msg, &err), FRAME_ERROR);
	assert_non_null(strstr(err, "length"));

	/* From the header alone. */
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MIN - 1, true,
				    &none, &msg, &err), FRAME_ERROR);
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, true,
				    &none, &msg, &err), FRAME_ERROR);
	assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, true,
				    &none, &msg, &err), FRAME_NEED_MORE);

	/* A big GSO frame at the limit with real offload metadata. */
	{
		struct virtio_net_hdr vh = vh_tcp4();

		assert_int_equal(decode_len(FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX,
					    false, &vh, &msg, &err), FRAME_OK);
		assert_int_equal(msg.vh.gso_size, 1448);
	}
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
	struct frame_msg msg;
	const char *err = NULL;

	assert_int_equal(decode_len(0x80, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX, false, NULL, &msg,
				    &err), FRAME_OK);
	assert_false(msg.has_frame);
	assert_int_equal(decode_len(0x80, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, false, NULL,
				    &msg, &err), FRAME_ERROR);
	assert_non_null(strstr(err, "length"));
	err = NULL;
	assert_int_equal(decode_len(0xff, FRAME_OFFLOAD_LEN + FRAME_ETH_MAX + 1, true, NULL,
				    &msg, &err), FRAME_ERROR);
	assert_non_null(strstr(err, "length"));
	{
		uint8_t h[FRAME_HDR_LEN];
		size_t used = 0;

		frame_put_header(h, (enum frame_type)0x80, 0xffffff);
		assert_int_equal(frame_decode(h, sizeof(h), &msg, &used, &err), FRAME_ERROR);
	}
}

/* ---- offload validation ---- */

static void test_offload_flags(void **state)
{
	struct virtio_net_hdr vh;

	vh = vh_make(0, 0, 0, 0, 0, 0);
	expect_vh_valid(&vh, 60);
	vh = vh_make(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0);
	expect_vh_valid(&vh, 60);
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 6);
	expect_vh_valid(&vh, 60);

	for (unsigned int f = 0x04; f <= 0x80; f <<= 1) {
		vh = vh_make((uint8_t)f, 0, 0, 0, 0, 0);
		expect_vh_invalid(&vh, 60, "flags");
		vh = vh_make((uint8_t)(f | VIRTIO_NET_HDR_F_NEEDS_CSUM), 0, 0, 0, 34, 6);
		expect_vh_invalid(&vh, 60, "flags");
	}
	vh = vh_make(0xff, 0, 0, 0, 34, 6);
	expect_vh_invalid(&vh, 60, "flags");
}

static void test_offload_csum_bounds(void **state)
{
	struct virtio_net_hdr vh;
	const uint8_t f = VIRTIO_NET_HDR_F_NEEDS_CSUM;

	/* csum_start within the Ethernet header. */
	vh = vh_make(f, 0, 0, 0, 13, 6);
	expect_vh_invalid(&vh, 100, "checksum");
	vh = vh_make(f, 0, 0, 0, 0, 0);
	expect_vh_invalid(&vh, 100, "checksum");
	vh = vh_make(f, 0, 0, 0, 14, 6);
	expect_vh_valid(&vh, 100);

	/* The 2-byte checksum field must end within the frame. */
	vh = vh_make(f, 0, 0, 0, 90, 8);
	expect_vh_valid(&vh, 100);          /* 90 + 8 + 2 == 100 */
	vh = vh_make(f, 0, 0, 0, 90, 9);
	expect_vh_invalid(&vh, 100, "checksum");
	vh = vh_make(f, 0, 0, 0, 99, 0);
	expect_vh_invalid(&vh, 100, "checksum");
	vh = vh_make(f, 0, 0, 0, 100, 0);
	expect_vh_invalid(&vh, 100, "checksum");
	vh = vh_make(f, 0, 0, 0, 0xffff, 0xffff);
	expect_vh_invalid(&vh, FRAME_ETH_MAX, "checksum");
	vh = vh_make(f, 0, 0, 0, 14, 0xffff);       /* field ends at byte 65551 */
	expect_vh_invalid(&vh, 65550, "checksum");
	expect_vh_valid(&vh, 65551);
	vh = vh_make(f, 0, 0, 0, 0xffff, 0xffff);   /* ends at 131072: no 16-bit wrap-around */
	expect_vh_valid(&vh, 131072);
}

static void test_offload_ecn_without_gso(void **state)
{
	struct virtio_net_hdr vh;

	vh = vh_make(0, VIRTIO_NET_HDR_GSO_ECN, 0, 0, 0, 0);
	expect_vh_invalid(&vh, 1514, "ECN");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_ECN, 54, 1448, 34, 16);
	expect_vh_invalid(&vh, 1514, "ECN");
	/* With segmentation it is fine. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM,
		     VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 66, 1448, 34, 16);
	expect_vh_valid(&vh, 1514);
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM,
		     VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN, 86, 1428, 54, 16);
	expect_vh_valid(&vh, 1514);
}

static void test_offload_unknown_gso(void **state)
{
	const uint8_t types[] = { 2, 6, 7, 0x10, 0x40, 0x7f, 0x82, 0xff };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct virtio_net_hdr vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, types[i], 66, 1448,
						   34, 16);

		expect_vh_invalid(&vh, 1514, "segmentation");
	}
}

static void test_offload_gso_size_zero(void **state)
{
	struct virtio_net_hdr vh;

	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 0, 34, 16);
	expect_vh_invalid(&vh, 1514, "size");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6, 86, 0, 54, 16);
	expect_vh_invalid(&vh, 1514, "size");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 42, 0, 34, 6);
	expect_vh_invalid(&vh, 1514, "size");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 1, 34, 16);
	expect_vh_valid(&vh, 1514);
}

static void test_offload_hdr_len(void **state)
{
	struct virtio_net_hdr vh;

	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 101, 1448, 34, 16);
	expect_vh_invalid(&vh, 100, "header length");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 0xffff, 1448, 34, 16);
	expect_vh_invalid(&vh, 1514, "header length");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 100, 1448, 34, 16);
	expect_vh_valid(&vh, 100);
}

static void test_offload_valid_tcp4(void **state)
{
	struct virtio_net_hdr vh = vh_tcp4();

	expect_vh_valid(&vh, 1514);
	expect_vh_valid(&vh, 65226);
	expect_vh_valid(&vh, FRAME_ETH_MAX);
	/* Checksum only, no segmentation (a small TCP segment). */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 34, 16);
	expect_vh_valid(&vh, 66);
	/* VLAN-tagged: everything 4 bytes later. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 70, 1444, 38, 16);
	expect_vh_valid(&vh, 9018);
}

static void test_offload_valid_tcp6(void **state)
{
	struct virtio_net_hdr vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6,
					   86, 1428, 54, 16);

	expect_vh_valid(&vh, 1514);
	expect_vh_valid(&vh, 64000);
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 54, 16);
	expect_vh_valid(&vh, 86);
}

static void test_offload_valid_udp(void **state)
{
	struct virtio_net_hdr vh;

	/* UDP segmentation (UDP_SEGMENT / USO): gso_type 5. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 42, 1472, 34, 6);
	expect_vh_valid(&vh, 1514);
	expect_vh_valid(&vh, 64000);
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4, 62, 1452, 54, 6);
	expect_vh_valid(&vh, 64000);
	/* Legacy UFO. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 42, 1472, 34, 6);
	expect_vh_valid(&vh, 4000);
	/* Checksum offload only. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 34, 6);
	expect_vh_valid(&vh, 60);
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
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 90, 9);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "checksum");
	vh = vh_make(0, VIRTIO_NET_HDR_GSO_ECN, 0, 0, 0, 0);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "ECN");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 66, 0, 34, 16);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "size");
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 101, 1448, 34, 16);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "header length");
	/* The bound is the Ethernet frame, not the payload that includes the offload header. */
	vh = vh_make(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 90, 9);
	n = put_offload(buf, &vh, 100);
	expect_error(buf, n, "checksum");
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

/* ---- a stream ---- */

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_header),
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
		cmocka_unit_test(test_offload_csum_bounds),
		cmocka_unit_test(test_offload_ecn_without_gso),
		cmocka_unit_test(test_offload_unknown_gso),
		cmocka_unit_test(test_offload_gso_size_zero),
		cmocka_unit_test(test_offload_hdr_len),
		cmocka_unit_test(test_offload_valid_tcp4),
		cmocka_unit_test(test_offload_valid_tcp6),
		cmocka_unit_test(test_offload_valid_udp),
		cmocka_unit_test(test_decode_checks_offload),
		cmocka_unit_test(test_back_to_back),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
