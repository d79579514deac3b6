// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_frame.c - libFuzzer target for the daemon-to-daemon framing (frame_decode,
 * frame_offload_valid, frame_offload_safe, frame_put_header, frame_put_offload).
 *
 * The input is used three ways:
 *  1. as the byte stream from a peer, decoded in one piece by a loop like the
 *     handler's (src/handler.c: handler_inject): frame_decode, consume *used, stop on
 *     NEED_MORE or ERROR; every decoded message is checked against the bytes it came
 *     from (bounds, lengths, offload rules, and re-encoding gives the same header);
 *  2. as the same stream arriving in reads of various sizes through a struct buf like
 *     the handler's receive buffer: the messages and the final verdict must be the same;
 *  3. as the fields of one message (type, offload header, frame length, frame bytes),
 *     encoded with frame_put_header/frame_put_offload and decoded back.
 * A violation calls __builtin_trap().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/buf.h"
#include "vnet/frame.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define RX_BYTES (256 * 1024)   /* HANDLER_RX_BYTES */

struct rec {
	enum frame_status status;
	uint8_t type;
	size_t used;
};

static bool nonempty(const char *err)
{
	return err != NULL && err[0] != '\0';
}

/* What a valid offload header must satisfy (frame.h, virtio_net_hdr rules). */
static void check_offload_rules(const struct virtio_net_hdr *vh)
{
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	CHECK((vh->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) == 0);
	CHECK(gso == VIRTIO_NET_HDR_GSO_NONE || gso == VIRTIO_NET_HDR_GSO_TCPV4 ||
	      gso == VIRTIO_NET_HDR_GSO_TCPV6 || gso == VIRTIO_NET_HDR_GSO_UDP ||
	      gso == VIRTIO_NET_HDR_GSO_UDP_L4);
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		CHECK(vh->gso_type == VIRTIO_NET_HDR_GSO_NONE);     /* no ECN without GSO */
	else
		CHECK(vh->gso_size != 0);
}

static void check_offload_valid(const struct virtio_net_hdr *vh)
{
	const char *err = NULL;

	if (frame_offload_valid(vh, &err))
		check_offload_rules(vh);
	else
		CHECK(nonempty(err));
}

/* What a frame frame_offload_safe lets through must satisfy (frame.h). */
static void check_offload_safe(const struct frame_msg *msg)
{
	const char *why = NULL;
	uint8_t gso = msg->vh.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (!frame_offload_safe(&msg->vh, msg->eth, msg->eth_len, &why)) {
		CHECK(nonempty(why));
		return;
	}
	/* The offsets lie within the frame (the kernel refuses them otherwise). */
	if (msg->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		CHECK(msg->vh.csum_start >= FRAME_ETH_MIN);
		CHECK((size_t)msg->vh.csum_start + msg->vh.csum_offset + 2 <= msg->eth_len);
	}
	CHECK(msg->vh.hdr_len <= msg->eth_len);
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return;
	CHECK(gso != VIRTIO_NET_HDR_GSO_UDP);
	CHECK(msg->vh.gso_size >= FRAME_GSO_SIZE_MIN);
	/* Headers come off the frame before it is cut: at most 8 KiB of IPv6 options. */
	CHECK(msg->eth_len / msg->vh.gso_size <= FRAME_GSO_SEGS_MAX + 9000 / FRAME_GSO_SIZE_MIN);
}

