// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * penalty.c - failed logins slow their source address down
 *
 * A wrong password (or a failed TLS handshake in key mode, the same guess)
 * costs its address a delay before its next attempt is looked at; the
 * session waits it out without reading (session.c). Pure: the time is given.
 */
#include <stdbool.h>
#include <string.h>

#include "vnet/penalty.h"

static struct penalty *penalty_find(struct penalty_table *t, const struct in6_addr *ip,
				    bool create, uint64_t now)
{
	struct penalty *oldest = &t->slot[0];

	for (size_t i = 0; i < PENALTY_SLOTS; i++) {
		struct penalty *p = &t->slot[i];

		if (p->fails && now - p->last_fail > PENALTY_FORGET_MS && now > p->next_ok &&
		    now - p->next_ok > PENALTY_FORGET_MS)
			memset(p, 0, sizeof(*p));
		if (p->fails && !memcmp(&p->ip, ip, sizeof(*ip)))
			return p;
		if (p->last_fail < oldest->last_fail)
			oldest = p;
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	oldest->ip = *ip;
	return oldest;
}

/* The delay after fails failures: 250 ms doubling, at most 5 s. */
static uint64_t penalty_delay(unsigned int fails)
{
	unsigned int shift = fails < 5 ? fails : 5;
	uint64_t delay = (uint64_t)PENALTY_BASE_MS << shift;

	return delay > PENALTY_MAX_MS ? PENALTY_MAX_MS : delay;
}

uint64_t penalty_left(struct penalty_table *t, const struct in6_addr *ip, uint64_t now)
{
	struct penalty *p = penalty_find(t, ip, false, now);

	return p && p->next_ok > now ? p->next_ok - now : 0;
}

void penalty_admit(struct penalty_table *t, const struct in6_addr *ip, uint64_t now)
{
	struct penalty *p = penalty_find(t, ip, false, now);

	if (p)
		p->next_ok = now + penalty_delay(p->fails - 1);
}

uint64_t penalty_fail(struct penalty_table *t, const struct in6_addr *ip, uint64_t now)
{
	struct penalty *p = penalty_find(t, ip, true, now);
	uint64_t delay = penalty_delay(p->fails);

	p->fails++;
	p->last_fail = now;
	p->next_ok = (p->next_ok > now ? p->next_ok : now) + delay;
	return p->next_ok - now;
}

void penalty_forgive(struct penalty_table *t, const struct in6_addr *ip, uint64_t now)
{
	struct penalty *p = penalty_find(t, ip, false, now);

	if (p)
		memset(p, 0, sizeof(*p));
}
