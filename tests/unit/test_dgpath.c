// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_dgpath.c - two datagram paths over loopback UDP: the offer and its
 * answer, probes until each side knows it is heard, frames both ways, and
 * what must be dropped (replayed, forged, too big) or must fall back (silence).
 * The clock is the harness's fake one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "vnet/dgpath.h"

struct pair {
	struct daemon d;
	struct dgpath a, b;         /* a dials, b listens */
	struct dgpath_env env;      /* b's daemon */
	struct sockaddr_in a_tcp, b_tcp;    /* the TCP link's two ends (ports unused) */
};

static const uint8_t secret[DGRAM_SECRET_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static unsigned int pair_mtu = 1500;    /* --udp-mtu of both sides */
static bool pair_sealed;                /* both sides' datagrams sealed (a TLS link's) */

static void decode_offer(const uint8_t *buf, struct frame_msg *msg)
{
	const char *err = "";
	size_t used = 0;

	assert_int_equal(frame_decode(buf, FRAME_HDR_LEN + FRAME_OFFER_LEN, msg, &used, &err),
			 FRAME_OK);
	assert_int_equal(used, FRAME_HDR_LEN + FRAME_OFFER_LEN);
	assert_int_equal(msg->type, FRAME_T_DGRAM_OFFER);
}

/*
 * When set, drain also notes every frame it delivers: its length and its
 * number, the 4 bytes at offset 38 of a TCPv4 segment (its sequence number)
 * or at offset 14 of any other frame (frame_numbered's).
 */
#define LOG_MAX 1024
static struct drain_log {
	unsigned int n;
	size_t len[LOG_MAX];
	uint32_t num[LOG_MAX];
} *drain_log;

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void note_frame(const struct frame_msg *msg)
{
	size_t at = msg->eth_len >= 42 && msg->eth[12] == 0x08 && msg->eth[13] == 0x00 ? 38 : 14;

	if (!drain_log || drain_log->n >= LOG_MAX)
		return;
	drain_log->len[drain_log->n] = msg->eth_len;
	drain_log->num[drain_log->n++] = msg->eth_len >= at + 4 ? be32_at(msg->eth + at) : 0;
}

/* Deliver what fd holds to p; the number of frames, copied into out (up to 4). */
static int drain(struct dgpath *p, int fd, struct frame_msg *out, uint8_t copies[][2048])
{
	unsigned int n = dgpath_rx(fd);
	int frames = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct sockaddr *from;
		struct frame_msg msg;
		socklen_t fl;
		size_t len;
		uint8_t *d = dgpath_rx_get(i, &len, &from, &fl);

		if (copies && i < 4 && len <= 2048)
			memcpy(copies[i], d, len);
		if (dgpath_input(p, d, len, from, fl, &msg)) {
			if (out && frames < 4)
				out[frames] = msg;
			note_frame(&msg);
			frames++;
		}
	}
	return frames;
}

static void pair_setup(struct pair *t, bool b_off)
{
	struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(lo);
	uint8_t offer[FRAME_HDR_LEN + FRAME_OFFER_LEN], answer[FRAME_HDR_LEN + FRAME_OFFER_LEN];
	struct frame_msg msg;
	bool reply = false;
	int fd;

	harness_daemon_init(&t->d);
	dgpath_init(&t->a, &t->d.loop, 7);
	dgpath_init(&t->b, &t->d.loop, 9);
	t->b.listening = true;
	t->a.sealed = t->b.sealed = pair_sealed;       /* before the offer, as dgpath.h says */
	fd = dgpath_socket((struct sockaddr *)&lo, sizeof(lo), false);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&lo, &len), 0);
	t->env = (struct dgpath_env){ .off = b_off, .mtu = pair_mtu, .port = ntohs(lo.sin_port),
				      .fd4 = fd, .fd6 = -1 };
	t->a_tcp = t->b_tcp = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(1),
						    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	assert_int_equal(dgpath_offer(&t->a, (struct sockaddr *)&t->b_tcp, sizeof(t->b_tcp), pair_mtu,
				      secret, offer), 0);
	assert_int_equal(t->a.state, DGPATH_OFFERED);
	decode_offer(offer, &msg);
	assert_int_equal(dgpath_take_offer(&t->b, &msg, &t->env, (struct sockaddr *)&t->a_tcp,
					   sizeof(t->a_tcp), secret, &reply, answer), 0);
	assert_true(reply);
	decode_offer(answer, &msg);
	assert_int_equal(dgpath_take_offer(&t->a, &msg, NULL, (struct sockaddr *)&t->b_tcp,
					   sizeof(t->b_tcp), secret, &reply, offer), 0);
	assert_false(reply);
}

