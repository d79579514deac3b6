// SPDX-License-Identifier: GPL-2.0-or-later
/* test_port.c - unit tests of what a port's receive errors mean, and of adding its counters */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/port.h"

/* A frame the kernel cannot hand over is lost alone: the capture goes on. */
static void test_rx_frame_errors_skip(void **state)
{
	(void)state;
	assert_int_equal(port_rx_error(-EINVAL), PORT_RX_SKIP);   /* UFO from a guest */
	assert_int_equal(port_rx_error(-EIO), PORT_RX_SKIP);      /* shorter than its header */
}

/* Only a device that is gone ends the capture. */
static void test_rx_gone(void **state)
{
	(void)state;
	assert_int_equal(port_rx_error(-ENODEV), PORT_RX_GONE);
	assert_int_equal(port_rx_error(-ENXIO), PORT_RX_GONE);
	assert_int_equal(port_rx_error(-EBADFD), PORT_RX_GONE);
}

static void test_rx_known(void **state)
{
	(void)state;
	assert_int_equal(port_rx_error(-EAGAIN), PORT_RX_AGAIN);
	assert_int_equal(port_rx_error(-ENETDOWN), PORT_RX_DOWN);
	assert_int_equal(port_rx_error(-EMSGSIZE), PORT_RX_OVERSIZE);
}

/* Anything else is skipped, reading stopped until the next wake-up: never a closed handler. */
static void test_rx_unknown_is_odd(void **state)
{
	(void)state;
	assert_int_equal(port_rx_error(-ENOMEM), PORT_RX_ODD);
	assert_int_equal(port_rx_error(-EFAULT), PORT_RX_ODD);
	assert_int_equal(port_rx_error(-EPERM), PORT_RX_ODD);
}

static void test_stats_add(void **state)
{
	struct port_stats to = {
		.rx_frames = 1, .rx_bytes = 2, .tx_frames = 3, .tx_bytes = 4, .rx_oversize = 5,
		.tx_errors = 6, .queue_drops = 7, .device_drops = 8, .loop_drops = 9, .rx_errors = 10,
	};
	const struct port_stats from = {
		.rx_frames = 10, .rx_bytes = 20, .tx_frames = 30, .tx_bytes = 40, .rx_oversize = 50,
		.tx_errors = 60, .queue_drops = 70, .device_drops = 80, .loop_drops = 90,
		.rx_errors = 100,
	};

	(void)state;
	port_stats_add(&to, &from);
	assert_int_equal(to.rx_frames, 11);
	assert_int_equal(to.rx_bytes, 22);
	assert_int_equal(to.tx_frames, 33);
	assert_int_equal(to.tx_bytes, 44);
	assert_int_equal(to.rx_oversize, 55);
	assert_int_equal(to.tx_errors, 66);
	assert_int_equal(to.queue_drops, 77);
	assert_int_equal(to.device_drops, 88);
	assert_int_equal(to.loop_drops, 99);
	assert_int_equal(to.rx_errors, 110);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_frame_errors_skip),
		cmocka_unit_test(test_rx_gone),
		cmocka_unit_test(test_rx_known),
		cmocka_unit_test(test_rx_unknown_is_odd),
		cmocka_unit_test(test_stats_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
