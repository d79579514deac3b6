// SPDX-License-Identifier: GPL-2.0-or-later
/* test_loopguard.c - unit tests of the table of recently injected frames */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "vnet/loopguard.h"

static const struct virtio_net_hdr none;

/* A broadcast ARP request of 42 bytes, its last byte set to tag. */
static void arp(uint8_t *f, uint8_t tag)
{
	memset(f, 0, 42);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	f[12] = 0x08;
	f[13] = 0x06;
	f[41] = tag;
}

static struct loopguard *guard(void)
{
	struct loopguard *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	return g;
}

static void test_key_covers_prefix_length_and_gso(void **state)
{
	uint8_t a[200], b[200];
	struct virtio_net_hdr gso = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448 };

	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_int_equal(loopguard_key(&none, a, 200), loopguard_key(&none, b, 200));
	b[41] ^= 1;     /* within the prefix */
	assert_int_not_equal(loopguard_key(&none, a, 200), loopguard_key(&none, b, 200));
	b[41] ^= 1;
	b[199] ^= 1;    /* the last byte */
	assert_int_not_equal(loopguard_key(&none, a, 200), loopguard_key(&none, b, 200));
	assert_int_not_equal(loopguard_key(&none, a, 200), loopguard_key(&none, a, 199));
	assert_int_not_equal(loopguard_key(&none, a, 60), loopguard_key(&none, a, 61));
	assert_int_not_equal(loopguard_key(&none, a, 200), loopguard_key(&gso, a, 200));
	assert_int_not_equal(loopguard_key(&none, a, 0), 0);
}

/*
 * Two segments of one bulk flow in VXLAN over IPv6 (no IP identification):
 * alike up to the inner TCP sequence number at bytes 128-131, and in super-
 * frames of one size, alike but for their payload's last bytes.
 */
static void test_key_reads_past_128_and_the_last_bytes(void **state)
{
	static uint8_t a[65000], b[65000];
	struct virtio_net_hdr gso = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .gso_size = 1398 };

	memset(a, 0x33, sizeof(a));
	memcpy(b, a, sizeof(b));
	b[130] ^= 1;
	assert_int_not_equal(loopguard_key(&none, a, 1500), loopguard_key(&none, b, 1500));
	b[130] ^= 1;
	b[255] ^= 1;    /* the last byte of the prefix */
	assert_int_not_equal(loopguard_key(&none, a, 1500), loopguard_key(&none, b, 1500));
	b[255] ^= 1;
	b[1499 - 63] ^= 1;      /* the first of the last 64 */
	assert_int_not_equal(loopguard_key(&none, a, 1500), loopguard_key(&none, b, 1500));
	b[1499 - 63] ^= 1;
	b[64999] ^= 1;
	assert_int_not_equal(loopguard_key(&gso, a, 65000), loopguard_key(&gso, b, 65000));
	b[64999] ^= 1;
	b[30000] ^= 1;  /* neither head nor tail: not read, the cost stays bounded */
	assert_int_equal(loopguard_key(&gso, a, 65000), loopguard_key(&gso, b, 65000));
	b[30000] ^= 1;
	b[280] ^= 1;    /* a 300-byte frame: all of it is read */
	assert_int_not_equal(loopguard_key(&none, a, 300), loopguard_key(&none, b, 300));
}

/* Every offload field counts. */
static void test_key_covers_every_offload_field(void **state)
{
	struct virtio_net_hdr v[7] = { { 0 } };
	uint8_t f[100];
	uint64_t k[7];

	memset(f, 0x77, sizeof(f));
	v[1].flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	v[2].gso_type = VIRTIO_NET_HDR_GSO_UDP;
	v[3].hdr_len = 54;
	v[4].gso_size = 1448;
	v[5].csum_start = 34;
	v[6].csum_offset = 16;
	for (int i = 0; i < 7; i++) {
		k[i] = loopguard_key(&v[i], f, sizeof(f));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(k[i], k[j]);
	}
}

#define LA 2    /* the ifindex of a device la, ... */
#define LB 3
#define LC 4

/*
 * A hub: a frame this daemon injected on la, captured on lb, the other
 * port of the bridge, is there for the first time: forwarded, once per
 * capture.
 */
static void test_hub_first_visit_passes(void **state)
{
	struct loopguard *g = guard();
	unsigned long who = 0;
	uint8_t f[42];

	arp(f, 1);
	assert_false(loopguard_echo(g, &none, f, 42, LB, 1000, &who));  /* nothing injected */
	loopguard_note(g, loopguard_key(&none, f, 42), 7, 2000);       /* injected on la */
	assert_false(loopguard_echo(g, &none, f, 42, LB, 2000, &who));  /* captured on lb */
	assert_false(loopguard_echo(g, &none, f, 42, LC, 2000, &who));  /* and on lc */
	free(g);
}

