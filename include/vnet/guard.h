/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard.h - a guarded port: what a LOCAL side does not inject from its peer
 * (pure)
 *
 * A LOCAL side injects, into its network, the frames of the guests its
 * handler lists. Like a switch port with DHCP snooping and RA guard, it does
 * not let a guest serve DHCP (UDP to port 68, DHCPv6 to 546) or advertise
 * itself as a router (ICMPv6 type 134), and it lets broadcast and multicast
 * frames through at a bounded rate (a token bucket). The REMOTE side, which
 * carries the network's own DHCP replies and advertisements to the guest, is
 * not guarded.
 */
#ifndef VNET_GUARD_H
#define VNET_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_FLOOD_RATE    1000    /* broadcast and multicast frames a second, by default */
#define GUARD_FLOOD_BURST   2000    /* ...and at once, after a quiet while */
#define GUARD_FLOOD_MAX     10000000    /* the largest rate or burst --flood-limit takes */
#define GUARD_LOG_MS        60000   /* a guard's refusals are logged at most this often */

/* What the guard makes of a frame. */
enum guard_kind {
	GUARD_OTHER,            /* none of the below: the guard has no objection */
	GUARD_DHCP_SERVER,      /* a DHCP server's message: UDP to 68, or to 546 over IPv6 */
	GUARD_ROUTER_ADV,       /* an ICMPv6 router advertisement (type 134) */
};

/*
 * What frame (eth, len bytes from the destination address on) is: behind up
 * to two VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8 or 0x9100), an IPv4
 * packet's UDP header (options skipped; a fragment other than the first has
 * none) or an IPv6 packet's upper-layer header (behind its hop-by-hop,
 * routing, destination-options and fragment headers, at most 8 of them).
 * Whatever is cut short before the ports or the ICMPv6 type is GUARD_OTHER:
 * no host would take it for a DHCP reply or an advertisement either.
 */
enum guard_kind guard_classify(const uint8_t *eth, size_t len);

/* A rate: per_s frames a second, up to burst at once; per_s 0: no limit. */
struct guard_rate {
	uint32_t per_s, burst;
};

/*
 * A token bucket, zeroed to start (it starts full). It holds thousandths of
 * a frame: a frame takes 1000, a millisecond gives back per_s.
 */
struct guard_bucket {
	uint64_t milli;         /* what it holds */
	uint64_t last_ms;       /* when it was last filled */
	bool started;
};

/* May one more frame pass at now_ms (a monotonic clock in ms)? If so, it is taken. */
bool guard_bucket_take(struct guard_bucket *b, const struct guard_rate *r, uint64_t now_ms);
/* The same for n frames at once (a super-frame of n segments): all pass, or none. */
bool guard_bucket_take_n(struct guard_bucket *b, const struct guard_rate *r, uint64_t now_ms,
			 uint32_t n);

/*
 * Parse "N", "N/BURST" or "off" (--flood-limit): N and BURST from 1 to
 * GUARD_FLOOD_MAX, BURST 2 * N (at most GUARD_FLOOD_MAX) when not given;
 * "off" is per_s 0.
 */
bool guard_rate_parse(const char *s, struct guard_rate *r);

#endif
