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

/* admit_victim over the prefixes of addrs, oldest first. */
static size_t victim(const char *const *addrs, size_t n)
{
	struct in6_addr p[ADMIT_MAX];

	for (size_t i = 0; i < n; i++)
		p[i] = prefix_of(addrs[i]);
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
	struct in6_addr good = prefix_of("198.19.0.2");
	char s[64];

	p[0] = good;
	for (size_t i = 1; i < ADMIT_MAX; i++) {
		snprintf(s, sizeof(s), "fd00:1::%zx", i);
		p[i] = prefix_of(s);
	}
	assert_int_equal(admit_victim(p, ADMIT_MAX), 1);
	/* More than the table holds: only the first ADMIT_MAX count. */
	assert_int_equal(admit_victim(p, ADMIT_MAX + 10), 1);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
