// SPDX-License-Identifier: GPL-2.0-or-later
/* test_penalty.c - unit tests of the failed-login delays */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/penalty.h"

static struct penalty_table table;

static struct in6_addr ip(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		fail_msg("bad test address %s", s);
	return a;
}

static int setup(void **state)
{
	memset(&table, 0, sizeof(table));
	return 0;
}

static void test_no_failure_no_wait(void **state)
{
	struct in6_addr a = ip("2001:db8::1");

	assert_int_equal(penalty_left(&table, &a, 1000), 0);
}

static void test_doubling_up_to_max(void **state)
{
	struct in6_addr a = ip("2001:db8::1");
	uint64_t now = 100000;

	/* Each failure, once the last wait is over: 250, 500, 1000, 2000, 4000, 5000, 5000. */
	static const uint64_t want[] = { 250, 500, 1000, 2000, 4000, 5000, 5000 };

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(penalty_fail(&table, &a, now), want[i]);
		assert_int_equal(penalty_left(&table, &a, now), want[i]);
		now += want[i];
		assert_int_equal(penalty_left(&table, &a, now), 0);
	}
}

static void test_failures_queue_up(void **state)
{
	struct in6_addr a = ip("2001:db8::1");

	/* Two failures at once: the second pushes the first's delay further. */
	assert_int_equal(penalty_fail(&table, &a, 1000), 250);
	assert_int_equal(penalty_fail(&table, &a, 1000), 750);
}

static void test_admit_one_at_a_time(void **state)
{
	struct in6_addr a = ip("2001:db8::1");

	penalty_fail(&table, &a, 1000);
	penalty_fail(&table, &a, 1000);     /* fails 2: next at 1750 */
	/* One attempt goes at 1750; the next waits the delay of the last failure (500 ms). */
	penalty_admit(&table, &a, 1750);
	assert_int_equal(penalty_left(&table, &a, 1750), 500);
}

static void test_other_address_unaffected(void **state)
{
	struct in6_addr a = ip("2001:db8::1"), b = ip("2001:db8::2");

	penalty_fail(&table, &a, 1000);
	assert_int_equal(penalty_left(&table, &b, 1000), 0);
}

static void test_forgive_and_forget(void **state)
{
	struct in6_addr a = ip("2001:db8::1");

	penalty_fail(&table, &a, 1000);
	penalty_forgive(&table, &a, 1000);
	assert_int_equal(penalty_left(&table, &a, 1000), 0);
	/* A minute without failure: the next failure costs the first delay again. */
	penalty_fail(&table, &a, 2000);
	penalty_fail(&table, &a, 2000);
	assert_int_equal(penalty_fail(&table, &a, 2000 + 2 * PENALTY_FORGET_MS), PENALTY_BASE_MS);
}

static void test_full_table_reuses_oldest(void **state)
{
	char s[64];
	struct in6_addr first = ip("2001:db8::1:0");

	penalty_fail(&table, &first, 10);
	for (unsigned int i = 1; i <= PENALTY_SLOTS; i++) {
		struct in6_addr a;

		snprintf(s, sizeof(s), "2001:db8::2:%x", i);
		a = ip(s);
		penalty_fail(&table, &a, 10 + i);
	}
	/* The oldest failure made room for the newest. */
	assert_int_equal(penalty_left(&table, &first, 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_failure_no_wait, setup),
		cmocka_unit_test_setup(test_doubling_up_to_max, setup),
		cmocka_unit_test_setup(test_failures_queue_up, setup),
		cmocka_unit_test_setup(test_admit_one_at_a_time, setup),
		cmocka_unit_test_setup(test_other_address_unaffected, setup),
		cmocka_unit_test_setup(test_forgive_and_forget, setup),
		cmocka_unit_test_setup(test_full_table_reuses_oldest, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
