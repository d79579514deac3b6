// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loopguard.c - recently injected frames, to break forwarding loops (pure)
 *
 * The hash reads the frame 8 bytes at a time (at most LOOPGUARD_PREFIX of
 * them) with a multiply and a shift each: about 20 operations for a full
 * prefix, then one table slot. Two frames alike in their first 128 bytes,
 * length and segmentation are taken for one: headers differ (addresses,
 * ports, sequence numbers, IP identification) long before that.
 */
#include <string.h>

#include "vnet/loopguard.h"

#define MIX 0x9e3779b97f4a7c15ull

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX;
	return h ^ (h >> 29);
}

uint64_t loopguard_key(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len)
{
	size_t n = len < LOOPGUARD_PREFIX ? len : LOOPGUARD_PREFIX, i;
	uint64_t h = mix(MIX, (uint64_t)len | (uint64_t)vh->gso_type << 32 |
			      (uint64_t)vh->gso_size << 40);

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, eth + i, sizeof(w));
		h = mix(h, w);
	}
	if (i < n) {
		uint64_t w = 0;

		memcpy(&w, eth + i, n - i);
		h = mix(h, w);
	}
	return h ? h : 1;
}

static const struct loopguard_slot *slot_of(const struct loopguard *g, uint64_t key)
{
	return &g->slot[key & (LOOPGUARD_SLOTS - 1)];
}

bool loopguard_repeated(const struct loopguard *g, uint64_t key, uint64_t now_ms)
{
	const struct loopguard_slot *s = slot_of(g, key);

	return s->key == key && now_ms - s->first_ms < LOOPGUARD_WINDOW_MS &&
	       s->count >= LOOPGUARD_REPEATS;
}

void loopguard_note(struct loopguard *g, uint64_t key, unsigned long handler, uint64_t now_ms)
{
	struct loopguard_slot *s = &g->slot[key & (LOOPGUARD_SLOTS - 1)];

	if (s->key != key || now_ms - s->first_ms >= LOOPGUARD_WINDOW_MS) {
		s->key = key;
		s->first_ms = now_ms;
		s->count = 0;
	}
	if (s->count < UINT32_MAX)
		s->count++;
	s->last_ms = now_ms;
	s->handler = (uint32_t)handler;
	g->last_ms = now_ms;
	g->used = true;
}

bool loopguard_echo(const struct loopguard *g, const struct virtio_net_hdr *vh,
		    const uint8_t *eth, size_t len, uint64_t now_ms, unsigned long *handler)
{
	const struct loopguard_slot *s;
	uint64_t key;

	if (!g->used || now_ms - g->last_ms >= LOOPGUARD_ECHO_MS)
		return false;
	key = loopguard_key(vh, eth, len);
	s = slot_of(g, key);
	if (s->key != key || now_ms - s->last_ms >= LOOPGUARD_ECHO_MS)
		return false;
	*handler = s->handler;
	return true;
}
