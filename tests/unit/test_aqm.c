// SPDX-License-Identifier: GPL-2.0-or-later
/* test_aqm.c - unit tests of the queue-delay controller, on a fake clock */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/aqm.h"

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
		cmocka_unit_test(test_ecn_marks_ect_ipv4_with_a_valid_checksum),
		cmocka_unit_test(test_ecn_marks_ect_ipv6_and_nothing_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
