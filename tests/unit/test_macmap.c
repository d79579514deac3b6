// SPDX-License-Identifier: GPL-2.0-or-later
/* test_macmap.c - unit tests of a device's lookup from addresses to handlers */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/macmap.h"

#define IDS_MAX 4096

static struct mac_pattern pat(const char *s)
{
	struct mac_pattern p;
	const char *why;

	assert_true(mac_pattern_parse(s, &p, &why));
	return p;
}

static struct mac_pattern nth(uint32_t i)
{
	struct mac_pattern p = { { 0x02, 0x00, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
				   (uint8_t)i }, MAC_BITS };

	return p;
}

/* A frame dst -> src: its first 12 octets. */
static void eth_of(uint8_t eth[12], const struct mac_pattern *dst, const struct mac_pattern *src)
{
	memcpy(eth, dst->b, 6);
	memcpy(eth + 6, src->b, 6);
}

/* The ids that lookup returns, as a set (each once: a second return fails). */
static size_t lookup_set(struct macmap *m, const uint8_t *eth, bool *set)
{
	static uint32_t out[IDS_MAX];
	size_t n = macmap_lookup(m, eth, out, IDS_MAX);

	memset(set, 0, IDS_MAX * sizeof(*set));
	for (size_t i = 0; i < n; i++) {
		assert_true(out[i] < IDS_MAX);
		if (set[out[i]])
			fail_msg("id %u returned twice", out[i]);
		set[out[i]] = true;
	}
	return n;
}

static void test_exact_sides(void **state)
{
	struct macmap m = { 0 };
	struct mac_pattern a = pat("02:00:00:00:00:0a"), b = pat("02:00:00:00:00:0b");
	static bool set[IDS_MAX];
	uint8_t eth[12];

	assert_int_equal(macmap_add(&m, 1, MACMAP_DST, &a), 1);    /* new: the kernel needs it */
	assert_int_equal(macmap_add(&m, 2, MACMAP_SRC, &a), 1);    /* same address, other side */
	assert_int_equal(macmap_add(&m, 1, MACMAP_DST, &a), 0);    /* twice: nothing changes */
	assert_int_equal(macmap_entries(&m), 2);
	eth_of(eth, &a, &b);        /* to a: handler 1 (LOCAL) only */
	assert_int_equal(lookup_set(&m, eth, set), 1);
	assert_true(set[1]);
	eth_of(eth, &b, &a);        /* from a: handler 2 (REMOTE) only */
	assert_int_equal(lookup_set(&m, eth, set), 1);
	assert_true(set[2]);
	eth_of(eth, &a, &a);        /* both */
	assert_int_equal(lookup_set(&m, eth, set), 2);
	eth_of(eth, &b, &b);        /* neither */
	assert_int_equal(lookup_set(&m, eth, set), 0);
	assert_int_equal(macmap_del(&m, 1, MACMAP_DST, &a), 1);    /* gone: the kernel drops it */
	assert_int_equal(macmap_del(&m, 1, MACMAP_DST, &a), -ENOENT);
	eth_of(eth, &a, &b);
	assert_int_equal(lookup_set(&m, eth, set), 0);
	macmap_free(&m);
}

