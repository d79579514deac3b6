/* SPDX-License-Identifier: GPL-2.0-or-later */
/* penalty.h - failed logins slow their source address down (pure) */
#ifndef VNET_PENALTY_H
#define VNET_PENALTY_H

#include <netinet/in.h>
#include <stdint.h>

/*
 * Each failure pushes the moment the next attempt from its address is looked
 * at further away (250 ms, doubling, at most 5 s a failure), so guesses from
 * one address, even on parallel connections, come one at a time. Sixty
 * seconds without a failure forgive it all. The table has a fixed number of
 * slots; a new address takes the one whose last failure is the oldest.
 */
#define PENALTY_SLOTS     256
#define PENALTY_BASE_MS   250
#define PENALTY_MAX_MS    5000
#define PENALTY_FORGET_MS 60000

struct penalty {
	struct in6_addr ip;
	unsigned int fails;
	uint64_t next_ok, last_fail;
};

struct penalty_table {
	struct penalty slot[PENALTY_SLOTS];
};

/* Milliseconds the next attempt from ip must wait (0: none). */
uint64_t penalty_left(struct penalty_table *t, const struct in6_addr *ip, uint64_t now);
/*
 * A waiting attempt from a penalized address goes ahead: the next one waits
 * another delay, so parallel connections are let in one at a time.
 */
void penalty_admit(struct penalty_table *t, const struct in6_addr *ip, uint64_t now);
/* An attempt from ip failed: returns how long the next one waits. */
uint64_t penalty_fail(struct penalty_table *t, const struct in6_addr *ip, uint64_t now);
/* ip logged in: its failures are forgotten. */
void penalty_forgive(struct penalty_table *t, const struct in6_addr *ip, uint64_t now);

#endif