static void pair_teardown(struct pair *t)
{
	dgpath_close(&t->a);
	dgpath_close(&t->b);
	close(t->env.fd4);
	harness_daemon_fini(&t->d);
}

/* Probes both ways until each side is heard: a's probe, b's answer, a's next datagram. */
static void pair_up(struct pair *t)
{
	assert_int_equal(t->a.state, DGPATH_KEYED);
	assert_int_equal(t->b.state, DGPATH_KEYED);
	assert_false(dgpath_sending(&t->a));
	assert_int_equal(drain(&t->b, t->env.fd4, NULL, NULL), 0);     /* a's first probe */
	assert_int_equal(drain(&t->a, t->a.fd, NULL, NULL), 0);        /* b's answer: heard */
	assert_true(dgpath_sending(&t->a));
	assert_false(dgpath_sending(&t->b));
}

static void frame_of(uint8_t *eth, size_t len, uint8_t fill)
{
	memset(eth, fill, len);
	memcpy(eth, "\x02\0\0\0\0\x0b\x02\0\0\0\0\x0a\x08\x06", 14);
}

static void test_offer_and_frames(void **state)
{
	static const struct virtio_net_hdr none;
	struct frame_msg got[4];
	uint8_t eth[200];
	struct pair t;

	(void)state;
	pair_setup(&t, false);
	pair_up(&t);
	frame_of(eth, sizeof(eth), 0x5a);
	assert_int_equal(dgpath_queue(&t.a, &none, eth, sizeof(eth)), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, got, NULL), 1);
	assert_int_equal(got[0].eth_len, sizeof(eth));
	assert_memory_equal(got[0].eth, eth, sizeof(eth));
	assert_false(got[0].has_offload);
	/* a's frame said it hears b: b sends as datagrams too, to where a's came from. */
	assert_true(dgpath_sending(&t.b));
	frame_of(eth, 64, 0x33);
	assert_int_equal(dgpath_queue(&t.b, &none, eth, 64), 0);
	dgpath_flush(&t.b);
	assert_int_equal(drain(&t.a, t.a.fd, got, NULL), 1);
	assert_memory_equal(got[0].eth, eth, 64);
	assert_int_equal(t.a.st.out, 1);
	assert_int_equal(t.b.st.in, 1);
	assert_int_equal(t.b.st.out, 1);
	assert_int_equal(t.a.st.in, 1);
	assert_int_equal(t.a.st.drop_auth + t.b.st.drop_auth + t.a.st.drop_replay, 0);
	pair_teardown(&t);
}

/*
 * A TLS link's datagrams: the frame is not on the wire in clear; a clear
 * link's: it is. Either way the first probe, sent with the offer's answer,
 * passes (sealed or stamped as the other side expects).
 */