/* A broadcast listed by many, and a handler matched by an address and a pattern: once each. */
static void test_exactly_once(void **state)
{
	struct macmap m = { 0 };
	struct mac_pattern bc = pat("ff:ff:ff:ff:ff:ff"), mc = pat("33:33:00:00:00:00/16"),
			   all_mc = pat("01:00:00:00:00:00/8"), any = pat("00:00:00:00:00:00/0");
	struct mac_pattern v6 = pat("33:33:00:00:00:01"), src = nth(7);
	static bool set[IDS_MAX];
	uint8_t eth[12];

	for (uint32_t id = 0; id < 300; id++)
		assert_int_equal(macmap_add(&m, id, MACMAP_DST, &bc), id == 0);
	assert_int_equal(macmap_entries(&m), 1);
	eth_of(eth, &bc, &src);
	assert_int_equal(lookup_set(&m, eth, set), 300);
	/* Handler 5: the exact address and a pattern that covers it, and a second pattern. */
	assert_int_equal(macmap_add(&m, 5, MACMAP_DST, &v6), 1);
	assert_int_equal(macmap_add(&m, 5, MACMAP_DST, &mc), 1);
	assert_int_equal(macmap_add(&m, 6, MACMAP_DST, &mc), 0);   /* shared pattern */
	assert_int_equal(macmap_add(&m, 7, MACMAP_SRC, &any), 1);  /* everything, by source */
	assert_int_equal(macmap_add(&m, 7, MACMAP_DST, &all_mc), 1);
	eth_of(eth, &v6, &src);
	assert_int_equal(lookup_set(&m, eth, set), 3);
	assert_true(set[5] && set[6] && set[7]);
	/* 01:... is not IPv6 multicast: only 7 (by source and by its /8). */
	eth_of(eth, &all_mc, &src);
	assert_int_equal(lookup_set(&m, eth, set), 1);
	assert_true(set[7]);
	assert_int_equal(macmap_del(&m, 5, MACMAP_DST, &mc), 0);   /* 6 still lists it */
	eth_of(eth, &v6, &src);
	assert_int_equal(lookup_set(&m, eth, set), 3);          /* 5 by its exact address */
	assert_int_equal(macmap_del(&m, 6, MACMAP_DST, &mc), 1);
	assert_int_equal(macmap_del(&m, 5, MACMAP_DST, &v6), 1);
	assert_int_equal(lookup_set(&m, eth, set), 1);
	assert_int_equal(macmap_del(&m, 7, MACMAP_SRC, &any), 1);
	assert_int_equal(macmap_del(&m, 7, MACMAP_DST, &all_mc), 1);
	assert_int_equal(lookup_set(&m, eth, set), 0);
	macmap_free(&m);
}

/* 4,096 handlers of one address each, then every other one gone: the table stays right. */
static void test_many(void **state)
{
	struct macmap m = { 0 };
	struct mac_pattern other = nth(99999);
	static bool set[IDS_MAX];
	uint8_t eth[12];

	for (uint32_t id = 0; id < IDS_MAX; id++) {
		struct mac_pattern p = nth(id), q = nth(id + IDS_MAX);

		assert_int_equal(macmap_add(&m, id, MACMAP_DST, &p), 1);
		assert_int_equal(macmap_add(&m, id, MACMAP_SRC, &q), 1);
	}
	assert_int_equal(macmap_entries(&m), 2 * IDS_MAX);
	for (uint32_t id = 0; id < IDS_MAX; id += 2) {
		struct mac_pattern p = nth(id), q = nth(id + IDS_MAX);

		assert_int_equal(macmap_del(&m, id, MACMAP_DST, &p), 1);
		assert_int_equal(macmap_del(&m, id, MACMAP_SRC, &q), 1);
	}
	for (uint32_t id = 0; id < IDS_MAX; id++) {
		struct mac_pattern p = nth(id), q = nth(id + IDS_MAX);
		size_t want = id % 2;

		eth_of(eth, &p, &other);
		assert_int_equal(lookup_set(&m, eth, set), want);
		assert_true(set[id] == (want == 1));
		eth_of(eth, &other, &q);
		assert_int_equal(lookup_set(&m, eth, set), want);
		eth_of(eth, &p, &q);    /* listed twice by the same handler: once */
		assert_int_equal(lookup_set(&m, eth, set), want);
	}
	assert_int_equal(macmap_entries(&m), IDS_MAX);
	macmap_free(&m);
}

/* The output is bounded by cap. */
static void test_cap(void **state)
{
	struct macmap m = { 0 };
	struct mac_pattern bc = pat("ff:ff:ff:ff:ff:ff"), src = nth(1);
	uint32_t out[4];
	uint8_t eth[12];

	for (uint32_t id = 0; id < 10; id++)
		assert_true(macmap_add(&m, id, MACMAP_DST, &bc) >= 0);
	eth_of(eth, &bc, &src);
	assert_int_equal(macmap_lookup(&m, eth, out, 4), 4);
	macmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_sides),
		cmocka_unit_test(test_exactly_once),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
