// SPDX-License-Identifier: GPL-2.0-or-later
/* test_admit.c - unit tests of the prefix accounting and of whom a full table closes */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/admit.h"

/* An address as the daemon holds it: IPv6, or IPv4 mapped into IPv6. */
static struct in6_addr ip(const char *s)
{
	struct in6_addr a;
	char mapped[64];

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, &a) != 1)
			fail_msg("bad test address %s", s);
		return a;
	}
	snprintf(mapped, sizeof(mapped), "::ffff:%s", s);
	if (inet_pton(AF_INET6, mapped, &a) != 1)
		fail_msg("bad test address %s", s);
	return a;
}

static struct in6_addr prefix_of(const char *s)
{
	struct in6_addr a = ip(s), p;

	memset(&p, 0xa5, sizeof(p));
	admit_prefix(&a, &p);
	return p;
}

static void expect_prefix(const char *addr, const char *want)
{
	struct in6_addr p = prefix_of(addr), w = ip(want);

	if (!admit_same(&p, &w)) {
		char got[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, &p, got, sizeof(got));
		fail_msg("prefix of %s: %s, expected %s", addr, got, want);
	}
}

static void test_prefix_ipv4_is_slash24(void **state)
{
	expect_prefix("198.18.0.101", "198.18.0.0");
	expect_prefix("198.18.0.255", "198.18.0.0");
	expect_prefix("198.19.7.1", "198.19.7.0");
	expect_prefix("0.0.0.0", "0.0.0.0");
	expect_prefix("255.255.255.255", "255.255.255.0");
}

static void test_prefix_ipv6_is_slash64(void **state)
{
	expect_prefix("fd00:1:2:3:4:5:6:7", "fd00:1:2:3::");
	expect_prefix("fd00:1:2:3::1", "fd00:1:2:3::");
	expect_prefix("2001:db8::ffff:ffff:ffff:ffff", "2001:db8::");
	expect_prefix("::1", "::");
	expect_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff::");
}

static void test_prefix_groups(void **state)
{
	struct in6_addr a = prefix_of("198.18.0.1"), b = prefix_of("198.18.0.200");
	struct in6_addr c = prefix_of("198.18.1.1"), d = prefix_of("fd00::1");
	struct in6_addr e = prefix_of("fd00::ffff:1"), f = prefix_of("fd00:0:0:1::1");

	assert_true(admit_same(&a, &b));
	assert_false(admit_same(&a, &c));
	assert_true(admit_same(&d, &e));
	assert_false(admit_same(&d, &f));
	/* An IPv4 /24 is never an IPv6 /64 (the mapped form keeps ::ffff:). */
	assert_false(admit_same(&a, &d));
}

/* admit_victim over addrs, oldest first. */
static size_t victim(const char *const *addrs, size_t n)
{
	struct in6_addr p[ADMIT_MAX];

	for (size_t i = 0; i < n; i++)
		p[i] = ip(addrs[i]);
	return admit_victim(p, n);
}

static void test_victim_none(void **state)
{
	struct in6_addr p[1] = { IN6ADDR_ANY_INIT };

	assert_int_equal(admit_victim(p, 0), 0);
}

static void test_victim_single(void **state)
{
	const char *a[] = { "198.19.0.5" };

	assert_int_equal(victim(a, 1), 0);
}

static void test_victim_from_the_biggest_prefix(void **state)
{
	/* The good client came first: the flood's /24 loses its oldest. */
	const char *a[] = { "198.19.0.5", "198.18.0.101", "198.18.0.102", "198.18.0.103",
			    "198.19.1.9", "198.18.0.101" };

	assert_int_equal(victim(a, 6), 1);
}

static void test_victim_ipv6_slash64(void **state)
{
	const char *a[] = { "fd00:2::10", "fd00:1::101", "fd00:1::102", "fd00:1:0:0:ffff::1" };

	assert_int_equal(victim(a, 4), 1);
}

static void test_victim_tie_oldest_first(void **state)
{
	/* Two prefixes with two each: the one whose oldest came first. */
	const char *a[] = { "198.18.5.1", "198.18.0.1", "198.18.0.2", "198.18.5.2", "10.0.0.1" };
	const char *b[] = { "10.0.0.1", "198.18.0.1", "198.18.5.1", "198.18.5.2", "198.18.0.2" };

	assert_int_equal(victim(a, 5), 0);
	assert_int_equal(victim(b, 5), 1);
}

