// SPDX-License-Identifier: GPL-2.0-or-later
/* test_guard.c - unit tests of the guarded port: the frames it knows, its token bucket */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "vnet/guard.h"

#define FRAME_MAX 256

/* A frame being built: its bytes and length. */
struct fr {
	uint8_t b[FRAME_MAX];
	size_t len;
};

static void put(struct fr *f, const void *p, size_t n)
{
	assert_true(f->len + n <= FRAME_MAX);
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct fr *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(f, b, 2);
}

/* Destination (broadcast), source, then tags VLAN tags (TPID tpid) and the EtherType. */
static void eth(struct fr *f, int tags, uint16_t tpid, uint16_t type)
{
	static const uint8_t macs[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0x02, 0x00, 0xc6, 0x12, 0x00, 0x0a };

	f->len = 0;
	put(f, macs, sizeof(macs));
	for (int i = 0; i < tags; i++) {
		put16(f, tpid);
		put16(f, (uint16_t)(10 + i));
	}
	put16(f, type);
}

/* An IPv4 UDP datagram sport -> dport (ihl words of header, fragment offset frag in 8s). */
static void udp4(struct fr *f, int tags, unsigned int ihl, uint16_t frag, uint16_t sport,
		 uint16_t dport)
{
	uint8_t ip[60] = { 0 };

	eth(f, tags, 0x8100, 0x0800);
	ip[0] = (uint8_t)(0x40 | ihl);
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = 17;
	put(f, ip, ihl * 4);
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + 20);
	put16(f, 0);
	put(f, "twenty bytes payload", 20);
}

/* An IPv6 packet whose first next header is next, then the bytes of rest. */
static void ip6(struct fr *f, int tags, uint16_t tpid, uint8_t next, const uint8_t *rest,
		size_t n)
{
	uint8_t ip[40] = { 0x60 };

	eth(f, tags, tpid, 0x86dd);
	ip[4] = (uint8_t)(n >> 8);
	ip[5] = (uint8_t)n;
	ip[6] = next;
	ip[7] = 255;
	put(f, ip, sizeof(ip));
	put(f, rest, n);
}

static const uint8_t ra[16] = { 134, 0, 0, 0, 64, 0, 0, 0 };
static const uint8_t ns[24] = { 135 };
static const uint8_t dhcp6_reply[12] = { 0x02, 0x23, 0x02, 0x22, 0, 12, 0, 0, 7 };  /* 547 -> 546 */
static const uint8_t dhcp6_solicit[12] = { 0x02, 0x22, 0x02, 0x23, 0, 12, 0, 0, 1 }; /* 546 -> 547 */

static void test_dhcp4(void **state)
{
	struct fr f;

	(void)state;
	udp4(&f, 0, 5, 0, 67, 68);
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	udp4(&f, 0, 5, 0, 68, 67);      /* a client's request */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	udp4(&f, 0, 5, 0, 67, 67);      /* server to relay */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	/* To a client's port from any other: clients take it (busybox udhcpc does). */
	udp4(&f, 0, 5, 0, 1067, 68);
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	udp4(&f, 0, 5, 0, 53, 68);
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	udp4(&f, 0, 15, 0, 67, 68);     /* 40 bytes of options skipped */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	udp4(&f, 0, 5, 0x2000, 67, 68); /* the first fragment (more fragments): ports there */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	f.b[14 + 9] = 6;                /* TCP */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
}

static void test_dhcp4_fragment_and_bad_headers(void **state)
{
	struct fr f;

	(void)state;
	/* A later fragment: what sits where the ports would is payload, whatever it says. */
	udp4(&f, 0, 5, 185, 67, 68);
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	udp4(&f, 0, 5, 0x2000 | 1, 67, 68);
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	udp4(&f, 0, 5, 0, 67, 68);
	f.b[14] = 0x44;                 /* header length 16: no such IPv4 header */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	f.b[14] = 0x65;                 /* version 6 behind the IPv4 EtherType */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	udp4(&f, 0, 15, 0, 67, 68);
	f.len = 14 + 60 + 3;            /* options fit, the ports do not */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	f.len = 14 + 60 + 4;
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
}

static void test_tags(void **state)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
	struct fr f;

	(void)state;
	for (int tags = 0; tags <= 2; tags++) {
		udp4(&f, tags, 5, 0, 67, 68);
		assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
		for (size_t t = 0; t < sizeof(tpids) / sizeof(tpids[0]); t++) {
			ip6(&f, tags, tpids[t], 58, ra, sizeof(ra));
			assert_int_equal(guard_classify(f.b, f.len), GUARD_ROUTER_ADV);
		}
	}
	/* A third tag is not looked behind. */
	udp4(&f, 3, 5, 0, 67, 68);
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	/* Not a tag: ARP. */
	eth(&f, 0, 0, 0x0806);
	put(&f, ra, sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
}

