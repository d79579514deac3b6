/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer.h - what the handlers toward one peer daemon hold, in all (pure)
 *
 * A peer is the remote address of a handler's link (one address, whatever
 * its ports: one machine may be behind many connections, and every site
 * behind one NAT address is one peer). Its handlers charge it with the bytes
 * their queues hold toward it (PEER_TX), and with the memory their receive
 * queues keep for what it sends (PEER_RX). A handler takes more in a
 * direction while its peer's handlers hold at most PEER_BYTES_MAX there in
 * all, or while it holds less than its share of that, PEER_BYTES_MAX over
 * the number of handlers of the peer (peer_may_take). So one peer with
 * thousands of handlers that never read, or that leave a message unfinished
 * on each, pins about PEER_BYTES_MAX, twice that at most (plus one frame
 * per handler), whatever the per-handler bounds allow; and its other
 * handlers, under their share, go on: a handler is held back only while it
 * holds its share, that is while its own queue has bytes whose sending
 * wakes it again.
 */
#ifndef VNET_PEER_H
#define VNET_PEER_H

#include <stdbool.h>
#include <stddef.h>

#define PEER_BYTES_MAX  (16u << 20)  /* per peer, in each direction */
#define PEER_BUCKETS    1024        /* a power of 2 */
#define PEER_ADDR_MAX   64          /* an address's text, ADDR_STRLEN */

struct peer {
	struct peer *next;
	unsigned int refs;          /* handlers attached to it */
	size_t held[2];             /* by direction: what its handlers hold */
	char addr[PEER_ADDR_MAX];
};

enum peer_dir { PEER_TX, PEER_RX };

struct peer_table {
	struct peer *bucket[PEER_BUCKETS];
	size_t n;
};

/* The peer of addr, made if new, held once more; NULL if out of memory. */
struct peer *peer_get(struct peer_table *t, const char *addr);
/* Let go of p (held by peer_get); it goes when no one holds it. */
void peer_put(struct peer_table *t, struct peer *p);
/* May p (NULL: no peer to charge) be charged n more bytes in dir, within PEER_BYTES_MAX? */
bool peer_fits(const struct peer *p, enum peer_dir dir, size_t n);
/*
 * May a handler of p that holds own bytes in dir take n more: p within
 * PEER_BYTES_MAX (peer_fits), or own below the handler's share of it? A
 * handler may pass what it would hold with them as own, to stay within its
 * share rather than pass it by n.
 */
bool peer_may_take(const struct peer *p, enum peer_dir dir, size_t own, size_t n);
/* What one holder charges p in dir goes from *charged to now (NULL p: nothing). */
void peer_charge(struct peer *p, enum peer_dir dir, size_t *charged, size_t now);

#endif
