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
#include <time.h>
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

/* ---- a naive reference: every (id, side, pattern) in a list, each tested */

#define REF_MAX 4096
#define REF_IDS 48

struct ref_entry {
	uint32_t id;
	enum macmap_side side;
	struct mac_pattern p;
};

struct ref {
	struct ref_entry e[REF_MAX];
	size_t n;
};

static bool ref_same(const struct ref_entry *e, enum macmap_side side, const struct mac_pattern *p)
{
	return e->side == side && mac_pattern_equal(&e->p, p);
}

/* How many ids list (side, p), and whether id is one. */
static size_t ref_count(const struct ref *r, uint32_t id, enum macmap_side side,
			const struct mac_pattern *p, size_t *at)
{
	size_t n = 0;

	*at = SIZE_MAX;
	for (size_t i = 0; i < r->n; i++) {
		if (!ref_same(&r->e[i], side, p))
			continue;
		n++;
		if (r->e[i].id == id)
			*at = i;
	}
	return n;
}

static int ref_add(struct ref *r, uint32_t id, enum macmap_side side, const struct mac_pattern *p)
{
	size_t at, n = ref_count(r, id, side, p, &at);

	if (at != SIZE_MAX)
		return 0;
	assert_true(r->n < REF_MAX);
	r->e[r->n++] = (struct ref_entry){ id, side, *p };
	return n == 0;
}

static int ref_del(struct ref *r, uint32_t id, enum macmap_side side, const struct mac_pattern *p)
{
	size_t at, n = ref_count(r, id, side, p, &at);

	if (at == SIZE_MAX)
		return -ENOENT;
	r->e[at] = r->e[--r->n];
	return n == 1;
}

static size_t ref_entries(const struct ref *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		bool first = true;

		for (size_t j = 0; j < i && first; j++)
			first = !ref_same(&r->e[j], r->e[i].side, &r->e[i].p);
		n += first;
	}
	return n;
}

static void ref_lookup(const struct ref *r, const uint8_t *eth, bool *set)
{
	struct mac dst, src;

	memcpy(dst.b, eth, MAC_LEN);
	memcpy(src.b, eth + MAC_LEN, MAC_LEN);
	memset(set, 0, IDS_MAX * sizeof(*set));
	for (size_t i = 0; i < r->n; i++)
		if (mac_pattern_match(&r->e[i].p, r->e[i].side == MACMAP_DST ? &dst : &src))
			set[r->e[i].id] = true;
}

/* Few octet values and lengths, so that patterns are shared, nested and overlap. */
static void random_addr(uint8_t *b)
{
	static const uint8_t first[] = { 0x02, 0x33, 0xff, 0x01, 0x00 };

	b[0] = first[rand() % (int)ARRAY_SIZE(first)];
	for (size_t i = 1; i < MAC_LEN; i++)
		b[i] = (uint8_t)(rand() % 3 ? rand() % 4 : rand());
}

static struct mac_pattern random_pattern(void)
{
	static const uint8_t lens[] = { 0, 1, 7, 8, 9, 16, 24, 33, 40, 47, 48, 48, 48, 48 };
	struct mac_pattern p;

	random_addr(p.b);
	p.len = rand() % 4 ? lens[rand() % (int)ARRAY_SIZE(lens)] : (uint8_t)(rand() % 49);
	for (size_t i = 0; i < MAC_LEN; i++)
		p.b[i] &= mac_mask_octet(p.len, i);
	return p;
}