static void wire_check(bool sealed)
{
	static const struct virtio_net_hdr none;
	uint8_t eth[300], copies[4][2048];
	struct frame_msg got[4];
	struct pair t;

	pair_sealed = sealed;
	pair_setup(&t, false);
	pair_sealed = false;
	pair_up(&t);
	frame_of(eth, sizeof(eth), 0x5a);
	assert_int_equal(dgpath_queue(&t.a, &none, eth, sizeof(eth)), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, got, copies), 1);
	assert_memory_equal(got[0].eth, eth, sizeof(eth));
	if (sealed)
		assert_memory_not_equal(copies[0] + DGRAM_HDR_LEN + FRAME_HDR_LEN, eth, sizeof(eth));
	else
		assert_memory_equal(copies[0] + DGRAM_HDR_LEN + FRAME_HDR_LEN, eth, sizeof(eth));
	pair_teardown(&t);
}

static void test_sealed_and_stamped_on_the_wire(void **state)
{
	(void)state;
	wire_check(true);
	wire_check(false);
}

static void test_replay_and_forgery_dropped(void **state)
{
	static const struct virtio_net_hdr none;
	uint8_t eth[100], copies[4][2048];
	const struct sockaddr *from;
	struct frame_msg msg;
	struct pair t;
	socklen_t fl;
	size_t len;
	uint8_t *d;

	(void)state;
	pair_setup(&t, false);
	pair_up(&t);
	frame_of(eth, sizeof(eth), 0x77);
	assert_int_equal(dgpath_queue(&t.a, &none, eth, sizeof(eth)), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, NULL, copies), 1);
	d = dgpath_rx_get(0, &len, &from, &fl);
	assert_int_equal(len, DGRAM_OVERHEAD + FRAME_HDR_LEN + sizeof(eth));
	/* The same datagram again: a replay. */
	memcpy(d, copies[0], len);
	assert_false(dgpath_input(&t.b, d, len, from, fl, &msg));
	assert_int_equal(t.b.st.drop_replay, 1);
	/* A forged one: a fresh counter, any one bit of the rest flipped. */
	for (size_t bit = 0; bit < len * 8; bit += 7) {
		memcpy(d, copies[0], len);
		d[15] ^= 0x40;          /* counter: unseen */
		if (bit / 8 != 15)
			d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_false(dgpath_input(&t.b, d, len, from, fl, &msg));
	}
	assert_true(t.b.st.drop_auth >= len * 8 / 7);
	/* Cut short at every length. */
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(d, copies[0], len);
		assert_false(dgpath_input(&t.b, d, cut, from, fl, &msg));
	}
	assert_int_equal(t.b.st.in, 1);
	/* The path goes on: the next frame passes. */
	assert_int_equal(dgpath_queue(&t.a, &none, eth, sizeof(eth)), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, NULL, NULL), 1);
	pair_teardown(&t);
}

static void test_too_big_goes_over_tcp(void **state)
{
	static const struct virtio_net_hdr none;
	uint8_t eth[1514];
	struct pair t;

	(void)state;
	pair_setup(&t, false);
	pair_up(&t);
	/* An ARP-typed frame of 1514 bytes: no TCP to cut, larger than a 1500-byte datagram. */
	frame_of(eth, sizeof(eth), 0x11);
	assert_int_equal(dgpath_queue(&t.a, &none, eth, sizeof(eth)), -EMSGSIZE);
	assert_int_equal(t.a.st.big, 1);
	/* The largest that fits: 1500 less IPv4, UDP, the datagram's and the message's headers. */
	assert_int_equal(t.a.max_frame, 1500 - 20 - 8 - DGRAM_OVERHEAD - FRAME_HDR_LEN);
	assert_int_equal(dgpath_queue(&t.a, &none, eth, t.a.max_frame), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, NULL, NULL), 1);
	pair_teardown(&t);
}