static void test_victim_all_distinct(void **state)
{
	const char *a[] = { "10.0.1.1", "10.0.2.1", "10.0.3.1" };

	assert_int_equal(victim(a, 3), 0);
}

static void test_victim_full_table(void **state)
{
	/* 255 from one /64 after one client from elsewhere: never the client. */
	struct in6_addr p[ADMIT_MAX];
	struct in6_addr good = ip("198.19.0.2");
	char s[64];

	p[0] = good;
	for (size_t i = 1; i < ADMIT_MAX; i++) {
		snprintf(s, sizeof(s), "fd00:1::%zx", i);
		p[i] = ip(s);
	}
	assert_int_equal(admit_victim(p, ADMIT_MAX), 1);
	/* More than the table holds: only the first ADMIT_MAX count. */
	assert_int_equal(admit_victim(p, ADMIT_MAX + 10), 1);
}

/* One connection from each of n /64s of the /56 fd00:18:0:XX00::/56. */
static void fill_slash56(struct in6_addr *p, size_t from, size_t n)
{
	char s[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "fd00:18:0:%zx::%zx", (from + i) % 256, i + 2);
		p[from + i] = ip(s);
	}
}

static void test_victim_many_slash64_of_one_slash56(void **state)
{
	/* Every /64 holds one: the /56 that holds them all loses its oldest. */
	static const char *const good[] = { "198.19.0.2", "fd00:19::2", "fd00:18:0:100::2",
					    "fd00:18:1::2", "2001:db8::2" };
	struct in6_addr p[ADMIT_MAX];

	for (size_t g = 0; g < sizeof(good) / sizeof(good[0]); g++) {
		p[0] = ip(good[g]);
		fill_slash56(p, 1, ADMIT_MAX - 1);
		assert_int_equal(admit_victim(p, ADMIT_MAX), 1);
		/* The good one arrived last: still the flood's oldest. */
		fill_slash56(p, 0, ADMIT_MAX - 1);
		p[ADMIT_MAX - 1] = ip(good[g]);
		assert_int_equal(admit_victim(p, ADMIT_MAX), 0);
	}
}

static void test_victim_levels(void **state)
{
	/* /48: two from fd00:18:5::/48 against one from fd00:18:6::/48. */
	const char *a[] = { "fd00:18:6::1", "fd00:18:5:1::1", "fd00:18:5:2::1" };
	/* /32 first: fd00:18::/32 holds 3, though fd00:19:0:1::/64 holds 2. */
	const char *b[] = { "fd00:19:0:1::1", "fd00:19:0:1::2", "fd00:18:1::1", "fd00:18:2::1",
			    "fd00:18:3::1" };
	/* IPv4 /16 first: 198.18/16 holds 3 in three /24s, 10.0.0/24 two. */
	const char *c[] = { "10.0.0.1", "10.0.0.2", "198.18.1.1", "198.18.2.1", "198.18.3.1" };
	/* Inside one /24, the address that holds the most, not the oldest. */
	const char *d[] = { "198.18.0.104", "198.18.0.103", "198.18.0.103", "198.18.0.103" };
	/* A tie at /16 goes to the group whose oldest came first, then on down. */
	const char *e[] = { "10.1.0.1", "10.2.0.1", "10.2.0.2", "10.1.1.1" };

	assert_int_equal(victim(a, 3), 1);
	assert_int_equal(victim(b, 5), 2);
	assert_int_equal(victim(c, 5), 2);
	assert_int_equal(victim(d, 4), 1);
	assert_int_equal(victim(e, 4), 0);
}

static void test_victim_family_first(void **state)
{
	/* IPv4 and IPv6 are separate groups: the bigger family loses. */
	const char *a[] = { "198.19.0.2", "fd00:1::1", "fd00:2::1", "10.0.0.1", "fd00:3::1" };
	const char *b[] = { "fd00:19::2", "198.18.0.1", "10.0.0.1", "fd00:18::1", "172.16.0.1" };
	/* "::" (an unknown peer) is IPv6; ::ffff:0.0.0.0 is IPv4. */
	const char *c[] = { "::", "0.0.0.0", "0.0.0.1" };

	assert_int_equal(victim(a, 5), 1);
	assert_int_equal(victim(b, 5), 1);
	assert_int_equal(victim(c, 3), 1);
}

