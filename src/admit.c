// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * admit.c - who makes room for a new control connection
 *
 * Connections that have not logged in are accounted per network, not per
 * address, and at several sizes: an IPv4 /16, /24 and address, an IPv6 /32,
 * /48, /56, /64 and address. When one must go, the biggest group at the
 * coarsest level is narrowed down level by level, so a flood from many
 * addresses, even from many /64s of one home /56, only ever pushes its own
 * connections out, never those of a client from another network.
 */
#include <stdint.h>
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

/*
 * An address as two 64-bit halves in network order, its family apart, and
 * its age (its index: the smaller, the older).
 */
struct admit_key {
	bool v4;
	uint64_t hi, lo;
	size_t age;
};

/* A level: the leading bits compared, as masks of the two halves. */
struct admit_level {
	uint64_t hi, lo;
};

/* The levels after the family, coarsest first (an IPv4 address is mapped). */
static const struct admit_level levels_v4[] = {
	{ UINT64_MAX, 0xffffffffffff0000 },     /* /16 */
	{ UINT64_MAX, 0xffffffffffffff00 },     /* /24 */
	{ UINT64_MAX, UINT64_MAX },             /* the address */
};
static const struct admit_level levels_v6[] = {
	{ 0xffffffff00000000, 0 },              /* /32 */
	{ 0xffffffffffff0000, 0 },              /* /48 */
	{ 0xffffffffffffff00, 0 },              /* /56 */
	{ UINT64_MAX, 0 },                      /* /64 */
	{ UINT64_MAX, UINT64_MAX },             /* the address */
};
static const struct admit_level level_family = { 0, 0 };

static uint64_t half(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static bool same_group(const struct admit_key *a, const struct admit_key *b,
		       const struct admit_level *l)
{
	return a->v4 == b->v4 && !((a->hi ^ b->hi) & l->hi) && !((a->lo ^ b->lo) & l->lo);
}

/*
 * Order by family, then address, then age: every group of every level is a
 * run of this order.
 */
static bool before(const struct admit_key *a, const struct admit_key *b)
{
	if (a->v4 != b->v4)
		return a->v4 < b->v4;
	if (a->hi != b->hi)
		return a->hi < b->hi;
	if (a->lo != b->lo)
		return a->lo < b->lo;
	return a->age < b->age;
}

static void sift_down(struct admit_key *k, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		struct admit_key t;

		if (child + 1 < n && before(&k[child], &k[child + 1]))
			child++;
		if (!before(&k[root], &k[child]))
			return;
		t = k[root];
		k[root] = k[child];
		k[child] = t;
	}
}

/*
 * Heapsort, in place: under a flood of connections this runs for every few
 * accepted, and qsort would malloc and free its scratch space each time.
 */
static void sort_keys(struct admit_key *k, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(k, i, n);
	for (size_t end = n; end-- > 1;) {
		struct admit_key t = k[0];

		k[0] = k[end];
		k[end] = t;
		sift_down(k, 0, end);
	}
}

/*
 * Narrow k[*lo..*hi) down to its biggest group of level l, or of those as big
 * the one whose oldest came first.
 */
static void narrow(const struct admit_key *k, size_t *lo, size_t *hi, const struct admit_level *l)
{
	size_t best_lo = *lo, best_hi = *lo, best_oldest = SIZE_MAX;

	for (size_t run = *lo; run < *hi;) {
		size_t end = run, oldest = SIZE_MAX;

		while (end < *hi && same_group(&k[end], &k[run], l)) {
			if (k[end].age < oldest)
				oldest = k[end].age;
			end++;
		}
		if (end - run > best_hi - best_lo ||
		    (end - run == best_hi - best_lo && oldest < best_oldest)) {
			best_lo = run;
			best_hi = end;
			best_oldest = oldest;
		}
		run = end;
	}
	*lo = best_lo;
	*hi = best_hi;
}

size_t admit_victims(const struct in6_addr *ips, size_t n, size_t count, size_t *out)
{
	struct admit_key k[ADMIT_MAX];
	size_t picked;

	if (!count)
		return 0;
	if (n > ADMIT_MAX)
		n = ADMIT_MAX;
	for (size_t i = 0; i < n; i++) {
		k[i].v4 = IN6_IS_ADDR_V4MAPPED(&ips[i]);
		k[i].hi = half(&ips[i].s6_addr[0]);
		k[i].lo = half(&ips[i].s6_addr[8]);
		k[i].age = i;
	}
	sort_keys(k, n);
	/* One sort, then each pick as if the ones before it were gone. */
	for (picked = 0; picked < count && n; picked++) {
		const struct admit_level *levels = levels_v6;
		size_t lo = 0, hi = n, nlevels = sizeof(levels_v6) / sizeof(levels_v6[0]);

		narrow(k, &lo, &hi, &level_family);
		if (k[lo].v4) {
			levels = levels_v4;
			nlevels = sizeof(levels_v4) / sizeof(levels_v4[0]);
		}
		for (size_t l = 0; l < nlevels; l++)
			narrow(k, &lo, &hi, &levels[l]);
		out[picked] = k[lo].age;    /* one address: its oldest comes first */
		memmove(&k[lo], &k[lo + 1], (n - lo - 1) * sizeof(k[0]));
		n--;
	}
	return picked;
}

size_t admit_victim(const struct in6_addr *ips, size_t n)
{
	size_t i;

	return admit_victims(ips, n, 1, &i) ? i : 0;
}