static void test_silence_falls_back_and_recovers(void **state)
{
	struct pair t;

	(void)state;
	pair_setup(&t, false);
	pair_up(&t);
	harness_now += DGPATH_DEAD_MS - 1;
	assert_true(dgpath_sending(&t.a));
	harness_now += 1;
	assert_false(dgpath_sending(&t.a));   /* b has not said it hears a for DGPATH_DEAD_MS */
	assert_string_equal(dgpath_name(&t.a), "tcp-fallback");
	/* Datagrams get through again: a's probe, b's answer. */
	harness_advance(&t.d, DGPATH_PROBE_MS);  /* a's timer: a probe */
	assert_int_equal(drain(&t.b, t.env.fd4, NULL, NULL), 0);
	assert_int_equal(drain(&t.a, t.a.fd, NULL, NULL), 0);
	assert_true(dgpath_sending(&t.a));
	assert_string_equal(dgpath_name(&t.a), "udp");
	pair_teardown(&t);
}

/* An IPv4 TCP SYN with an MSS option of 1460, after tags VLAN tags; its MSS as clamped. */
static unsigned int clamped_mss(unsigned int tags, unsigned int max_frame)
{
	static const struct virtio_net_hdr none;
	uint8_t f[100] = { 0 };
	struct dgpath p = { .max_frame = max_frame };
	size_t l3 = 14 + 4 * tags, l4 = l3 + 20;

	memcpy(f, "\x02\0\0\0\0\x0b\x02\0\0\0\0\x0a", 12);
	for (unsigned int i = 0; i < tags; i++)
		memcpy(f + 12 + 4 * i, "\x81\0\0\x07", 4);
	f[l3 - 2] = 0x08;
	f[l3] = 0x45;
	f[l3 + 3] = 44;         /* total length: 20 + 24 */
	f[l3 + 9] = 6;          /* TCP */
	f[l4 + 12] = 6 << 4;    /* data offset: 24 bytes, the MSS option */
	f[l4 + 13] = 0x02;      /* SYN */
	memcpy(f + l4 + 20, "\x02\x04\x05\xb4", 4);     /* MSS 1460 */
	dgpath_clamp(&p, &none, f, l4 + 24);
	return (unsigned int)(f[l4 + 22] << 8 | f[l4 + 23]);
}

/* A SYN's MSS is lowered by its own headers' size, so that a full segment fits a datagram. */
static void test_mss_clamped_by_headers(void **state)
{
	unsigned int max_frame = 1500 - 20 - 8 - DGRAM_OVERHEAD - FRAME_HDR_LEN;

	(void)state;
	assert_int_equal(clamped_mss(0, max_frame), max_frame - 14 - 20 - 20);     /* 1382 */
	assert_int_equal(clamped_mss(1, max_frame), max_frame - 18 - 20 - 20);
	assert_int_equal(clamped_mss(0, 9000), 1460);     /* room enough: untouched */
}

/* A TCPv4 super-frame of payload bytes in segments of gso_size, as a packet socket hands it over. */
static size_t super_frame(uint8_t *f, size_t payload, uint16_t gso_size, struct virtio_net_hdr *vh)
{
	size_t len = 14 + 20 + 20 + payload;

	memset(f, 0x61, len);
	memcpy(f, "\x02\0\0\0\0\x0b\x02\0\0\0\0\x0a\x08\x00", 14);
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	f[14 + 2] = (uint8_t)((len - 14) >> 8);
	f[14 + 3] = (uint8_t)(len - 14);
	f[14 + 8] = 64;
	f[14 + 9] = 6;
	memcpy(f + 14 + 12, "\xc6\x12\0\x01\xc6\x12\0\x02", 8);
	f[34 + 13] = 0x10;      /* ACK */
	f[34 + 12] = 5 << 4;
	*vh = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				       .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54,
				       .gso_size = gso_size, .csum_start = 34, .csum_offset = 16 };
	return len;
}

/*
 * A super-frame of small segments on a path with a large MTU (jumbo, or
 * more) is cut within the send batch, each segment a datagram that arrives.
 */
