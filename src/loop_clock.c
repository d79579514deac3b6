// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loop_clock.c - the loop's clock, in a file of its own
 *
 * Apart from loop.c so that every caller, the loop included, reaches it
 * through the linker: the unit tests replace it with a fake clock
 * (-Wl,--wrap=loop_now_ms, tests/unit/harness.c) to step over deadlines
 * without waiting for them.
 */
#include <time.h>

#include "vnet/loop.h"

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
