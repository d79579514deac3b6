/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * macmap.h - which handlers of a device want a frame, in time independent of their number (pure)
 *
 * A device's shared capture gives each frame to the handlers that list its
 * destination (LOCAL handlers, side MACMAP_DST) or its source (REMOTE
 * handlers, MACMAP_SRC). Handlers are small integer ids. Addresses and
 * patterns (MAC/LEN; an address is a pattern of length 48) live in one hash
 * table from (side, length, address) to the ids that list it, identical
 * entries shared. A lookup makes one probe per (side, length) in use, at most
 * 98, and returns each interested id exactly once, however many of its
 * entries match; in no particular order.
 */
#ifndef VNET_MACMAP_H
#define VNET_MACMAP_H

#include <stddef.h>
#include <stdint.h>

#include "vnet/mac.h"

enum macmap_side { MACMAP_DST, MACMAP_SRC };

struct macmap_ids {
	uint32_t *v;
	uint32_t n, cap;
};

struct macmap_slot;

struct macmap {
	struct macmap_slot *slots;  /* open addressing, linear probing; a power of two */
	size_t nslots, nused;
	uint64_t lens[2];           /* per side: bit L set while entries of length L exist */
	uint32_t nlen[2][MAC_BITS + 1]; /* per side and length: how many */
	uint64_t probes;            /* hash probes made by lookups: their work */
	uint32_t *stamp;            /* per id: the lookup that last returned it */
	size_t nstamp;
	uint32_t gen;
};

/*
 * Id id lists p on side. 1 if (p, side) is new in the map (the kernel's map
 * needs it too), 0 if it was there already (for id too: nothing changes),
 * -ENOMEM.
 */
int macmap_add(struct macmap *m, uint32_t id, enum macmap_side side, const struct mac_pattern *p);
/* Id id no longer lists p on side. 1 if (p, side) is now gone from the map, 0 if not, -ENOENT. */
int macmap_del(struct macmap *m, uint32_t id, enum macmap_side side, const struct mac_pattern *p);
/*
 * The ids that want the frame whose first 12 octets are eth (destination,
 * source), each once, into out[0..cap); returns how many (at most cap).
 */
size_t macmap_lookup(struct macmap *m, const uint8_t *eth, uint32_t *out, size_t cap);
/* Distinct entries (address or pattern, side). */
size_t macmap_entries(const struct macmap *m);
void macmap_free(struct macmap *m);

#endif