static size_t header_len(const uint8_t *buf)
{
	return (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
}

/* Check one frame_decode of buf[0..len) that gave st. */
static void check_decoded(const uint8_t *buf, size_t len, enum frame_status st,
			  const struct frame_msg *msg, size_t used, const char *err)
{
	size_t plen;

	switch (st) {
	case FRAME_NEED_MORE:
		CHECK(len < FRAME_MSG_MAX);     /* the largest message always fits the buffer */
		if (len >= FRAME_HDR_LEN)
			CHECK(len - FRAME_HDR_LEN < header_len(buf));
		return;
	case FRAME_ERROR:
		CHECK(len >= FRAME_HDR_LEN);
		CHECK(nonempty(err));
		return;
	case FRAME_OK:
		break;
	default:
		CHECK(0);
	}
	plen = header_len(buf);
	CHECK(used >= FRAME_HDR_LEN && used <= len);
	CHECK(used == FRAME_HDR_LEN + plen && used <= FRAME_MSG_MAX);
	CHECK(msg->type == buf[0]);
	{
		uint8_t hdr[FRAME_HDR_LEN];

		frame_put_header(hdr, (enum frame_type)msg->type, plen);
		CHECK(!memcmp(hdr, buf, FRAME_HDR_LEN));
	}
	switch (msg->type) {
	case FRAME_T_OFFLOAD: {
		uint8_t off[FRAME_OFFLOAD_LEN];

		CHECK(msg->has_frame && msg->has_offload);
		CHECK(msg->eth == buf + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN);
		CHECK(msg->eth_len == used - FRAME_HDR_LEN - FRAME_OFFLOAD_LEN);
		check_offload_rules(&msg->vh);
		frame_put_offload(off, &msg->vh);
		CHECK(!memcmp(off, buf + FRAME_HDR_LEN, FRAME_OFFLOAD_LEN));
		break;
	}
	case FRAME_T_PLAIN:
		CHECK(msg->has_frame && !msg->has_offload);
		CHECK(msg->eth == buf + FRAME_HDR_LEN);
		CHECK(msg->eth_len == used - FRAME_HDR_LEN);
		break;
	case FRAME_T_KEEPALIVE:
		CHECK(!msg->has_frame && !msg->has_offload && used == FRAME_HDR_LEN);
		break;
	default:
		CHECK(msg->type >= 0x80);       /* optional: skipped */
		CHECK(!msg->has_frame && !msg->has_offload);
		CHECK(plen <= FRAME_OFFLOAD_LEN + FRAME_ETH_MAX);
		break;
	}
	if (msg->has_frame) {
		CHECK(msg->eth_len >= FRAME_ETH_MIN && msg->eth_len <= FRAME_ETH_MAX);
		CHECK(msg->eth > buf && msg->eth + msg->eth_len == buf + used);
		check_offload_valid(&msg->vh);
		check_offload_safe(msg);
	}
	/* The same message alone decodes the same; one byte less is incomplete. */
	{
		struct frame_msg m2;
		size_t used2 = 0;
		const char *err2 = NULL;

		CHECK(frame_decode(buf, used, &m2, &used2, &err2) == FRAME_OK && used2 == used);
		CHECK(m2.eth == msg->eth && m2.eth_len == msg->eth_len);
		CHECK(frame_decode(buf, used - 1, &m2, &used2, &err2) == FRAME_NEED_MORE);
	}
}

/* 1. Decode data in one piece; the messages go to recs, their number is returned. */
static size_t decode_all(const uint8_t *data, size_t size, struct rec *recs)
{
	size_t pos = 0, n = 0;

	for (;;) {
		struct frame_msg msg;
		size_t used = 0;
		const char *err = NULL;
		enum frame_status st = frame_decode(data + pos, size - pos, &msg, &used, &err);

		check_decoded(data + pos, size - pos, st, &msg, used, err);
		recs[n].status = st;
		recs[n].type = st == FRAME_OK ? msg.type : 0;
		recs[n].used = st == FRAME_OK ? used : 0;
		n++;
		if (st != FRAME_OK)
			return n;
		pos += used;
	}
}

/*
 * 2. The handler's way: before each read make room for a whole message (it must
 * always be possible), read at most chunk bytes, decode and consume what is complete.
 * rx is empty. If npre, the first read brings pre, one message, before data's bytes.
 */
static void decode_stream(const uint8_t *data, size_t size, size_t chunk, struct buf *rx,
			  const uint8_t *pre, size_t npre, const struct rec *recs, size_t nrecs)
{
	size_t pos = 0, k = 0;
	enum frame_status last = FRAME_NEED_MORE;

	while (pos < size && last != FRAME_ERROR) {
		size_t n;

		CHECK(buf_reserve(rx, npre + FRAME_MSG_MAX));
		CHECK(buf_room(rx) >= FRAME_MSG_MAX && rx->cap <= rx->max);
		if (npre) {
			memcpy(buf_tail(rx), pre, npre);
			rx->tail += npre;
		}
		n = buf_room(rx);
		if (n > chunk)
			n = chunk;
		if (n > size - pos)
			n = size - pos;
		memcpy(buf_tail(rx), data + pos, n);
		rx->tail += n;
		pos += n;
		for (;;) {
			struct frame_msg msg;
			size_t used = 0;
			const char *err = NULL;

			last = frame_decode(buf_head(rx), buf_len(rx), &msg, &used, &err);
			if (npre) {
				CHECK(last == FRAME_OK && used == npre && msg.type == pre[0]);
				buf_consume(rx, used);
				npre = 0;
				continue;
			}
			if (last == FRAME_NEED_MORE)
				break;
			CHECK(k < nrecs && recs[k].status == last);
			k++;
			if (last == FRAME_ERROR)
				break;
			CHECK(recs[k - 1].type == msg.type && recs[k - 1].used == used);
			CHECK(msg.eth == NULL || (msg.eth > buf_head(rx) &&
						  msg.eth + msg.eth_len <= buf_tail(rx)));
			buf_consume(rx, used);
		}
	}
	/* Same messages, same verdict at the end. */
	CHECK(k + (last == FRAME_NEED_MORE) == nrecs);
	CHECK(recs[nrecs - 1].status == last);
	CHECK(rx->tail <= rx->cap && rx->head <= rx->tail);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * 3. Round trip. Input: kind, flags, gso_type, hdr_len[2], gso_size[2],
 * csum_start[2], csum_offset[2], frame length[3], then frame bytes (repeated).
 */
static void roundtrip(const uint8_t *data, size_t size)
{
	uint8_t f[14] = { 0 };
	struct virtio_net_hdr vh;
	size_t eth_len, plen, total, used = 0;
	enum frame_type type;
	uint8_t *out, *eth;
	struct frame_msg msg;
	const char *err = NULL;
	enum frame_status st, want;
	bool valid = false;

	memcpy(f, data, size < sizeof(f) ? size : sizeof(f));
	memset(&vh, 0, sizeof(vh));
	vh.flags = f[1];
	vh.gso_type = f[2];
	vh.hdr_len = get16(f + 3);
	vh.gso_size = get16(f + 5);
	vh.csum_start = get16(f + 7);
	vh.csum_offset = get16(f + 9);
	eth_len = ((size_t)f[11] << 16 | (size_t)f[12] << 8 | f[13]) % (FRAME_ETH_MAX + 32);

	switch (f[0] % 4) {
	case 0:
		type = FRAME_T_OFFLOAD;
		plen = FRAME_OFFLOAD_LEN + eth_len;
		valid = eth_len >= FRAME_ETH_MIN && eth_len <= FRAME_ETH_MAX;
		if (valid) {
			valid = frame_offload_valid(&vh, &err);
			if (valid)
				check_offload_rules(&vh);
			else
				CHECK(nonempty(err));
		}
		break;
	case 1:
		type = FRAME_T_PLAIN;
		plen = eth_len;
		valid = eth_len >= FRAME_ETH_MIN && eth_len <= FRAME_ETH_MAX;
		break;
	case 2:
		type = FRAME_T_KEEPALIVE;
		plen = 0;
		valid = true;
		break;
	default:
		type = (enum frame_type)(0x80 | f[0] >> 1);
		plen = eth_len;
		valid = plen <= FRAME_OFFLOAD_LEN + FRAME_ETH_MAX;
		break;
	}
	total = FRAME_HDR_LEN + plen;
	out = malloc(total);            /* exactly: ASan catches a read past the end */
	CHECK(out != NULL);
	frame_put_header(out, type, plen);
	eth = out + FRAME_HDR_LEN;
	if (type == FRAME_T_OFFLOAD) {
		frame_put_offload(eth, &vh);
		eth += FRAME_OFFLOAD_LEN;
	}
	for (size_t i = 0, n = (size_t)(out + total - eth); i < n;) {
		size_t m = size > sizeof(f) ? size - sizeof(f) : 0;

		if (m == 0) {
			memset(eth, 0x5a, n);
			break;
		}
		if (m > n - i)
			m = n - i;
		memcpy(eth + i, data + sizeof(f), m);
		i += m;
	}

	want = valid ? FRAME_OK : FRAME_ERROR;
	st = frame_decode(out, total, &msg, &used, &err);
	CHECK(st == want);
	check_decoded(out, total, st, &msg, used, err);
	if (st == FRAME_OK) {
		CHECK(used == total && msg.type == (uint8_t)type);
		if (type == FRAME_T_OFFLOAD) {
			CHECK(msg.has_offload);
			CHECK(msg.vh.flags == vh.flags && msg.vh.gso_type == vh.gso_type);
			CHECK(msg.vh.hdr_len == vh.hdr_len && msg.vh.gso_size == vh.gso_size);
			CHECK(msg.vh.csum_start == vh.csum_start && msg.vh.csum_offset == vh.csum_offset);
		}
		if (type == FRAME_T_OFFLOAD || type == FRAME_T_PLAIN)
			CHECK(msg.has_frame && msg.eth == eth && msg.eth_len == eth_len);
		else
			CHECK(!msg.has_frame);
		/* Any shorter prefix is incomplete. */
		CHECK(frame_decode(out, total - 1, &msg, &used, &err) == FRAME_NEED_MORE);
		CHECK(frame_decode(out, FRAME_HDR_LEN - 1, &msg, &used, &err) == FRAME_NEED_MORE);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* At most one message per 4 bytes, plus the final verdict. */
	static struct buf rx, small;
	static uint8_t pre[FRAME_HDR_LEN + 65700];
	struct rec *recs = malloc((size / FRAME_HDR_LEN + 1) * sizeof(*recs));
	size_t n;

	if (!recs)
		return 0;
	n = decode_all(data, size, recs);
	/* The handler's buffer, allocated once (256 KiB an input is slow), whole reads. */
	if (!rx.data)
		CHECK(buf_init(&rx, RX_BYTES, RX_BYTES) == 0);
	rx.head = rx.tail = 0;
	decode_stream(data, size, SIZE_MAX, &rx, NULL, 0, recs, n);
	CHECK(rx.cap == RX_BYTES);
	/*
	 * Small reads into a smaller buffer, the least that always holds a message and
	 * room for the next (it starts at 4 KiB and grows on the first input). A large
	 * optional message ahead of data leaves the head far in, so that buf_reserve
	 * moves data's bytes down while they are being decoded.
	 */
	if (!small.data) {
		CHECK(buf_init(&small, 4096, 2 * FRAME_MSG_MAX) == 0);
		frame_put_header(pre, (enum frame_type)0x80, sizeof(pre) - FRAME_HDR_LEN);
	}
	small.head = small.tail = 0;
	decode_stream(data, size, 1 + size % 1499, &small, pre, sizeof(pre), recs, n);
	free(recs);
	roundtrip(data, size);
	return 0;
}
