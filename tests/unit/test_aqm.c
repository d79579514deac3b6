// SPDX-License-Identifier: GPL-2.0-or-later
/* test_aqm.c - unit tests of the queue-delay controller, on a fake clock */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/aqm.h"
#include "vnet/frame.h"

#define MS 1000ull
#define BIG 1514

static void test_sojourn_follows_the_oldest_byte(void **state)
{
	struct aqm a;

	(void)state;
	aqm_init(&a, 5);
	assert_int_equal(aqm_sojourn(&a, 1000), 0);
	aqm_enqueue(&a, 1 * MS, 1000);
	aqm_enqueue(&a, 3 * MS, 2000);
	aqm_enqueue(&a, 7 * MS, 3000);
	assert_int_equal(aqm_sojourn(&a, 10 * MS), 9 * MS);
	aqm_depart(&a, 999);            /* part of the first stretch: still waiting */
	assert_int_equal(aqm_sojourn(&a, 10 * MS), 9 * MS);
	aqm_depart(&a, 1000);
	assert_int_equal(aqm_sojourn(&a, 10 * MS), 7 * MS);
	aqm_depart(&a, 3000);
	assert_int_equal(aqm_sojourn(&a, 10 * MS), 0);
}

static void test_close_frames_share_a_stretch_and_a_full_ring_grows_the_last(void **state)
{
	struct aqm a;

	(void)state;
	aqm_init(&a, 5);
	aqm_enqueue(&a, 1000, 100);
	aqm_enqueue(&a, 1000 + AQM_GRAIN_US - 1, 200);
	assert_int_equal(a.n, 1);
	for (unsigned int i = 1; i < AQM_MARKS + 10; i++)
		aqm_enqueue(&a, 1000 + i * AQM_GRAIN_US, 200 + i);
	assert_int_equal(a.n, AQM_MARKS);
	/* The newest bytes are remembered with an older time, never lost. */
	aqm_depart(&a, 200 + AQM_MARKS - 2);
	assert_int_equal(a.n, 1);
	aqm_depart(&a, 200 + AQM_MARKS + 9);
	assert_int_equal(a.n, 0);
}

/* Keep the queue at a given sojourn: one stretch queued delay us ago, all else sent. */
static bool offer(struct aqm *a, uint64_t now, uint64_t delay, uint64_t queued, size_t len)
{
	aqm_depart(a, UINT64_MAX);
	aqm_enqueue(a, now - delay, now);
	return aqm_signal(a, now, queued, len);
}

static void test_no_signal_below_target(void **state)
{
	struct aqm a;

	(void)state;
	aqm_init(&a, 5);
	for (uint64_t t = 1000 * MS; t < 3000 * MS; t += MS) {
		aqm_enqueue(&a, t, t);
		aqm_depart(&a, t - 4 * MS);     /* 4 ms of queue */
		assert_false(aqm_signal(&a, t, 1000000, BIG));
	}
}

static void test_signals_after_an_interval_above_target_then_faster(void **state)
{
	struct aqm a;
	uint64_t t0 = 1000 * MS, first = 0, second = 0, third = 0;
	int signals = 0;

	(void)state;
	aqm_init(&a, 5);
	for (uint64_t t = t0; t < t0 + 1000 * MS; t += MS / 2) {
		aqm_enqueue(&a, t, t);
		aqm_depart(&a, t - 20 * MS);    /* a standing queue of 20 ms */
		if (aqm_signal(&a, t, 1000000, BIG)) {
			signals++;
			if (!first)
				first = t;
			else if (!second)
				second = t;
			else if (!third)
				third = t;
		}
	}
	/* The first one interval after the sojourn passed 5 ms, */
	assert_true(first >= t0 + 5 * MS + AQM_INTERVAL_US);
	assert_true(first <= t0 + 6 * MS + AQM_INTERVAL_US);
	/* then interval/sqrt(count): 100 ms, 70.7 ms... */
	assert_true(second - first >= AQM_INTERVAL_US - MS && second - first <= AQM_INTERVAL_US + MS);
	assert_true(third - second >= 70 * MS && third - second <= 72 * MS);
	assert_true(signals > 10);
}

