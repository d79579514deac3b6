// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * admit.c - who makes room for a new control connection
 *
 * Connections that have not logged in are accounted per network prefix
 * rather than per address: a /24 or a /64 is what one party easily holds,
 * so a flood from many addresses of it only ever pushes its own connections
 * out, never those of a client from elsewhere.
 */
#include <stdlib.h>
#include <string.h>

#include "vnet/admit.h"

void admit_prefix(const struct in6_addr *ip, struct in6_addr *prefix)
{
	*prefix = *ip;
	if (IN6_IS_ADDR_V4MAPPED(ip))
		prefix->s6_addr[15] = 0;
	else
		memset(&prefix->s6_addr[8], 0, 8);
}

bool admit_same(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Order by prefix, then by age (index): each prefix's oldest comes first. */
static int by_prefix(const void *x, const void *y, void *arg)
{
	const struct in6_addr *p = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = memcmp(&p[i], &p[j], sizeof(p[i]));

	if (c)
		return c;
	return i < j ? -1 : i > j;
}

size_t admit_victim(const struct in6_addr *prefixes, size_t n)
{
	size_t order[ADMIT_MAX], best = n, best_count = 0;

	if (n > ADMIT_MAX)
		n = ADMIT_MAX;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(order[0]), by_prefix, (void *)prefixes);
	for (size_t run = 0; run < n;) {
		size_t end = run + 1;

		while (end < n && admit_same(&prefixes[order[end]], &prefixes[order[run]]))
			end++;
		if (end - run > best_count || (end - run == best_count && order[run] < best)) {
			best_count = end - run;
			best = order[run];
		}
		run = end;
	}
	return best;
}
