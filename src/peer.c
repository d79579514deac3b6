// SPDX-License-Identifier: GPL-2.0-or-later
/* peer.c - what the handlers toward one peer daemon hold, in all (see peer.h) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/peer.h"

/* FNV-1a of the address's text. */
static size_t peer_hash(const char *addr)
{
	uint32_t h = 2166136261u;

	for (; *addr; addr++)
		h = (h ^ (uint8_t)*addr) * 16777619u;
	return h & (PEER_BUCKETS - 1);
}

struct peer *peer_get(struct peer_table *t, const char *addr)
{
	struct peer **b = &t->bucket[peer_hash(addr)], *p;

	for (p = *b; p; p = p->next) {
		if (!strcmp(p->addr, addr)) {
			p->refs++;
			return p;
		}
	}
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	p->refs = 1;
	p->next = *b;
	*b = p;
	t->n++;
	return p;
}

void peer_put(struct peer_table *t, struct peer *p)
{
	struct peer **pp;

	if (!p || --p->refs)
		return;
	for (pp = &t->bucket[peer_hash(p->addr)]; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			t->n--;
			break;
		}
	}
	free(p);
}

bool peer_fits(const struct peer *p, enum peer_dir dir, size_t n)
{
	return !p || (p->held[dir] <= PEER_BYTES_MAX && n <= PEER_BYTES_MAX - p->held[dir]);
}

bool peer_may_take(const struct peer *p, enum peer_dir dir, size_t own, size_t n)
{
	return peer_fits(p, dir, n) || own < PEER_BYTES_MAX / p->refs;
}

void peer_charge(struct peer *p, enum peer_dir dir, size_t *charged, size_t now)
{
	if (p)
		p->held[dir] = p->held[dir] - *charged + now;
	*charged = now;
}