static void cut_on_large_mtu(unsigned int mtu, uint16_t gso_size, size_t payload, size_t segs)
{
	static uint8_t f[70000];
	struct virtio_net_hdr vh;
	size_t len = super_frame(f, payload, gso_size, &vh);
	struct pair t;
	size_t got = 0;

	pair_mtu = mtu;
	pair_setup(&t, false);
	pair_up(&t);
	assert_int_equal(dgpath_queue(&t.a, &vh, f, len), 0);
	dgpath_flush(&t.a);
	for (int i = 0; i < 50 && got < segs; i++)
		got += (size_t)drain(&t.b, t.env.fd4, NULL, NULL);
	assert_int_equal(got, segs);
	assert_int_equal(t.a.st.out, segs);
	assert_int_equal(t.a.st.drop_send, 0);
	pair_teardown(&t);
	pair_mtu = 1500;
}

static void test_cut_on_large_mtu(void **state)
{
	(void)state;
	cut_on_large_mtu(9000, 300, 65000, 217);    /* segments of 300 bytes */
	cut_on_large_mtu(65535, 1448, 64000, 45);   /* of 1448 */
	/* 1448 does not fit 1500: segments of 1436 - 54 = 1382 bytes */
	cut_on_large_mtu(1500, 1448, 64000, 47);
}

/*
 * A super-frame's segments leave with the partial checksums the stack handed
 * over (the PARTIAL flag in the clear header) and arrive with NEEDS_CSUM at
 * their TCP checksum; a large frame with a complete checksum is cut with
 * complete ones and arrives without.
 */