static void test_stops_when_the_queue_drains_and_resumes_at_the_last_rate(void **state)
{
	struct aqm a;
	uint64_t t = 1000 * MS;
	uint32_t count;

	(void)state;
	aqm_init(&a, 5);
	for (; t < 2000 * MS; t += MS)
		offer(&a, t, 20 * MS, 1000000, BIG);
	assert_true(a.dropping);
	count = a.count;
	assert_true(count > 3);
	/* Drained: no signal, whatever the frame. */
	assert_false(offer(&a, t, 1 * MS, 1000000, BIG));
	assert_false(a.dropping);
	/* A queue that is long in time but holds two frames' worth is not above target. */
	t += MS;
	assert_false(offer(&a, t, 50 * MS, AQM_QUEUE_MIN, BIG));
	/* Back above target soon after: signalled again one interval later, near the old rate. */
	for (t += MS; !offer(&a, t, 20 * MS, 1000000, BIG); t += MS)
		;
	assert_true(a.count >= count - 1 - 1);
	assert_true(a.count > 1);
}

static void test_small_frames_pass_and_the_next_large_one_takes_the_signal(void **state)
{
	struct aqm a;
	uint64_t t = 1000 * MS;

	(void)state;
	aqm_init(&a, 5);
	offer(&a, t, 20 * MS, 1000000, 64);
	t += AQM_INTERVAL_US + MS;
	assert_false(offer(&a, t, 20 * MS, 1000000, 98));   /* a ping */
	assert_false(offer(&a, t, 20 * MS, 1000000, 66));   /* an ACK */
	assert_true(offer(&a, t, 20 * MS, 1000000, BIG));
}

static void test_off_never_signals(void **state)
{
	struct aqm a;

	(void)state;
	aqm_init(&a, 0);
	for (uint64_t t = 1000 * MS; t < 3000 * MS; t += MS)
		assert_false(offer(&a, t, 500 * MS, 10000000, BIG));
}

/* The link's round trips: the queueing on its path, and the least (which gates the probe). */
static void test_path_and_least_round_trip(void **state)
{
	struct aqm a;

	(void)state;
	aqm_init(&a, 40);
	aqm_path(&a, 62 * MS, 50 * MS);
	assert_int_equal(a.path_us, 12 * MS);
	assert_int_equal(a.min_rtt_us, 50 * MS);
	aqm_path(&a, 40 * MS, 50 * MS);     /* a smoothed round trip below the least: no queue */
	assert_int_equal(a.path_us, 0);
	aqm_reset(&a);                      /* a new connection: nothing known */
	assert_int_equal(a.min_rtt_us, 0);
	assert_int_equal(a.path_us, 0);
}

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t ipv4_frame(uint8_t *f, uint8_t tos, bool vlan)
{
	size_t off = 12;
	uint8_t *ip;
	uint16_t c;

	memset(f, 0, 100);
	if (vlan) {
		f[off] = 0x81;
		f[off + 1] = 0x00;
		off += 4;
	}
	f[off] = 0x08;
	f[off + 1] = 0x00;
	ip = f + off + 2;
	ip[0] = 0x45;
	ip[1] = tos;
	ip[3] = 60;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
	c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	return off + 2 + 60;
}

static void test_ecn_marks_ect_ipv4_with_a_valid_checksum(void **state)
{
	uint8_t f[100];
	size_t len;

	(void)state;
	for (int vlan = 0; vlan < 2; vlan++) {
		for (uint8_t ecn = 1; ecn <= 3; ecn++) {
			len = ipv4_frame(f, (uint8_t)(0xb8 | ecn), vlan);
			assert_true(aqm_ecn_mark(f, len));
			assert_int_equal(f[12 + 4 * vlan + 2 + 1], 0xbb);
			assert_int_equal(ip_csum(f + 12 + 4 * vlan + 2, 20), 0);
		}
		len = ipv4_frame(f, 0xb8, vlan);    /* not ECN-capable: left alone */
		assert_false(aqm_ecn_mark(f, len));
		assert_int_equal(f[12 + 4 * vlan + 2 + 1], 0xb8);
	}
	len = ipv4_frame(f, 0x02, false);
	assert_false(aqm_ecn_mark(f, 30));     /* truncated */
	assert_int_equal(f[15], 0x02);
}

