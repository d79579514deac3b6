/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loopguard.h - recently injected frames, to break forwarding loops (pure)
 *
 * The packet mark keeps a frame vnet injected away from the socket that
 * injected it, not from the network: a frame injected on one device may
 * come back on another (two devices on one LAN), or come back from a peer
 * (two daemons on one LAN, or a ring of handlers). The daemon keeps a small
 * fixed table of the frames it injected lately, keyed by a hash of their
 * first and last bytes, length and offload metadata:
 *
 *  - a frame captured that this daemon injected within LOOPGUARD_ECHO_MS is
 *    its own frame coming back: not forwarded (loopguard_echo);
 *  - a frame a peer sends that this daemon injected LOOPGUARD_REPEATS times
 *    already within LOOPGUARD_WINDOW_MS is going round a loop through other
 *    daemons: not injected again (loopguard_repeated).
 *
 * One table probe per frame, direct-mapped: a slot taken by another frame
 * forgets the older one (a loop may then run a few more laps, no more).
 */
#ifndef VNET_LOOPGUARD_H
#define VNET_LOOPGUARD_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOPGUARD_SLOTS     2048    /* a power of two */
#define LOOPGUARD_PREFIX    256     /* the first bytes of a frame hashed */
#define LOOPGUARD_SUFFIX    64      /* and its last ones, past the first */
/*
 * A frame that comes back to the daemon that injected it does so within a
 * lap of the loop: microseconds on a LAN. Half a second leaves room for a
 * busy machine, and is far shorter than the second between two identical
 * ARP requests of a host that gets no answer.
 */
#define LOOPGUARD_ECHO_MS   500
/*
 * The same frame from peers more than LOOPGUARD_REPEATS times within
 * LOOPGUARD_WINDOW_MS is a loop. Ordinary traffic repeats a frame far less:
 * ARP and neighbour solicitations once a second, DHCP after seconds (and
 * with a new "secs" field), TCP retransmissions after at least 200 ms and
 * then twice as late each time (3 in a second at most), a gratuitous ARP
 * burst (keepalived, arping -U) 5 at once, a wake-on-LAN tool a few. A loop
 * runs a lap in microseconds on a LAN and in one round trip over a WAN: one
 * whose lap is under 1000/8 = 125 ms is cut at its 9th lap; slower ones
 * are cut by the echo rule at the daemon that both captures and injects.
 */
#define LOOPGUARD_WINDOW_MS 1000
#define LOOPGUARD_REPEATS   8
/* A loop is logged at most this often (per device, per handler). */
#define LOOPGUARD_LOG_MS    60000

struct loopguard_slot {
	uint64_t key;           /* 0: empty */
	uint64_t first_ms;      /* the first injection of the window */
	uint64_t last_ms;       /* the last one */
	uint32_t count;         /* injections since first_ms */
	uint32_t handler;       /* the handler that last injected it */
};

struct loopguard {
	uint64_t last_ms;       /* the last injection of any frame */
	bool used;              /* anything injected yet */
	struct loopguard_slot slot[LOOPGUARD_SLOTS];
};

/* The key of a frame of len bytes at eth with its metadata (never 0). */
uint64_t loopguard_key(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len);
/*
 * Has the frame of key been injected LOOPGUARD_REPEATS times already in the
 * LOOPGUARD_WINDOW_MS that began with the first of them? Then injecting it
 * once more would be one time too many. (Asking notes nothing: loopguard_note.)
 */
bool loopguard_repeated(const struct loopguard *g, uint64_t key, uint64_t now_ms);
/* The frame of key was injected now, by handler id. */
void loopguard_note(struct loopguard *g, uint64_t key, unsigned long handler, uint64_t now_ms);
/*
 * A frame captured now: did this daemon inject it within LOOPGUARD_ECHO_MS?
 * Then true, and *handler is the one that did. Nothing injected lately: no
 * hashing at all.
 */
bool loopguard_echo(const struct loopguard *g, const struct virtio_net_hdr *vh,
		    const uint8_t *eth, size_t len, uint64_t now_ms, unsigned long *handler);

#endif