/*
 * A loop: a frame captured on la, injected elsewhere (on lc, say, after a
 * lap through a peer), is captured on lb (a first visit there) and on la
 * again: a second visit, dropped, with who injected it. Captures of la and
 * lb do not forget each other.
 */
static void test_loop_second_visit_dropped(void **state)
{
	struct loopguard *g = guard();
	unsigned long who = 0;
	uint8_t f[42], other[42];

	arp(f, 1);
	arp(other, 2);
	loopguard_note(g, loopguard_key(&none, other, 42), 1, 1000);   /* the daemon is busy */
	assert_false(loopguard_echo(g, &none, f, 42, LA, 1000, &who));  /* from a host on la */
	loopguard_note(g, loopguard_key(&none, f, 42), 7, 1001);       /* back from a peer */
	assert_false(loopguard_echo(g, &none, f, 42, LB, 1001, &who));
	assert_true(loopguard_echo(g, &none, f, 42, LA, 1002, &who));
	assert_int_equal(who, 7);
	loopguard_note(g, loopguard_key(&none, f, 42), 8, 1003);       /* another lap */
	assert_true(loopguard_echo(g, &none, f, 42, LB, 1004, &who));
	assert_int_equal(who, 8);
	assert_true(loopguard_echo(g, &none, f, 42, LA, 1000 + LOOPGUARD_ECHO_MS - 1, &who));
	/* Half a second after the first visit: a visit of its own again. */
	assert_false(loopguard_echo(g, &none, f, 42, LA, 1000 + LOOPGUARD_ECHO_MS, &who));
	free(g);
}

/*
 * A host's own repetition, never injected by this daemon, captured twice on
 * one device while the daemon injects other frames: forwarded both times.
 * So is one the daemon injected before its first visit and not since.
 */
static void test_own_repetition_passes(void **state)
{
	struct loopguard *g = guard();
	unsigned long who = 0;
	uint8_t f[42], other[42];

	arp(f, 3);
	arp(other, 4);
	loopguard_note(g, loopguard_key(&none, other, 42), 1, 1000);
	assert_false(loopguard_echo(g, &none, f, 42, LA, 1000, &who));
	assert_false(loopguard_echo(g, &none, f, 42, LA, 1200, &who));
	loopguard_note(g, loopguard_key(&none, f, 42), 7, 3000);
	assert_false(loopguard_echo(g, &none, f, 42, LB, 3001, &who));
	assert_false(loopguard_echo(g, &none, f, 42, LB, 3200, &who));
	free(g);
}

/*
 * The same frame from peers: LOOPGUARD_REPEATS injections within the window
 * pass, the next is refused until the window that began with the first is
 * over.
 */
static void test_repeats(void **state)
{
	struct loopguard *g = guard();
	uint8_t f[42];
	uint64_t key, t = 5000;

	arp(f, 3);
	key = loopguard_key(&none, f, 42);
	for (int i = 0; i < LOOPGUARD_REPEATS; i++) {
		assert_false(loopguard_repeated(g, key, t + (uint64_t)i));
		loopguard_note(g, key, 1, t + (uint64_t)i);
	}
	assert_true(loopguard_repeated(g, key, t + LOOPGUARD_REPEATS));
	assert_true(loopguard_repeated(g, key, t + LOOPGUARD_WINDOW_MS - 1));
	assert_false(loopguard_repeated(g, key, t + LOOPGUARD_WINDOW_MS));
	loopguard_note(g, key, 1, t + LOOPGUARD_WINDOW_MS);    /* a new window */
	assert_false(loopguard_repeated(g, key, t + LOOPGUARD_WINDOW_MS + 1));
	free(g);
}

/* Ordinary repetitions never reach the limit. */
static void test_ordinary_traffic_passes(void **state)
{
	struct loopguard *g = guard();
	uint8_t f[42];
	uint64_t key, t = 10000;

	arp(f, 4);
	key = loopguard_key(&none, f, 42);
	/* A gratuitous ARP burst of 5, then ARP retries every second for a minute. */
	for (int i = 0; i < 5; i++) {
		assert_false(loopguard_repeated(g, key, t));
		loopguard_note(g, key, 1, t);
	}
	for (int s = 1; s <= 60; s++) {
		assert_false(loopguard_repeated(g, key, t + (uint64_t)s * 1000));
		loopguard_note(g, key, 1, t + (uint64_t)s * 1000);
	}
	/* TCP retransmissions of one segment: 200, 400, 800 ms apart ... */
	arp(f, 5);
	key = loopguard_key(&none, f, 42);
	for (uint64_t rto = 200, at = t; rto <= 6400; at += rto, rto *= 2) {
		assert_false(loopguard_repeated(g, key, at));
		loopguard_note(g, key, 1, at);
	}
	free(g);
}

