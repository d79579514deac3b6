// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guard.c - a guarded port: rogue DHCP servers and routers, broadcast floods
 *
 * Pure: the frame's bytes and the clock are given. Every offset is checked
 * against the frame's length before it is read.
 */
#include <string.h>

#include "vnet/guard.h"

#define ETH_HLEN        14
#define VLAN_TAGS_MAX   2
#define IP6_HLEN        40
#define IP6_EXT_MAX     8       /* extension headers walked before giving up */

#define ET_IPV4         0x0800
#define ET_IPV6         0x86dd
#define IPPROTO_UDP_    17
#define IPPROTO_ICMPV6_ 58
#define ICMPV6_RA       134

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool is_vlan(uint16_t type)
{
	return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

/*
 * The UDP header at p (left bytes): a message to a DHCP client's port? By
 * the destination alone: clients take a reply whatever its source port.
 */
static enum guard_kind udp_kind(const uint8_t *p, size_t left, uint16_t client)
{
	if (left < 4)
		return GUARD_OTHER;
	return get16(p + 2) == client ? GUARD_DHCP_SERVER : GUARD_OTHER;
}

static enum guard_kind ipv4_kind(const uint8_t *ip, size_t left)
{
	size_t ihl;

	if (left < 20 || ip[0] >> 4 != 4)
		return GUARD_OTHER;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > left)
		return GUARD_OTHER;
	if (get16(ip + 6) & 0x1fff)     /* a fragment but the first: no UDP header */
		return GUARD_OTHER;
	if (ip[9] != IPPROTO_UDP_)
		return GUARD_OTHER;
	return udp_kind(ip + ihl, left - ihl, 68);
}

static enum guard_kind ipv6_kind(const uint8_t *ip, size_t left)
{
	uint8_t next;
	size_t off = IP6_HLEN;

	if (left < IP6_HLEN || ip[0] >> 4 != 6)
		return GUARD_OTHER;
	next = ip[6];
	for (int i = 0; i <= IP6_EXT_MAX; i++) {
		size_t hlen;

		switch (next) {
		case IPPROTO_UDP_:
			return udp_kind(ip + off, left - off, 546);
		case IPPROTO_ICMPV6_:
			return left - off >= 1 && ip[off] == ICMPV6_RA ? GUARD_ROUTER_ADV : GUARD_OTHER;
		case 0:         /* hop-by-hop options */
		case 43:        /* routing */
		case 60:        /* destination options */
			if (left - off < 2)
				return GUARD_OTHER;
			hlen = ((size_t)ip[off + 1] + 1) * 8;
			break;
		case 44:        /* fragment */
			if (left - off < 8 || get16(ip + off + 2) >> 3)
				return GUARD_OTHER;     /* cut short, or not the first fragment */
			hlen = 8;
			break;
		default:
			return GUARD_OTHER;
		}
		if (hlen > left - off)
			return GUARD_OTHER;
		next = ip[off];
		off += hlen;
	}
	/* More extension headers than any real packet has: one could hide an advertisement. */
	return GUARD_ROUTER_ADV;
}

enum guard_kind guard_classify(const uint8_t *eth, size_t len)
{
	size_t off = 12;
	uint16_t type;

	if (len < ETH_HLEN)
		return GUARD_OTHER;
	type = get16(eth + off);
	for (int tags = 0; is_vlan(type); tags++) {
		if (tags == VLAN_TAGS_MAX || len - off < 4 + 2)
			return GUARD_OTHER;
		off += 4;
		type = get16(eth + off);
	}
	off += 2;
	if (type == ET_IPV4)
		return ipv4_kind(eth + off, len - off);
	if (type == ET_IPV6)
		return ipv6_kind(eth + off, len - off);
	return GUARD_OTHER;
}

bool guard_bucket_take(struct guard_bucket *b, const struct guard_rate *r, uint64_t now_ms)
{
	return guard_bucket_take_n(b, r, now_ms, 1);
}

bool guard_bucket_take_n(struct guard_bucket *b, const struct guard_rate *r, uint64_t now_ms,
			 uint32_t n)
{
	uint64_t full = (uint64_t)r->burst * 1000, need = (uint64_t)n * 1000;

	if (!r->per_s)
		return true;
	if (!b->started) {
		b->started = true;
		b->milli = full;
		b->last_ms = now_ms;
	} else if (now_ms > b->last_ms) {
		uint64_t elapsed = now_ms - b->last_ms;

		/* per_s thousandths of a frame a millisecond: full again after full / per_s ms. */
		b->milli = elapsed > full / r->per_s ? full : b->milli + elapsed * r->per_s;
		b->last_ms = now_ms;
	}
	if (b->milli > full)
		b->milli = full;
	if (b->milli < need)
		return false;
	b->milli -= need;
	return true;
}

/* A decimal number from 1 to GUARD_FLOOD_MAX, digits only, the whole of s (up to end). */
static bool count_parse(const char *s, const char *end, uint32_t *v)
{
	unsigned long n = 0;

	if (s == end || end - s > 8)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (unsigned long)(*s - '0');
	}
	if (n < 1 || n > GUARD_FLOOD_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

bool guard_rate_parse(const char *s, struct guard_rate *r)
{
	const char *slash = strchr(s, '/');
	struct guard_rate g;

	if (!strcmp(s, "off")) {
		r->per_s = r->burst = 0;
		return true;
	}
	if (!count_parse(s, slash ? slash : s + strlen(s), &g.per_s))
		return false;
	if (slash) {
		if (!count_parse(slash + 1, slash + 1 + strlen(slash + 1), &g.burst))
			return false;
	} else {
		g.burst = g.per_s > GUARD_FLOOD_MAX / 2 ? GUARD_FLOOD_MAX : 2 * g.per_s;
	}
	*r = g;
	return true;
}
