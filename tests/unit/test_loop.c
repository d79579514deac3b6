// SPDX-License-Identifier: GPL-2.0-or-later
/* test_loop.c - unit tests of the loop's timers (the heap) and of its waiting */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "vnet/common.h"
#include "vnet/loop.h"

/* A timer that notes the order in which it ran. */
struct probe {
	struct loop_timer timer;
	int id;
};

static struct loop L;
static int ran[4096];
static size_t nran;

static void probe_cb(struct loop_timer *t)
{
	ran[nran++] = container_of(t, struct probe, timer)->id;
}

static int setup(void **state)
{
	nran = 0;
	return loop_init(&L) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	loop_fini(&L);
	return 0;
}

static void probes_init(struct probe *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		loop_timer_init(&p[i].timer, probe_cb);
		p[i].id = (int)i;
	}
}

static void test_order(void **state)
{
	struct probe p[5];
	static const uint64_t when[] = { 50, 10, 40, 20, 30 };

	probes_init(p, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(loop_timer_set(&L, &p[i].timer, when[i]), 0);
	assert_int_equal(loop_timer_timeout(&L, 0), 10);
	loop_timer_expire(&L, 35);
	assert_int_equal(nran, 3);
	assert_int_equal(ran[0], 1);
	assert_int_equal(ran[1], 3);
	assert_int_equal(ran[2], 4);
	assert_false(loop_timer_pending(&p[1].timer));
	assert_true(loop_timer_pending(&p[0].timer));
	assert_int_equal(loop_timer_timeout(&L, 35), 5);
	loop_timer_expire(&L, 100);
	assert_int_equal(nran, 5);
	assert_int_equal(ran[3], 2);
	assert_int_equal(ran[4], 0);
	assert_int_equal(loop_timer_timeout(&L, 100), -1);
}

static void test_same_time_in_order_set(void **state)
{
	struct probe p[4];

	probes_init(p, 4);
	for (size_t i = 0; i < 4; i++)
		loop_timer_set(&L, &p[3 - i].timer, 7);
	loop_timer_expire(&L, 7);
	assert_int_equal(nran, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(ran[i], 3 - (int)i);
}

static void test_cancel(void **state)
{
	struct probe p[3];

	probes_init(p, 3);
	loop_timer_set(&L, &p[0].timer, 10);
	loop_timer_set(&L, &p[1].timer, 20);
	loop_timer_set(&L, &p[2].timer, 30);
	loop_timer_cancel(&L, &p[0].timer);
	loop_timer_cancel(&L, &p[0].timer);    /* twice: nothing */
	loop_timer_cancel(&L, &p[2].timer);
	assert_false(loop_timer_pending(&p[0].timer));
	assert_int_equal(loop_timer_timeout(&L, 0), 20);
	loop_timer_expire(&L, 1000);
	assert_int_equal(nran, 1);
	assert_int_equal(ran[0], 1);
}

static void test_rearm(void **state)
{
	struct probe p[2];

	probes_init(p, 2);
	loop_timer_set(&L, &p[0].timer, 10);
	loop_timer_set(&L, &p[1].timer, 20);
	loop_timer_set(&L, &p[0].timer, 30);    /* later: once only */
	assert_int_equal(L.ntimers, 2);
	loop_timer_expire(&L, 25);
	assert_int_equal(nran, 1);
	assert_int_equal(ran[0], 1);
	loop_timer_set(&L, &p[0].timer, 5);     /* earlier again */
	assert_int_equal(loop_timer_timeout(&L, 0), 5);
	loop_timer_expire(&L, 25);
	assert_int_equal(nran, 2);
	assert_int_equal(ran[1], 0);
}

/* A callback that sets its own timer for now runs once per expiry, not forever. */
static void again_cb(struct loop_timer *t)
{
	ran[nran++] = 99;
	loop_timer_set(&L, t, 0);
}

static void test_rearm_from_callback(void **state)
{
	struct loop_timer t;

	loop_timer_init(&t, again_cb);
	loop_timer_set(&L, &t, 0);
	loop_timer_expire(&L, 10);
	assert_int_equal(nran, 1);
	assert_true(loop_timer_pending(&t));
	loop_timer_cancel(&L, &t);
}

/* Among many armed timers, one that sets itself for now again still runs once a round. */
static void test_rearm_among_many(void **state)
{
	struct loop_timer idle[8], t;

	for (size_t i = 0; i < ARRAY_SIZE(idle); i++) {
		loop_timer_init(&idle[i], probe_cb);
		loop_timer_set(&L, &idle[i], 1000);
	}
	loop_timer_init(&t, again_cb);
	loop_timer_set(&L, &t, 0);
	loop_timer_expire(&L, 10);
	assert_int_equal(nran, 1);
	loop_timer_expire(&L, 10);
	assert_int_equal(nran, 2);
	loop_timer_cancel(&L, &t);
	for (size_t i = 0; i < ARRAY_SIZE(idle); i++)
		loop_timer_cancel(&L, &idle[i]);
}

/* Thousands of timers set, moved and cancelled in a scrambled order still run sorted. */
static void test_many(void **state)
{
	enum { N = 3000 };
	struct probe *p = calloc(N, sizeof(*p));
	uint64_t last = 0;
	size_t expect = 0;

	assert_non_null(p);
	probes_init(p, N);
	srandom(13);
	for (size_t i = 0; i < N; i++)
		loop_timer_set(&L, &p[i].timer, (uint64_t)(random() % 100000));
	for (size_t i = 0; i < N; i += 3)
		loop_timer_set(&L, &p[i].timer, (uint64_t)(random() % 100000));
	for (size_t i = 1; i < N; i += 7)
		loop_timer_cancel(&L, &p[i].timer);
	for (size_t i = 0; i < N; i++)
		expect += loop_timer_pending(&p[i].timer);
	assert_int_equal(L.ntimers, expect);
	loop_timer_expire(&L, 100000);
	assert_int_equal(nran, expect);
	for (size_t i = 0; i < nran; i++) {
		uint64_t when = p[ran[i]].timer.when;

		assert_true(when >= last);
		assert_int_not_equal(ran[i] % 7, 1);
		last = when;
	}
	assert_int_equal(loop_timer_timeout(&L, 0), -1);
	free(p);
}

/* loop_run sleeps until the earliest timer, whose callback can stop it. */
static void stop_cb(struct loop_timer *t)
{
	L.stop = true;
}

static void test_run_waits_for_timer(void **state)
{
	struct loop_timer t;
	uint64_t start = loop_now_ms();

	loop_timer_init(&t, stop_cb);
	loop_timer_set(&L, &t, start + 30);
	assert_int_equal(loop_run(&L), 0);
	assert_true(loop_now_ms() >= start + 30);
}

static uint64_t held_first, held_after_sleep;

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000 };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static void hold_cb(struct loop_timer *t)
{
	(void)t;
	held_first = loop_now_ms();
	sleep_ms(3);
	held_after_sleep = loop_now_ms();
}

/* Within a round, one reading of the clock; between rounds, the clock again. */
static void test_round_holds_clock(void **state)
{
	struct loop_timer t;
	uint64_t before = loop_now_ms(), after;

	loop_timer_init(&t, hold_cb);
	loop_timer_set(&L, &t, before);
	assert_true(loop_run_once(&L, 0) >= 0);
	assert_true(held_first >= before);
	assert_int_equal(held_after_sleep, held_first);
	after = loop_now_ms();
	assert_true(after >= held_first + 3);
	sleep_ms(3);
	assert_true(loop_now_ms() >= after + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_time_in_order_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_among_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_waits_for_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_holds_clock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
