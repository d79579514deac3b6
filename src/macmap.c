// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * macmap.c - a device's handlers by address: hash table of exact addresses, table of patterns
 *
 * A frame costs two hash probes (its destination on the LOCAL side, its
 * source on the REMOTE side), one pass over the distinct patterns (few:
 * 33:33:00:00:00:00/16 and the like, shared by every handler that lists
 * them) and one step per id returned. Ids are de-duplicated with a stamp
 * per id instead of a search of what was already returned.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/macmap.h"

#define SLOTS_MIN 64

struct macmap_slot {
	uint64_t key;           /* the address in the low 48 bits, the side above; 0: free */
	struct macmap_ids ids;
};

struct macmap_pat {
	struct mac_pattern p;
	enum macmap_side side;
	struct macmap_ids ids;
};

/* Side + 1 in bits 48-49: no used key is 0. */
static uint64_t slot_key(const uint8_t *mac, enum macmap_side side)
{
	uint64_t k = (uint64_t)side + 1;

	for (size_t i = 0; i < MAC_LEN; i++)
		k = k << 8 | mac[i];
	return k;
}

static size_t slot_hash(uint64_t key, size_t nslots)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 32;
	return (size_t)key & (nslots - 1);
}

static struct macmap_slot *slot_find(const struct macmap *m, uint64_t key)
{
	if (!m->nslots)
		return NULL;
	for (size_t i = slot_hash(key, m->nslots);; i = (i + 1) & (m->nslots - 1)) {
		if (m->slots[i].key == key)
			return &m->slots[i];
		if (!m->slots[i].key)
			return NULL;
	}
}

static struct macmap_slot *slot_insert(struct macmap_slot *slots, size_t nslots, uint64_t key)
{
	size_t i = slot_hash(key, nslots);

	while (slots[i].key)
		i = (i + 1) & (nslots - 1);
	slots[i].key = key;
	return &slots[i];
}

/* Keep the table at most half full. */
static int slots_grow(struct macmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : SLOTS_MIN;
	struct macmap_slot *s;

	if (2 * (m->nused + 1) <= m->nslots)
		return 0;
	if (!(s = calloc(n, sizeof(*s))))
		return -ENOMEM;
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].key)
			slot_insert(s, n, m->slots[i].key)->ids = m->slots[i].ids;
	free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

/* Remove slot i, moving back the entries of its probe run that would no longer be found. */
static void slot_remove(struct macmap *m, size_t i)
{
	size_t mask = m->nslots - 1;

	for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = slot_hash(m->slots[j].key, m->nslots);

		/* j may move to i if its home is not in (i, j] (cyclically). */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->nused--;
}

static bool ids_has(const struct macmap_ids *ids, uint32_t id)
{
	for (uint32_t i = 0; i < ids->n; i++)
		if (ids->v[i] == id)
			return true;
	return false;
}

