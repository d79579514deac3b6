// SPDX-License-Identifier: GPL-2.0-or-later
/* test_limits.c - unit tests of the limits on handlers and addresses, each at its edge */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/common.h"
#include "vnet/limits.h"

static void test_handlers(void **state)
{
	char why[160] = "";

	assert_true(limits_handler_fits(0, "eth0", 0, 1, why, sizeof(why)));
	assert_true(limits_handler_fits(VNET_HANDLERS_MAX - 1, "eth0", 0, 1, why, sizeof(why)));
	assert_false(limits_handler_fits(VNET_HANDLERS_MAX, "eth0", 0, 1, why, sizeof(why)));
	assert_string_equal(why, "too many handlers (at most 4096)");
}

static void test_addresses_per_handler(void **state)
{
	char why[160] = "";

	assert_true(limits_handler_fits(0, "eth0", 0, VNET_MACS_MAX, why, sizeof(why)));
	assert_false(limits_handler_fits(0, "eth0", 0, VNET_MACS_MAX + 1, why, sizeof(why)));
	assert_string_equal(why, "too many addresses (at most 1024)");
}

static void test_addresses_per_device(void **state)
{
	char why[160] = "";

	/* 16 handlers of 1,024 fill a device: the last one fits, one address more does not. */
	assert_true(limits_handler_fits(15, "eth0", 15 * VNET_MACS_MAX, VNET_MACS_MAX, why,
					sizeof(why)));
	assert_false(limits_handler_fits(16, "eth0", 16 * VNET_MACS_MAX, 1, why, sizeof(why)));
	assert_string_equal(why, "too many addresses on device eth0: its handlers list 16384, "
			    "at most 16384 in all");
	assert_true(limits_handler_fits(16, "eth0", VNET_DEV_MACS_MAX - 1, 1, why, sizeof(why)));
	assert_false(limits_handler_fits(16, "eth0", VNET_DEV_MACS_MAX - 1, 2, why, sizeof(why)));
	/* A count that is already wrong does not wrap around. */
	assert_false(limits_handler_fits(16, "eth0", VNET_DEV_MACS_MAX + 5, 1, why, sizeof(why)));
}

static void test_fds(void **state)
{
	assert_true(limits_fds_needed() >= 3ul * VNET_HANDLERS_MAX + VNET_CONN_MAX);
	/* What the packaged unit grants (LimitNOFILE=65536) is enough. */
	assert_true(limits_fds_needed() <= 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handlers),
		cmocka_unit_test(test_addresses_per_handler),
		cmocka_unit_test(test_addresses_per_device),
		cmocka_unit_test(test_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
