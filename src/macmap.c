// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * macmap.c - a device's handlers by address: one hash table of (side, prefix length, address)
 *
 * An exact address is a pattern of length 48, and every pattern lives in the
 * one hash table, keyed by its side, its length and its address masked to
 * that length. A frame costs one hash probe per (side, length) in use, at
 * most 2 x 49 and in practice a handful (48 for exact addresses, 16 for
 * 33:33:00:00:00:00/16 and the like), however many handlers or distinct
 * patterns there are, and one step per id returned. Ids are de-duplicated
 * with a stamp per id instead of a search of what was already returned.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/macmap.h"

#define SLOTS_MIN 64

#define ADDR_MASK ((UINT64_C(1) << MAC_BITS) - 1)

struct macmap_slot {
	uint64_t key;           /* see slot_key; 0: free */
	struct macmap_ids ids;
};

/* The 48 bits of an address, its first octet highest. */
static uint64_t addr_bits(const uint8_t *mac)
{
	uint64_t a = 0;

	for (size_t i = 0; i < MAC_LEN; i++)
		a = a << 8 | mac[i];
	return a;
}

/*
 * The address masked to its first len bits in bits 0-47, side + 1 in bits
 * 48-49 (no used key is 0), len in bits 50-55.
 */
static uint64_t slot_key(uint64_t addr, enum macmap_side side, unsigned int len)
{
	uint64_t mask = len ? ADDR_MASK << (MAC_BITS - len) & ADDR_MASK : 0;

	return (uint64_t)len << 50 | ((uint64_t)side + 1) << 48 | (addr & mask);
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

int macmap_add(struct macmap *m, uint32_t id, enum macmap_side side, const struct mac_pattern *p)
{
	uint64_t key = slot_key(addr_bits(p->b), side, p->len);
	struct macmap_slot *s = slot_find(m, key);
	int ret;

	if ((ret = stamp_room(m, id)) < 0)
		return ret;
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
	if (m->nlen[side][p->len]++ == 0)
		m->lens[side] |= UINT64_C(1) << p->len;
	return 1;
}

int macmap_del(struct macmap *m, uint32_t id, enum macmap_side side, const struct mac_pattern *p)
{
	struct macmap_slot *s = slot_find(m, slot_key(addr_bits(p->b), side, p->len));

	if (!s || ids_del(&s->ids, id) < 0)
		return -ENOENT;
	if (s->ids.n)
		return 0;
	free(s->ids.v);
	slot_remove(m, (size_t)(s - m->slots));
	if (--m->nlen[side][p->len] == 0)
		m->lens[side] &= ~(UINT64_C(1) << p->len);
	return 1;
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

/* One probe per prefix length in use on side: the ids of the entries that match addr. */
static size_t lookup_side(struct macmap *m, enum macmap_side side, uint64_t addr, uint32_t *out,
			  size_t n, size_t cap)
{
	for (uint64_t lens = m->lens[side]; lens; lens &= lens - 1) {
		const struct macmap_slot *s;

		m->probes++;
		if ((s = slot_find(m, slot_key(addr, side, (unsigned int)__builtin_ctzll(lens)))))
			n = take(m, &s->ids, out, n, cap);
	}
	return n;
}

size_t macmap_lookup(struct macmap *m, const uint8_t *eth, uint32_t *out, size_t cap)
{
	size_t n;

	if (++m->gen == 0) {    /* wrapped: stamps of old lookups could collide */
		memset(m->stamp, 0, m->nstamp * sizeof(*m->stamp));
		m->gen = 1;
	}
	n = lookup_side(m, MACMAP_DST, addr_bits(eth), out, 0, cap);
	return lookup_side(m, MACMAP_SRC, addr_bits(eth + MAC_LEN), out, n, cap);
}

size_t macmap_entries(const struct macmap *m)
{
	return m->nused;
}

void macmap_free(struct macmap *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		free(m->slots[i].ids.v);
	free(m->slots);
	free(m->stamp);
	memset(m, 0, sizeof(*m));
}
