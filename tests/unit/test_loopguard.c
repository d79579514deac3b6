// SPDX-License-Identifier: GPL-2.0-or-later
/* test_loopguard.c - unit tests of the table of recently injected frames */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
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

/* A frame injected comes back captured: an echo, within the window only. */
static void test_echo(void **state)
{
	struct loopguard *g = guard();
	unsigned long who = 0;
	uint8_t f[42], other[42];

	arp(f, 1);
	arp(other, 2);
	assert_false(loopguard_echo(g, &none, f, 42, 1000, &who));  /* nothing injected */
	loopguard_note(g, loopguard_key(&none, f, 42), 7, 1000);
	assert_true(loopguard_echo(g, &none, f, 42, 1001, &who));
	assert_int_equal(who, 7);
	assert_false(loopguard_echo(g, &none, other, 42, 1001, &who));
	assert_true(loopguard_echo(g, &none, f, 42, 1000 + LOOPGUARD_ECHO_MS - 1, &who));
	assert_false(loopguard_echo(g, &none, f, 42, 1000 + LOOPGUARD_ECHO_MS, &who));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_covers_prefix_length_and_gso),
		cmocka_unit_test(test_key_reads_past_128_and_the_last_bytes),
		cmocka_unit_test(test_key_covers_every_offload_field),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_ordinary_traffic_passes),
		cmocka_unit_test(test_fast_loop_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