static void test_ecn_marks_ect_ipv6_and_nothing_else(void **state)
{
	uint8_t f[80];

	(void)state;
	memset(f, 0, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x6a;   /* traffic class 0xa1: DSCP 0x28, ECT(1) */
	f[15] = 0x1f;
	assert_true(aqm_ecn_mark(f, sizeof(f)));
	assert_int_equal(f[14], 0x6a);
	assert_int_equal(f[15], 0x3f);
	f[15] = 0x0f;   /* not ECN-capable */
	assert_false(aqm_ecn_mark(f, sizeof(f)));
	f[12] = 0x08;   /* ARP */
	f[13] = 0x06;
	assert_false(aqm_ecn_mark(f, sizeof(f)));
	assert_false(aqm_ecn_mark(f, 13));
}

/* The folded sum of 16-bit words (the pseudo-header's: what a TCP offload starts from). */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * A TCP super-frame of payload bytes in segments of mss, IPv4 or IPv6, with an
 * 802.1Q tag or not, its checksum field holding the pseudo-header sum as the
 * kernel leaves it; hdr_len the headers.
 */
static size_t tso_frame(uint8_t *f, size_t payload, uint16_t mss, bool v6, bool vlan,
			struct virtio_net_hdr *vh)
{
	size_t l2 = vlan ? 18 : 14, l4 = l2 + (v6 ? 40 : 20), len = l4 + 32 + payload;
	uint8_t *ip = f + l2, *th = f + l4;
	uint32_t s;

	memset(f, 0, len);
	if (vlan) {
		f[12] = 0x81;
		f[15] = 42;
	}
	f[l2 - 2] = v6 ? 0x86 : 0x08;
	f[l2 - 1] = v6 ? 0xdd : 0x00;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (uint8_t)((len - l2 - 40) >> 8);
		ip[5] = (uint8_t)(len - l2 - 40);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(ip + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
		s = sum16(0, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		ip[2] = (uint8_t)((len - l2) >> 8);
		ip[3] = (uint8_t)(len - l2);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\xc6\x12\x00\x01\xc6\x12\x00\x02", 8);
		s = ip_csum(ip, 20);
		ip[10] = (uint8_t)(s >> 8);
		ip[11] = (uint8_t)s;
		s = sum16(0, ip + 12, 8);
	}
	th[12] = 8 << 4;                /* 32 bytes: timestamps */
	th[13] = 0x18;                  /* ACK, PSH */
	s = fold(s + 6 + (uint32_t)(len - l4));
	th[16] = (uint8_t)(s >> 8);
	th[17] = (uint8_t)s;
	*vh = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)(l4 + 32), .gso_size = mss,
		.csum_start = (uint16_t)l4, .csum_offset = 16,
	};
	return len;
}

static void test_trim_cuts_the_last_segment_and_keeps_the_sums_right(void **state)
{
	static uint8_t f[70000], g[70000];
	struct virtio_net_hdr vh, vh2;
	size_t len, cut;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		size_t l4 = 14 + (v6 ? 40 : 20);

		/* 44 full segments and a last one of 500 bytes: the 500 go. */
		len = tso_frame(f, 44 * 1448 + 500, 1448, v6, false, &vh);
		cut = aqm_trim(f, len, &vh);
		assert_int_equal(cut, len - 500);
		/* Every field as if the frame had been made that long. */
		tso_frame(g, 44 * 1448, 1448, v6, false, &vh2);
		assert_memory_equal(f, g, cut);
		if (!v6)
			assert_int_equal(ip_csum(f + 14, 20), 0);
		/* Whole segments: one of them goes. */
		len = tso_frame(f, 3 * 1448, 1448, v6, false, &vh);
		assert_int_equal(aqm_trim(f, len, &vh), len - 1448);
		assert_int_equal(f[l4 + 13], 0x18);
	}
	/* One segment, a FIN, no segmentation, lengths that do not add up: left alone. */
	len = tso_frame(f, 1448, 1448, false, false, &vh);
	assert_int_equal(aqm_trim(f, len, &vh), 0);
	len = tso_frame(f, 3 * 1448, 1448, false, false, &vh);
	f[34 + 13] |= 0x01;
	assert_int_equal(aqm_trim(f, len, &vh), 0);
	len = tso_frame(f, 3 * 1448, 1448, false, false, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	assert_int_equal(aqm_trim(f, len, &vh), 0);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(aqm_trim(f, len, &vh), 0);
	len = tso_frame(f, 3 * 1448, 1448, false, false, &vh);
	assert_int_equal(aqm_trim(f, len - 1, &vh), 0);
	assert_int_equal(aqm_trim(f, 40, &vh), 0);
	memcpy(g, f, len);
	assert_int_equal(aqm_trim(f, len - 1, &vh), 0);
	assert_memory_equal(f, g, len);
}

