// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loopguard.c - recently injected frames, to break forwarding loops (pure)
 *
 * The hash reads the frame 8 bytes at a time with a multiply and a shift
 * each: its first LOOPGUARD_PREFIX bytes and its last LOOPGUARD_SUFFIX ones,
 * at most 40 words whatever the length (a 64 KB super-frame costs what a
 * 320-byte frame does), then a table slot or two. Two frames alike in those
 * bytes, their length and every offload field are taken for one: the
 * headers (addresses, ports, sequence numbers, IP identification, even those
 * of a tunnel's inner packet) lie in the first 256 bytes, and the last bytes
 * tell apart payloads that differ there.
 */
#include <string.h>

#include "vnet/frame.h"
#include "vnet/loopguard.h"

#define MIX 0x9e3779b97f4a7c15ull

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX;
	return h ^ (h >> 29);
}

static uint64_t word(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * Hash n bytes at p into h, 8 at a time, in four independent lanes: the
 * multiplies of one lane wait for each other, those of four overlap (in
 * four variables, not an array, which the compiler keeps in memory).
 */
static uint64_t mix_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	uint64_t a = h, b = h + MIX, c = h + 2 * MIX, d = h + 3 * MIX, w = 0;
	size_t i;

	for (i = 0; i + 32 <= n; i += 32) {
		a = mix(a, word(p + i));
		b = mix(b, word(p + i + 8));
		c = mix(c, word(p + i + 16));
		d = mix(d, word(p + i + 24));
	}
	for (; i + 8 <= n; i += 8)
		a = mix(a, word(p + i));
	if (i < n) {
		memcpy(&w, p + i, n - i);
		b = mix(b, w);
	}
	return mix(mix(mix(a, b), c), d);
}

uint64_t loopguard_key(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len)
{
	size_t head = len < LOOPGUARD_PREFIX ? len : LOOPGUARD_PREFIX;
	uint64_t h = mix(MIX, (uint64_t)len | (uint64_t)vh->flags << 32 |
			      (uint64_t)vh->gso_type << 40 | (uint64_t)vh->hdr_len << 48);

	h = mix(h, (uint64_t)vh->gso_size | (uint64_t)vh->csum_start << 16 |
		   (uint64_t)vh->csum_offset << 32);
	h = mix_bytes(h, eth, head);
	if (len > head) {
		size_t tail = len - head < LOOPGUARD_SUFFIX ? len - head : LOOPGUARD_SUFFIX;

		h = mix_bytes(h, eth + len - tail, tail);
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

bool loopguard_unreported(const uint8_t *eth, size_t len)
{
	return frame_tcp_reset(eth, len);
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

bool loopguard_echo(struct loopguard *g, const struct virtio_net_hdr *vh, const uint8_t *eth,
		    size_t len, uint64_t where, uint64_t now_ms, unsigned long *handler)
{
	const struct loopguard_slot *s;
	struct loopguard_visit *v;
	uint64_t key, at;

	if (!g->used || now_ms - g->last_ms >= LOOPGUARD_ECHO_MS)
		return false;
	key = loopguard_key(vh, eth, len);
	s = slot_of(g, key);
	at = mix(key, where);
	at = at ? at : 1;
	v = &g->visit[at & (LOOPGUARD_SLOTS - 1)];
	if (v->key == at && now_ms - v->ms < LOOPGUARD_ECHO_MS && s->key == key &&
	    now_ms - s->last_ms < LOOPGUARD_ECHO_MS && s->last_ms >= v->ms) {
		*handler = s->handler;
		return true;    /* the second visit is not noted: the first one's window runs on */
	}
	v->key = at;
	v->ms = now_ms;
	return false;
}