/* Random adds, removes and lookups: the same answers as the naive reference. */
static void test_random_reference(void **state)
{
	static struct ref r;
	static bool got[IDS_MAX], want[IDS_MAX];
	struct macmap m = { 0 };

	srand(20261206);
	r.n = 0;
	for (int op = 0; op < 40000; op++) {
		int what = rand() % 10;
		uint32_t id = (uint32_t)(rand() % REF_IDS);
		enum macmap_side side = rand() % 2 ? MACMAP_SRC : MACMAP_DST;
		struct mac_pattern p = random_pattern();
		uint8_t eth[12];

		if (what < 4 && r.n < 600) {
			assert_int_equal(macmap_add(&m, id, side, &p), ref_add(&r, id, side, &p));
		} else if (what < 7 && r.n) {
			/* Mostly a listed entry, else whatever came. */
			if (rand() % 4) {
				const struct ref_entry *e = &r.e[(size_t)rand() % r.n];

				id = e->id;
				side = e->side;
				p = e->p;
			}
			assert_int_equal(macmap_del(&m, id, side, &p), ref_del(&r, id, side, &p));
		}
		/* A frame near what is listed: a listed base, a random one or a mix. */
		random_addr(eth);
		random_addr(eth + MAC_LEN);
		if (r.n && rand() % 2)
			memcpy(eth + (rand() % 2 ? 0 : MAC_LEN), r.e[(size_t)rand() % r.n].p.b, 5);
		ref_lookup(&r, eth, want);
		lookup_set(&m, eth, got);
		if (memcmp(got, want, sizeof(got)))
			fail_msg("operation %d: lookup differs from the reference", op);
		if (op % 1000 == 0)
			assert_int_equal(macmap_entries(&m), ref_entries(&r));
	}
	assert_int_equal(macmap_entries(&m), ref_entries(&r));
	macmap_free(&m);
}

/* A distinct /40 pattern each: 0a:00:XX:XX:XX:00/40. */
static struct mac_pattern nth40(uint32_t i)
{
	struct mac_pattern p = { { 0x0a, 0x00, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 0 },
				 40 };

	return p;
}

#define MANY_PATTERNS 16383     /* 16 handlers of 1,023 patterns each, and one more */

/* 16,383 distinct /40 patterns and exact addresses: two lengths, two probes a frame. */
static void test_probes_bounded(void **state)
{
	struct macmap m = { 0 };
	struct mac_pattern src = nth(1);
	static bool set[IDS_MAX];
	uint8_t eth[12];

	for (uint32_t i = 0; i < MANY_PATTERNS; i++) {
		struct mac_pattern p = nth40(i);

		assert_int_equal(macmap_add(&m, i % 16, MACMAP_DST, &p), 1);
	}
	for (uint32_t id = 16; id < 32; id++) {
		struct mac_pattern p = nth(id);

		assert_int_equal(macmap_add(&m, id, MACMAP_DST, &p), 1);
	}
	for (uint32_t i = 0; i < MANY_PATTERNS; i += 1000) {
		struct mac_pattern dst = nth40(i);

		dst.b[5] = 0x42;    /* an address the pattern covers */
		eth_of(eth, &dst, &src);
		m.probes = 0;
		assert_int_equal(lookup_set(&m, eth, set), 1);
		assert_true(set[i % 16]);
		if (m.probes > 2)
			fail_msg("%llu probes for a frame with 2 lengths in use",
				 (unsigned long long)m.probes);
	}
	macmap_free(&m);
}

/* Not a test: ns per lookup with 1, 100 and 16,383 distinct /40 patterns, printed. */
static void test_bench_lookup(void **state)
{
	static const uint32_t counts[] = { 1, 100, MANY_PATTERNS };
	uint32_t out[64];

	for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
		struct macmap m = { 0 };
		struct mac_pattern src = nth(1);
		struct timespec t0, t1;
		uint8_t eth[12];
		size_t hits = 0;
		const int rounds = 20000;

		for (uint32_t i = 0; i < counts[c]; i++) {
			struct mac_pattern p = nth40(i);

			assert_true(macmap_add(&m, i % 16, MACMAP_DST, &p) == 1);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int k = 0; k < rounds; k++) {
			struct mac_pattern dst = nth40((uint32_t)k % counts[c]);

			dst.b[5] = (uint8_t)k;
			eth_of(eth, &dst, &src);
			hits += macmap_lookup(&m, eth, out, ARRAY_SIZE(out));
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_int_equal(hits, (size_t)rounds);
		print_message("macmap_lookup, %5u distinct /40 patterns: %8.1f ns a lookup\n", counts[c],
			      ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
			      rounds);
		macmap_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_sides),
		cmocka_unit_test(test_exactly_once),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_random_reference),
		cmocka_unit_test(test_probes_bounded),
		cmocka_unit_test(test_bench_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