/*
 * Any mix of flood connections from one /56 (or one IPv4 /16), two or more,
 * and one client from elsewhere, in any order: never the client.
 */
static void test_victim_never_the_lone_client(void **state)
{
	static const char *const good[] = { "198.19.0.2", "fd00:19::2", "fd00:18:0:100::2",
					    "10.0.0.2" };
	struct in6_addr p[ADMIT_MAX];
	uint32_t x = 12345;
	char s[64];

	for (int round = 0; round < 2000; round++) {
		size_t n, at;
		bool v4 = round & 1;

		x = x * 1103515245 + 12345;
		n = 3 + (x >> 8) % (ADMIT_MAX - 2);
		at = (x >> 4) % n;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			if (v4)
				snprintf(s, sizeof(s), "198.18.%u.%u", (x >> 24) & 0xff, (x >> 16) & 0xff);
			else
				snprintf(s, sizeof(s), "fd00:18:0:%x:%x::%x", (x >> 24) & 0xff,
					 (x >> 8) & 0xffff, x & 0x3);
			p[i] = ip(s);
		}
		p[at] = ip(good[(round >> 1) % 4]);
		if (admit_victim(p, n) == at)
			fail_msg("round %d: the client at %zu of %zu was chosen", round, at, n);
	}
}

/*
 * admit_victims(k) picks what k calls of admit_victim would, each on what the
 * ones before it left (one sort instead of k): on random tables of both
 * families and many sizes, and asked for more than there are.
 */
static void test_victims_as_one_at_a_time(void **state)
{
	struct in6_addr p[ADMIT_MAX], left[ADMIT_MAX];
	size_t idx[ADMIT_MAX], out[ADMIT_MAX];
	uint32_t x = 777;
	char s[64];

	for (int round = 0; round < 300; round++) {
		size_t n, k, got, m;

		x = x * 1103515245 + 12345;
		n = 1 + (x >> 8) % ADMIT_MAX;
		k = 1 + (x >> 20) % 40;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			if ((x >> 30) & 1)
				snprintf(s, sizeof(s), "198.%u.%u.%u", 18 + ((x >> 28) & 1),
					 (x >> 24) & 3, (x >> 16) & 7);
			else
				snprintf(s, sizeof(s), "fd00:18:%x:%x::%x", (x >> 26) & 1,
					 (x >> 16) & 0x1ff, (x >> 8) & 3);
			p[i] = ip(s);
		}
		got = admit_victims(p, n, k, out);
		assert_int_equal(got, k < n ? k : n);
		memcpy(left, p, n * sizeof(p[0]));
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		m = n;
		for (size_t j = 0; j < got; j++) {
			size_t v = admit_victim(left, m);

			if (idx[v] != out[j])
				fail_msg("round %d, pick %zu of %zu: %zu, one at a time %zu", round, j,
					 got, out[j], idx[v]);
			memmove(&left[v], &left[v + 1], (m - v - 1) * sizeof(left[0]));
			memmove(&idx[v], &idx[v + 1], (m - v - 1) * sizeof(idx[0]));
			m--;
		}
	}
	assert_int_equal(admit_victims(p, 0, 3, out), 0);
	assert_int_equal(admit_victims(p, 5, 0, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_ipv4_is_slash24),
		cmocka_unit_test(test_prefix_ipv6_is_slash64),
		cmocka_unit_test(test_prefix_groups),
		cmocka_unit_test(test_victim_none),
		cmocka_unit_test(test_victim_single),
		cmocka_unit_test(test_victim_from_the_biggest_prefix),
		cmocka_unit_test(test_victim_ipv6_slash64),
		cmocka_unit_test(test_victim_tie_oldest_first),
		cmocka_unit_test(test_victim_all_distinct),
		cmocka_unit_test(test_victim_full_table),
		cmocka_unit_test(test_victim_many_slash64_of_one_slash56),
		cmocka_unit_test(test_victim_levels),
		cmocka_unit_test(test_victim_family_first),
		cmocka_unit_test(test_victim_never_the_lone_client),
		cmocka_unit_test(test_victims_as_one_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
