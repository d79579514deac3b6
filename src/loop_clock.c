// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loop_clock.c - the loop's clock, in a file of its own
 *
 * Apart from loop.c so that every caller, the loop included, reaches it
 * through the linker: the unit tests replace it with a fake clock
 * (-Wl,--wrap=loop_now_ms, tests/unit/harness.c) to step over deadlines
 * without waiting for them.
 *
 * While the loop dispatches one round's events, the clock is read once and
 * held: a small frame's path asks for the time several times, and each
 * reading costs about as much as stamping the frame. A round lasts well
 * under a millisecond, the clock's unit.
 */
#include <stdbool.h>
#include <time.h>

#include "vnet/loop.h"

static __thread bool held;
static __thread uint64_t held_ms;

static uint64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t loop_now_ms(void)
{
	return held ? held_ms : clock_ms();
}

void loop_clock_hold(bool on)
{
	held = false;
	if (on) {
		held_ms = clock_ms();
		held = true;
	}
}

void loop_clock_refresh(void)
{
	if (held)
		held_ms = clock_ms();
}