static void test_partial_checksums(void **state)
{
	static uint8_t f[70000];
	uint8_t wire[4][2048];
	struct frame_msg msg[4];
	struct virtio_net_hdr vh;
	size_t len = super_frame(f, 4 * 1000, 1000, &vh);
	struct pair t;

	(void)state;
	pair_setup(&t, false);
	pair_up(&t);
	assert_int_equal(dgpath_queue(&t.a, &vh, f, len), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, msg, wire), 4);
	for (int i = 0; i < 4; i++) {
		assert_true(wire[i][1] & DGRAM_F_PARTIAL);
		assert_true(msg[i].has_offload);
		assert_int_equal(msg[i].vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		assert_int_equal(msg[i].vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_int_equal(msg[i].vh.csum_start, 34);
		assert_int_equal(msg[i].vh.csum_offset, 16);
		assert_int_equal(msg[i].eth_len, 54 + 1000);
	}
	/* no segmentation, no partial checksum, too long for one datagram: cut, complete */
	vh = (struct virtio_net_hdr){ 0 };
	len = super_frame(f, 2000, 0, &vh);
	vh = (struct virtio_net_hdr){ 0 };
	assert_int_equal(dgpath_queue(&t.a, &vh, f, len), 0);
	dgpath_flush(&t.a);
	assert_int_equal(drain(&t.b, t.env.fd4, msg, wire), 2);
	for (int i = 0; i < 2; i++) {
		assert_false(wire[i][1] & DGRAM_F_PARTIAL);
		assert_false(msg[i].has_offload);
	}
	pair_teardown(&t);
}

/* A frame of len bytes numbered num (big-endian at offset 14). */
static void frame_numbered(uint8_t *eth, size_t len, uint32_t num)
{
	frame_of(eth, len, (uint8_t)num);
	eth[14] = (uint8_t)(num >> 24);
	eth[15] = (uint8_t)(num >> 16);
	eth[16] = (uint8_t)(num >> 8);
	eth[17] = (uint8_t)num;
}

/*
 * Equal datagrams queued one after another go as runs (UDP_SEGMENT), which
 * the kernel cuts at the run's segment size: a run may only take a datagram
 * of its size after datagrams of its size, and no more than the kernel cuts
 * into. Queued without a flush in between: a super-frame cut into a run
 * whose last datagram is shorter, frames of the run's size and of the short
 * one's, 200 of 60 bytes, 100 of 1400, then sizes that change every few
 * frames. Each frame arrives once, in order, with its length.
 */
static void test_runs_keep_datagram_boundaries(void **state)
{
	static const struct virtio_net_hdr none;
	static uint8_t f[70000];
	static struct drain_log log;
	static size_t want_len[LOG_MAX];
	static uint32_t want_num[LOG_MAX];
	size_t sizes[LOG_MAX], len;
	unsigned int nsizes = 0, nwant = 0;
	struct virtio_net_hdr vh;
	struct pair t;

	(void)state;
	pair_setup(&t, false);
	pair_up(&t);
	/* 11 segments: 10 of 54 + 1000 bytes, the last of 54 + 300 */
	len = super_frame(f, 10 * 1000 + 300, 1000, &vh);
	assert_int_equal(dgpath_queue(&t.a, &vh, f, len), 0);
	for (unsigned int i = 0; i < 10; i++) {
		want_len[nwant] = 54 + 1000;
		want_num[nwant++] = i * 1000;
	}
	want_len[nwant] = 54 + 300;
	want_num[nwant++] = 10 * 1000;
	sizes[nsizes++] = 54 + 1000;
	sizes[nsizes++] = 54 + 300;
	sizes[nsizes++] = 54 + 1000;
	sizes[nsizes++] = 54 + 300;
	sizes[nsizes++] = 54 + 300;
	for (unsigned int i = 0; i < 200; i++)
		sizes[nsizes++] = 60;
	for (unsigned int i = 0; i < 100; i++)
		sizes[nsizes++] = 1400;
	for (unsigned int i = 0; i < 60; i++)
		sizes[nsizes++] = 60 + (i / 3 * 397) % 1341;
	for (unsigned int i = 0; i < nsizes; i++) {
		frame_numbered(f, sizes[i], 1000000 + i);
		assert_int_equal(dgpath_queue(&t.a, &none, f, sizes[i]), 0);
		want_len[nwant] = sizes[i];
		want_num[nwant++] = 1000000 + i;
	}
	dgpath_flush(&t.a);

	drain_log = &log;
	for (int i = 0; i < 100 && log.n < nwant; i++)
		drain(&t.b, t.env.fd4, NULL, NULL);
	drain(&t.b, t.env.fd4, NULL, NULL);     /* nothing more */
	drain_log = NULL;
	for (unsigned int i = 0; i < log.n && i < nwant; i++) {
		if (log.num[i] != want_num[i] || log.len[i] != want_len[i])
			fail_msg("frame %u: got number %u, %zu bytes; want %u, %zu bytes", i,
				 log.num[i], log.len[i], want_num[i], want_len[i]);
	}
	assert_int_equal(log.n, nwant);
	assert_int_equal(t.a.st.out, nwant);
	assert_int_equal(t.a.st.drop_send, 0);
	assert_int_equal(t.b.st.drop_auth, 0);
	pair_teardown(&t);
}

static void test_declined_by_udp_off(void **state)
{
	struct pair t;

	(void)state;
	pair_setup(&t, true);
	assert_int_equal(t.a.state, DGPATH_DECLINED);
	assert_int_equal(t.b.state, DGPATH_DECLINED);
	assert_false(dgpath_sending(&t.a));
	assert_string_equal(dgpath_name(&t.a), "tcp");
	pair_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_and_frames),
		cmocka_unit_test(test_sealed_and_stamped_on_the_wire),
		cmocka_unit_test(test_replay_and_forgery_dropped),
		cmocka_unit_test(test_too_big_goes_over_tcp),
		cmocka_unit_test(test_silence_falls_back_and_recovers),
		cmocka_unit_test(test_mss_clamped_by_headers),
		cmocka_unit_test(test_cut_on_large_mtu),
		cmocka_unit_test(test_partial_checksums),
		cmocka_unit_test(test_runs_keep_datagram_boundaries),
		cmocka_unit_test(test_declined_by_udp_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
