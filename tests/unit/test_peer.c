// SPDX-License-Identifier: GPL-2.0-or-later
/* test_peer.c - unit tests of the per-peer accounting of queued bytes */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/peer.h"

static struct peer_table table;

static int setup(void **state)
{
	memset(&table, 0, sizeof(table));
	return 0;
}

static void test_one_peer_per_address(void **state)
{
	struct peer *a = peer_get(&table, "198.19.0.1"), *b = peer_get(&table, "198.19.0.1");
	struct peer *c = peer_get(&table, "2001:db8::1");

	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, c);
	assert_int_equal(table.n, 2);
	assert_int_equal(a->refs, 2);
	peer_put(&table, a);
	assert_int_equal(table.n, 2);
	peer_put(&table, b);
	assert_int_equal(table.n, 1);
	peer_put(&table, c);
	assert_int_equal(table.n, 0);
	peer_put(&table, NULL);     /* a handler without a peer */
}

/* Many handlers toward one peer share its bound: together they fill it, then none fits. */
static void test_handlers_share_the_bound(void **state)
{
	struct peer *p = peer_get(&table, "198.19.0.2");
	size_t charged[64] = { 0 }, each = PEER_BYTES_MAX / 64;

	for (int i = 0; i < 64; i++) {
		assert_true(peer_fits(p, PEER_TX, each));
		peer_charge(p, PEER_TX, &charged[i], each);
	}
	assert_int_equal(p->held[PEER_TX], 64 * each);
	assert_false(peer_fits(p, PEER_TX, PEER_BYTES_MAX - 64 * each + 1));
	assert_false(peer_fits(p, PEER_TX, 65536));
	/* One drains: room again, for anyone of the peer. */
	peer_charge(p, PEER_TX, &charged[7], 0);
	assert_true(peer_fits(p, PEER_TX, each));
	assert_int_equal(p->held[PEER_TX], 63 * each);
	/* Another peer is not concerned. */
	struct peer *q = peer_get(&table, "198.19.0.3");

	assert_true(peer_fits(q, PEER_TX, PEER_BYTES_MAX));
	assert_false(peer_fits(q, PEER_TX, PEER_BYTES_MAX + 1));
	/* Receive memory has a bound of its own: full queues toward it leave it whole. */
	size_t rx = 0;

	assert_true(peer_fits(p, PEER_RX, PEER_BYTES_MAX));
	peer_charge(p, PEER_RX, &rx, PEER_BYTES_MAX);
	assert_false(peer_fits(p, PEER_RX, 1));
	assert_true(peer_fits(p, PEER_RX, 0));
	peer_charge(p, PEER_RX, &rx, 0);
	for (int i = 0; i < 64; i++)
		peer_charge(p, PEER_TX, &charged[i], 0);
	assert_int_equal(p->held[PEER_TX], 0);
	peer_put(&table, p);
	peer_put(&table, q);
	assert_true(peer_fits(NULL, PEER_TX, PEER_BYTES_MAX + 1));  /* no peer: not bounded here */
}

/*
 * Four handlers of a peer whose queues stall hold its PEER_BYTES_MAX: a
 * fifth handler of that peer, whose queue is empty, still takes frames (its
 * share); the stalled ones, at their share or past it, do not; nor does a
 * receive queue that would pass its share (what it would hold as own).
 */
static void test_share_of_the_bound(void **state)
{
	struct peer *p = NULL;
	size_t stalled[4] = { 0 }, honest = 0, rx = 0, share;

	for (int i = 0; i < 5; i++)
		p = peer_get(&table, "198.19.0.2");
	share = PEER_BYTES_MAX / 5;
	for (int i = 0; i < 4; i++)
		peer_charge(p, PEER_TX, &stalled[i], PEER_BYTES_MAX / 4);
	assert_false(peer_fits(p, PEER_TX, 65536));
	for (int i = 0; i < 4; i++)
		assert_false(peer_may_take(p, PEER_TX, stalled[i], 65536));
	assert_true(peer_may_take(p, PEER_TX, honest, 65536));
	peer_charge(p, PEER_TX, &honest, share - 1);
	assert_true(peer_may_take(p, PEER_TX, honest, 65536));    /* one more, past its share */
	peer_charge(p, PEER_TX, &honest, share);
	assert_false(peer_may_take(p, PEER_TX, honest, 65536));
	/* Within the bound again: anyone takes, whatever it holds. */
	peer_charge(p, PEER_TX, &stalled[0], 0);
	assert_true(peer_may_take(p, PEER_TX, stalled[1], 65536));
	/* Receive memory: a page for an idle link, not a large queue past its share. */
	peer_charge(p, PEER_RX, &rx, PEER_BYTES_MAX);
	assert_true(peer_may_take(p, PEER_RX, 0 + 4096, 4096));
	assert_false(peer_may_take(p, PEER_RX, 4096 + share, share));
	/* Fewer handlers of the peer, a larger share each. */
	for (int i = 0; i < 3; i++)
		peer_put(&table, p);
	assert_true(peer_may_take(p, PEER_RX, PEER_BYTES_MAX / 2 - 1, 1));
	assert_false(peer_may_take(p, PEER_RX, PEER_BYTES_MAX / 2, 1));
	assert_true(peer_may_take(NULL, PEER_RX, PEER_BYTES_MAX, PEER_BYTES_MAX + 1));
	peer_charge(p, PEER_RX, &rx, 0);
	for (int i = 0; i < 4; i++)
		peer_charge(p, PEER_TX, &stalled[i], 0);
	peer_charge(p, PEER_TX, &honest, 0);
	assert_int_equal(p->held[PEER_TX], 0);
	peer_put(&table, p);
	peer_put(&table, p);
	assert_int_equal(table.n, 0);
}

/* Addresses in the same bucket stay apart, and leave in any order. */
static void test_many_addresses(void **state)
{
	struct peer *p[3000];
	char addr[32];

	for (int i = 0; i < 3000; i++) {
		snprintf(addr, sizeof(addr), "198.18.%d.%d", i / 250, i % 250);
		p[i] = peer_get(&table, addr);
		assert_non_null(p[i]);
	}
	assert_int_equal(table.n, 3000);
	for (int i = 0; i < 3000; i += 2)
		peer_put(&table, p[i]);
	for (int i = 1; i < 3000; i += 2) {
		snprintf(addr, sizeof(addr), "198.18.%d.%d", i / 250, i % 250);
		assert_ptr_equal(peer_get(&table, addr), p[i]);
		peer_put(&table, p[i]);
		peer_put(&table, p[i]);
	}
	assert_int_equal(table.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_peer_per_address, setup),
		cmocka_unit_test_setup(test_handlers_share_the_bound, setup),
		cmocka_unit_test_setup(test_share_of_the_bound, setup),
		cmocka_unit_test_setup(test_many_addresses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