static int ids_add(struct macmap_ids *ids, uint32_t id)
{
	if (ids->n == ids->cap) {
		uint32_t cap = ids->cap ? ids->cap * 2 : 4;
		uint32_t *v = realloc(ids->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

static int ids_del(struct macmap_ids *ids, uint32_t id)
{
	for (uint32_t i = 0; i < ids->n; i++) {
		if (ids->v[i] == id) {
			ids->v[i] = ids->v[--ids->n];
			return 0;
		}
	}
	return -ENOENT;
}

static int stamp_room(struct macmap *m, uint32_t id)
{
	size_t n = m->nstamp ? m->nstamp : 64;
	uint32_t *s;

	if (id < m->nstamp)
		return 0;
	while (n <= id)
		n *= 2;
	if (!(s = realloc(m->stamp, n * sizeof(*s))))
		return -ENOMEM;
	memset(s + m->nstamp, 0, (n - m->nstamp) * sizeof(*s));
	m->stamp = s;
	m->nstamp = n;
	return 0;
}

static struct macmap_pat *pat_find(const struct macmap *m, enum macmap_side side,
				   const struct mac_pattern *p)
{
	for (size_t i = 0; i < m->npats; i++)
		if (m->pats[i].side == side && mac_pattern_equal(&m->pats[i].p, p))
			return &m->pats[i];
	return NULL;
}

static int add_exact(struct macmap *m, uint32_t id, enum macmap_side side, const uint8_t *mac)
{
	uint64_t key = slot_key(mac, side);
	struct macmap_slot *s = slot_find(m, key);
	int ret;

	if (s)
		return ids_has(&s->ids, id) ? 0 : ids_add(&s->ids, id);
	if ((ret = slots_grow(m)) < 0)
		return ret;
	s = slot_insert(m->slots, m->nslots, key);
	m->nused++;
	if ((ret = ids_add(&s->ids, id)) < 0) {
		slot_remove(m, (size_t)(s - m->slots));
		return ret;
	}
	return 1;
}

static int add_pattern(struct macmap *m, uint32_t id, enum macmap_side side,
		       const struct mac_pattern *p)
{
	struct macmap_pat *pat = pat_find(m, side, p);
	int ret;

	if (pat)
		return ids_has(&pat->ids, id) ? 0 : ids_add(&pat->ids, id);
	if (m->npats == m->patcap) {
		size_t cap = m->patcap ? m->patcap * 2 : 8;
		struct macmap_pat *v = realloc(m->pats, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->pats = v;
		m->patcap = cap;
	}
	pat = &m->pats[m->npats];
	memset(pat, 0, sizeof(*pat));
	pat->p = *p;
	pat->side = side;
	if ((ret = ids_add(&pat->ids, id)) < 0)
		return ret;
	m->npats++;
	return 1;
}

int macmap_add(struct macmap *m, uint32_t id, enum macmap_side side, const struct mac_pattern *p)
{
	int ret = stamp_room(m, id);

	if (ret < 0)
		return ret;
	return p->len == MAC_BITS ? add_exact(m, id, side, p->b) : add_pattern(m, id, side, p);
}

int macmap_del(struct macmap *m, uint32_t id, enum macmap_side side, const struct mac_pattern *p)
{
	if (p->len == MAC_BITS) {
		struct macmap_slot *s = slot_find(m, slot_key(p->b, side));

		if (!s || ids_del(&s->ids, id) < 0)
			return -ENOENT;
		if (s->ids.n)
			return 0;
		free(s->ids.v);
		slot_remove(m, (size_t)(s - m->slots));
		return 1;
	} else {
		struct macmap_pat *pat = pat_find(m, side, p);

		if (!pat || ids_del(&pat->ids, id) < 0)
			return -ENOENT;
		if (pat->ids.n)
			return 0;
		free(pat->ids.v);
		*pat = m->pats[--m->npats];
		return 1;
	}
}

/* Append the ids not yet returned by this lookup. */
static size_t take(struct macmap *m, const struct macmap_ids *ids, uint32_t *out, size_t n,
		   size_t cap)
{
	for (uint32_t i = 0; i < ids->n && n < cap; i++) {
		uint32_t id = ids->v[i];

		if (m->stamp[id] != m->gen) {
			m->stamp[id] = m->gen;
			out[n++] = id;
		}
	}
	return n;
}

size_t macmap_lookup(struct macmap *m, const uint8_t *eth, uint32_t *out, size_t cap)
{
	const struct macmap_slot *s;
	struct mac dst, src;
	size_t n = 0;

	if (++m->gen == 0) {    /* wrapped: stamps of old lookups could collide */
		memset(m->stamp, 0, m->nstamp * sizeof(*m->stamp));
		m->gen = 1;
	}
	memcpy(dst.b, eth, MAC_LEN);
	memcpy(src.b, eth + MAC_LEN, MAC_LEN);
	if ((s = slot_find(m, slot_key(dst.b, MACMAP_DST))))
		n = take(m, &s->ids, out, n, cap);
	if ((s = slot_find(m, slot_key(src.b, MACMAP_SRC))))
		n = take(m, &s->ids, out, n, cap);
	for (size_t i = 0; i < m->npats; i++) {
		const struct macmap_pat *pat = &m->pats[i];

		if (mac_pattern_match(&pat->p, pat->side == MACMAP_DST ? &dst : &src))
			n = take(m, &pat->ids, out, n, cap);
	}
	return n;
}

size_t macmap_entries(const struct macmap *m)
{
	return m->nused + m->npats;
}

void macmap_free(struct macmap *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		free(m->slots[i].ids.v);
	for (size_t i = 0; i < m->npats; i++)
		free(m->pats[i].ids.v);
	free(m->slots);
	free(m->pats);
	free(m->stamp);
	memset(m, 0, sizeof(*m));
}