/* The metadata of a cut frame, as frame_decode and frame_offload_safe see it at the peer. */
static void expect_fits(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len)
{
	const char *err = "";

	if (!frame_offload_valid(vh, &err) || !frame_offload_safe(vh, eth, len, &err))
		fail_msg("a cut frame of %zu bytes (gso 0x%x size %u hdr_len %u csum %u+%u) is "
			 "refused: %s", len, vh->gso_type, vh->gso_size, vh->hdr_len, vh->csum_start,
			 vh->csum_offset, err);
}

/*
 * A guest's TSO frames of two and three segments, the kernel's hdr_len the
 * whole frame (the linear part of its buffer): after a cut the metadata fits
 * the shorter frame, and describes it as the kernel would have (one segment
 * left: no longer a super-frame, the ECN bit gone with the segmentation).
 */
static void test_trim_keeps_the_metadata_consistent(void **state)
{
	static uint8_t f[70000], g[70000];
	struct virtio_net_hdr vh, want;
	size_t len, cut;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		for (int vlan = 0; vlan < 2; vlan++) {
			size_t l4 = (vlan ? 18 : 14) + (v6 ? 40 : 20);

			for (int ecn = 0; ecn < 2; ecn++) {
				/* Two full segments, and one full and one short: one is left. */
				for (int i = 0; i < 2; i++) {
					size_t last = i ? 500 : 1448;

					len = tso_frame(f, 1448 + last, 1448, v6, vlan, &vh);
					vh.hdr_len = (uint16_t)len;
					if (ecn)
						vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
					cut = aqm_trim(f, len, &vh);
					assert_int_equal(cut, len - last);
					expect_fits(&vh, f, cut);
					tso_frame(g, 1448, 1448, v6, vlan, &want);
					assert_memory_equal(f, g, cut);
					assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
					assert_int_equal(vh.gso_size, 0);
					assert_int_equal(vh.hdr_len, 0);
					assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
					assert_int_equal(vh.csum_start, l4);
					assert_int_equal(vh.csum_offset, 16);
				}
			}
			/* Three segments: two are left, still a super-frame, hdr_len the headers. */
			len = tso_frame(f, 3 * 1448, 1448, v6, vlan, &vh);
			vh.hdr_len = (uint16_t)len;
			vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
			cut = aqm_trim(f, len, &vh);
			assert_int_equal(cut, len - 1448);
			expect_fits(&vh, f, cut);
			tso_frame(g, 2 * 1448, 1448, v6, vlan, &want);
			assert_memory_equal(f, g, cut);
			assert_int_equal(vh.gso_type, want.gso_type | VIRTIO_NET_HDR_GSO_ECN);
			assert_int_equal(vh.gso_size, 1448);
			assert_int_equal(vh.hdr_len, l4 + 32);
			assert_int_equal(vh.csum_start, l4);
			/* A hdr_len within the headers stays as it was. */
			len = tso_frame(f, 3 * 1448, 1448, v6, vlan, &vh);
			vh.hdr_len = 0;
			assert_int_equal(aqm_trim(f, len, &vh), len - 1448);
			assert_int_equal(vh.hdr_len, 0);
			expect_fits(&vh, f, len - 1448);
		}
	}
	/* A frame that is not cut keeps its metadata. */
	len = tso_frame(f, 1448, 1448, false, false, &vh);
	vh.hdr_len = (uint16_t)len;
	want = vh;
	assert_int_equal(aqm_trim(f, len, &vh), 0);
	assert_memory_equal(&vh, &want, sizeof(vh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sojourn_follows_the_oldest_byte),
		cmocka_unit_test(test_close_frames_share_a_stretch_and_a_full_ring_grows_the_last),
		cmocka_unit_test(test_no_signal_below_target),
		cmocka_unit_test(test_signals_after_an_interval_above_target_then_faster),
		cmocka_unit_test(test_stops_when_the_queue_drains_and_resumes_at_the_last_rate),
		cmocka_unit_test(test_small_frames_pass_and_the_next_large_one_takes_the_signal),
		cmocka_unit_test(test_off_never_signals),
		cmocka_unit_test(test_path_and_least_round_trip),
		cmocka_unit_test(test_ecn_marks_ect_ipv4_with_a_valid_checksum),
		cmocka_unit_test(test_ecn_marks_ect_ipv6_and_nothing_else),
		cmocka_unit_test(test_trim_cuts_the_last_segment_and_keeps_the_sums_right),
		cmocka_unit_test(test_trim_keeps_the_metadata_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