static void test_ipv6(void **state)
{
	uint8_t ext[64];
	struct fr f;

	(void)state;
	ip6(&f, 0, 0, 58, ra, sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_ROUTER_ADV);
	ip6(&f, 0, 0, 58, ns, sizeof(ns));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	ip6(&f, 0, 0, 17, dhcp6_reply, sizeof(dhcp6_reply));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	ip6(&f, 0, 0, 17, dhcp6_solicit, sizeof(dhcp6_solicit));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	ip6(&f, 0, 0, 6, dhcp6_reply, sizeof(dhcp6_reply));  /* TCP */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	ip6(&f, 0, 0, 58, ra, sizeof(ra));
	f.b[14] = 0x40;                 /* version 4 behind the IPv6 EtherType */
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);

	/* Behind a hop-by-hop header (8 bytes) and destination options (16 bytes). */
	memset(ext, 0, sizeof(ext));
	ext[0] = 60;
	ext[8] = 58;
	ext[9] = 1;
	memcpy(ext + 24, ra, sizeof(ra));
	ip6(&f, 0, 0, 0, ext, 24 + sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_ROUTER_ADV);
	/* Behind a routing header, then a first fragment's header. */
	memset(ext, 0, sizeof(ext));
	ext[0] = 44;
	ext[8] = 17;
	ext[11] = 1;                    /* offset 0, more fragments */
	memcpy(ext + 16, dhcp6_reply, sizeof(dhcp6_reply));
	ip6(&f, 0, 0, 43, ext, 16 + sizeof(dhcp6_reply));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_DHCP_SERVER);
	/* A later fragment: no upper-layer header. */
	memset(ext, 0, sizeof(ext));
	ext[0] = 58;
	ext[3] = 8 << 3;                /* offset 8 (64 bytes) */
	memcpy(ext + 8, ra, sizeof(ra));
	ip6(&f, 0, 0, 44, ext, 8 + sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	/* No next header, ESP. */
	ip6(&f, 0, 0, 59, ra, sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
	ip6(&f, 0, 0, 50, ra, sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
}

/*
 * Chains longer than the walk: 8 extension headers are read through, a ninth
 * is not, and the frame is taken for what it may hide, an advertisement.
 */
static void test_ipv6_long_chain(void **state)
{
	uint8_t ext[9 * 8 + sizeof(ra)];
	struct fr f;

	(void)state;
	for (int n = 8; n <= 9; n++) {
		memset(ext, 0, sizeof(ext));
		for (int i = 0; i < n; i++)
			ext[i * 8] = i == n - 1 ? 58 : 60;
		memcpy(ext + n * 8, ra, sizeof(ra));
		ip6(&f, 0, 0, 60, ext, (size_t)n * 8 + sizeof(ra));
		assert_int_equal(guard_classify(f.b, f.len), GUARD_ROUTER_ADV);
	}
	/* An extension header longer than the frame. */
	memset(ext, 0, sizeof(ext));
	ext[0] = 58;
	ext[1] = 200;
	memcpy(ext + 8, ra, sizeof(ra));
	ip6(&f, 0, 0, 0, ext, 8 + sizeof(ra));
	assert_int_equal(guard_classify(f.b, f.len), GUARD_OTHER);
}

/*
 * Every frame cut at every length: no read past the end (a copy of exactly that
 * length on the heap, for ASan), and no verdict until what decides it is there.
 */
static void cut_everywhere(const struct fr *f, size_t decisive, enum guard_kind kind)
{
	for (size_t n = 0; n <= f->len; n++) {
		uint8_t *c = test_malloc(n ? n : 1);

		memcpy(c, f->b, n);
		assert_int_equal(guard_classify(c, n), n >= decisive ? kind : GUARD_OTHER);
		test_free(c);
	}
}

static void test_truncated_at_every_length(void **state)
{
	uint8_t ext[8 + sizeof(ra)] = { 58 };
	struct fr f;

	(void)state;
	udp4(&f, 0, 5, 0, 67, 68);
	cut_everywhere(&f, 14 + 20 + 4, GUARD_DHCP_SERVER);
	udp4(&f, 2, 7, 0, 67, 68);
	cut_everywhere(&f, 22 + 28 + 4, GUARD_DHCP_SERVER);
	ip6(&f, 1, 0x8100, 58, ra, sizeof(ra));
	cut_everywhere(&f, 18 + 40 + 1, GUARD_ROUTER_ADV);
	ip6(&f, 0, 0, 17, dhcp6_reply, sizeof(dhcp6_reply));
	cut_everywhere(&f, 14 + 40 + 4, GUARD_DHCP_SERVER);
	memcpy(ext + 8, ra, sizeof(ra));
	ip6(&f, 0, 0, 0, ext, sizeof(ext));
	cut_everywhere(&f, 14 + 40 + 8 + 1, GUARD_ROUTER_ADV);
	udp4(&f, 0, 5, 0, 68, 67);
	cut_everywhere(&f, 0, GUARD_OTHER);
}

static void test_bucket(void **state)
{
	struct guard_rate r = { .per_s = 1000, .burst = 2000 };
	struct guard_bucket b = { 0 };
	int passed = 0;

	(void)state;
	/* Full at first: the burst passes at once, then nothing in the same millisecond. */
	for (int i = 0; i < 3000; i++)
		passed += guard_bucket_take(&b, &r, 5000);
	assert_int_equal(passed, 2000);
	/* One a millisecond after that. */
	assert_true(guard_bucket_take(&b, &r, 5001));
	assert_false(guard_bucket_take(&b, &r, 5001));
	/* A super-frame of n segments takes n tokens, or none. */
	assert_false(guard_bucket_take_n(&b, &r, 5001, 2));
	/* 10,000 frames offered in 2 s, 5 a millisecond: 2,000 pass. */
	passed = 0;
	for (uint64_t t = 5002; t < 7002; t++)
		for (int i = 0; i < 5; i++)
			passed += guard_bucket_take(&b, &r, t);
	assert_int_equal(passed, 2000);
	/* After a quiet while the burst is back, no more. */
	passed = 0;
	for (int i = 0; i < 3000; i++)
		passed += guard_bucket_take(&b, &r, 1000000);
	assert_int_equal(passed, 2000);
	/* A clock that does not move (or goes back) gives nothing back. */
	assert_false(guard_bucket_take(&b, &r, 999999));
	assert_false(guard_bucket_take(&b, &r, 1000000));
	/* A day later, then years later: full, not overflowed. */
	passed = 0;
	for (int i = 0; i < 3000; i++)
		passed += guard_bucket_take(&b, &r, 1000000 + 86400000ull);
	assert_int_equal(passed, 2000);
	passed = 0;
	for (int i = 0; i < 3000; i++)
		passed += guard_bucket_take(&b, &r, UINT64_MAX / 2);
	assert_int_equal(passed, 2000);
}

static void test_bucket_slow_rates_and_off(void **state)
{
	struct guard_rate slow = { .per_s = 3, .burst = 1 }, off = { 0, 0 },
			  big = { .per_s = GUARD_FLOOD_MAX, .burst = GUARD_FLOOD_MAX };
	struct guard_bucket b = { 0 }, o = { 0 }, g = { 0 };
	int passed = 0;

	(void)state;
	/* 3 a second, one at a time: a frame every millisecond for 10 s lets 1 + 29 through. */
	for (uint64_t t = 1; t <= 10000; t++)
		passed += guard_bucket_take(&b, &slow, t);
	assert_int_equal(passed, 30);
	for (int i = 0; i < 100000; i++)
		assert_true(guard_bucket_take(&o, &off, 7));
	passed = 0;
	for (int i = 0; i < GUARD_FLOOD_MAX + 10; i++)
		passed += guard_bucket_take(&g, &big, 1);
	assert_int_equal(passed, GUARD_FLOOD_MAX);
	assert_int_equal(guard_bucket_take(&g, &big, 2), true);
}

static void test_rate_parse(void **state)
{
	struct guard_rate r = { 7, 7 };
	static const char *const bad[] = { "", "0", "-1", "1/0", "1/", "/5", "10x", "x", "1//2",
					   "10000001", "1/10000001", "00000000001", "1 ", "Off",
					   "1/2/3", "+5" };

	(void)state;
	assert_true(guard_rate_parse("1000", &r));
	assert_int_equal(r.per_s, 1000);
	assert_int_equal(r.burst, 2000);
	assert_true(guard_rate_parse("50/1", &r));
	assert_int_equal(r.per_s, 50);
	assert_int_equal(r.burst, 1);
	assert_true(guard_rate_parse("10000000", &r));
	assert_int_equal(r.burst, GUARD_FLOOD_MAX);
	assert_true(guard_rate_parse("off", &r));
	assert_int_equal(r.per_s, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r.per_s = r.burst = 9;
		assert_false(guard_rate_parse(bad[i], &r));
		assert_int_equal(r.per_s, 9);
	}
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* What the check costs a frame from the peer (printed, not asserted: the machine is shared). */
static void test_cost_printed(void **state)
{
	struct guard_rate r = { .per_s = 1000, .burst = 2000 };
	struct guard_bucket b = { 0 };
	struct fr frames[3];
	const int n = 2000000;
	volatile int sink = 0;
	double t0, t1;

	(void)state;
	udp4(&frames[0], 0, 5, 0, 40000, 5001);         /* plain traffic */
	ip6(&frames[1], 1, 0x8100, 58, ra, sizeof(ra));  /* behind a tag */
	udp4(&frames[2], 0, 5, 0, 67, 68);
	for (int k = 0; k < 3; k++) {
		t0 = now_ns();
		for (int i = 0; i < n; i++)
			sink += guard_classify(frames[k].b, frames[k].len);
		t1 = now_ns();
		printf("guard: classify a %zu-byte frame (kind %d): %.1f ns\n", frames[k].len,
		       (int)guard_classify(frames[k].b, frames[k].len), (t1 - t0) / n);
	}
	t0 = now_ns();
	for (int i = 0; i < n; i++)
		sink += guard_bucket_take(&b, &r, (uint64_t)i / 4);
	printf("guard: token bucket, a broadcast frame: %.1f ns\n", (now_ns() - t0) / n);
	assert_true(sink > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp4),
		cmocka_unit_test(test_dhcp4_fragment_and_bad_headers),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv6_long_chain),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_bucket_slow_rates_and_off),
		cmocka_unit_test(test_rate_parse),
		cmocka_unit_test(test_cost_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