/* A loop through other daemons, one lap a millisecond: cut at its 9th lap. */
static void test_fast_loop_is_cut(void **state)
{
	struct loopguard *g = guard();
	uint8_t f[42];
	uint64_t key;
	int passed = 0;

	arp(f, 6);
	key = loopguard_key(&none, f, 42);
	for (uint64_t t = 0; t < 2 * LOOPGUARD_WINDOW_MS; t++) {
		if (loopguard_repeated(g, key, 20000 + t))
			continue;
		loopguard_note(g, key, 2, 20000 + t);
		passed++;
	}
	assert_int_equal(passed, 2 * LOOPGUARD_REPEATS);    /* per window */
	free(g);
}

/* An IPv4 TCP segment of 54 bytes, no payload, its flags octet set to flags. */
static void tcp_segment(uint8_t *f, uint8_t flags)
{
	memset(f, 0, 54);
	memset(f, 0x02, 12);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 40;     /* total length */
	f[20] = 0x40;   /* DF, identification 0: a reset sent without a socket */
	f[23] = 6;
	f[46] = 5 << 4;
	f[47] = flags;
}

/*
 * Copies of a TCP reset are stopped as any frame's, at the same count (a
 * reset in a loop is cut as soon), but go unreported: a host aborting a
 * connection resets each segment still in flight with the same frame.
 * Other TCP segments repeated so are reported.
 */
static void test_reset_copies_unreported(void **state)
{
	struct loopguard *g = guard();
	uint8_t f[54];
	uint64_t key;

	tcp_segment(f, 0x14);   /* RST+ACK */
	key = loopguard_key(&none, f, sizeof(f));
	for (int i = 0; i < LOOPGUARD_REPEATS; i++)
		loopguard_note(g, key, 1, 40000);
	assert_true(loopguard_repeated(g, key, 40000));
	assert_true(loopguard_unreported(f, sizeof(f)));
	tcp_segment(f, 0x10);   /* a plain ACK */
	assert_false(loopguard_unreported(f, sizeof(f)));
	arp(f, 7);
	assert_false(loopguard_unreported(f, 42));
	free(g);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/*
 * The cost per frame, printed, not asserted: a captured frame while the
 * daemon injects (one hash, two probes), and an injected one (one hash, one
 * probe to ask, one to note).
 */
static void test_cost_printed(void **state)
{
	static uint8_t f[65000];
	static const size_t lens[] = { 60, 1514, 65000 };
	struct loopguard *g = guard();
	unsigned long who;
	volatile int hits = 0;
	const int n = 200000;

	memset(f, 0x5a, sizeof(f));
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		double t0 = now_ns(), t1;

		for (int i = 0; i < n; i++) {
			f[20] = (uint8_t)i;
			f[21] = (uint8_t)(i >> 8);
			loopguard_note(g, 1, 1, 1000);  /* the gate stays open */
			hits += loopguard_echo(g, &none, f, lens[l], LA + (i & 1), 1000, &who);
		}
		t1 = now_ns();
		for (int i = 0; i < n; i++) {
			uint64_t key;

			f[20] = (uint8_t)i;
			f[21] = (uint8_t)(i >> 8);
			key = loopguard_key(&none, f, lens[l]);
			if (!loopguard_repeated(g, key, 1000))
				loopguard_note(g, key, 1, 1000);
		}
		printf("loopguard: %zu-byte frame: captured %.1f ns, injected %.1f ns (%d echoes)\n",
		       lens[l], (t1 - t0) / n, (now_ns() - t1) / n, hits);
	}
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_covers_prefix_length_and_gso),
		cmocka_unit_test(test_key_reads_past_128_and_the_last_bytes),
		cmocka_unit_test(test_key_covers_every_offload_field),
		cmocka_unit_test(test_hub_first_visit_passes),
		cmocka_unit_test(test_loop_second_visit_dropped),
		cmocka_unit_test(test_own_repetition_passes),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_ordinary_traffic_passes),
		cmocka_unit_test(test_fast_loop_is_cut),
		cmocka_unit_test(test_reset_copies_unreported),
		cmocka_unit_test(test_cost_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
