// SPDX-License-Identifier: GPL-2.0-or-later
/* aqm.c - the sojourn time of a handler's queue and CoDel's control law (pure) */
#include <string.h>

#include "vnet/aqm.h"

void aqm_init(struct aqm *a, unsigned int target_ms)
{
	memset(a, 0, sizeof(*a));
	a->target_us = (uint64_t)target_ms * 1000;
}

void aqm_reset(struct aqm *a)
{
	a->head = a->n = 0;
	a->first_above = 0;
	a->dropping = false;
	a->unsent = a->inflight = 0;
	a->path_us = a->min_rtt_us = 0;
	a->sampled_us = 0;
}

void aqm_enqueue(struct aqm *a, uint64_t now, uint64_t end)
{
	struct aqm_stretch *last = a->n ? &a->ring[(a->head + a->n - 1) % AQM_MARKS] : NULL;

	if (last && end <= last->end)
		return;
	/* Close in time, or no room: the last stretch grows (its bytes look older, not younger). */
	if (last && (now - last->t < AQM_GRAIN_US || a->n == AQM_MARKS)) {
		last->end = end;
		return;
	}
	a->ring[(a->head + a->n) % AQM_MARKS] = (struct aqm_stretch){ .end = end, .t = now };
	a->n++;
}

void aqm_depart(struct aqm *a, uint64_t sent)
{
	while (a->n && a->ring[a->head].end <= sent) {
		a->head = (a->head + 1) % AQM_MARKS;
		a->n--;
	}
}

uint64_t aqm_sojourn(const struct aqm *a, uint64_t now)
{
	if (!a->n || now < a->ring[a->head].t)
		return 0;
	return now - a->ring[a->head].t;
}

void aqm_path(struct aqm *a, uint64_t srtt, uint64_t min_rtt)
{
	a->path_us = srtt > min_rtt ? srtt - min_rtt : 0;
	a->min_rtt_us = min_rtt;
}

/* floor(sqrt(x)) */
static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* The next signal: interval / sqrt(count) after t. */
static uint64_t control_law(uint64_t t, uint32_t count)
{
	return t + AQM_INTERVAL_US * 1024 / isqrt((uint64_t)count << 20);
}

/* Has the sojourn stayed above target for an interval? (RFC 8289's dodequeue) */
static bool above_for_interval(struct aqm *a, uint64_t now, uint64_t queued)
{
	if (aqm_sojourn(a, now) + a->path_us < a->target_us || queued <= AQM_QUEUE_MIN) {
		a->first_above = 0;
		return false;
	}
	if (!a->first_above) {
		a->first_above = now + AQM_INTERVAL_US;
		return false;
	}
	return now >= a->first_above;
}

bool aqm_signal(struct aqm *a, uint64_t now, uint64_t queued, size_t len)
{
	bool above;

	if (!a->target_us)
		return false;
	above = above_for_interval(a, now, queued);
	if (a->dropping) {
		if (!above) {
			a->dropping = false;
			return false;
		}
		if (now < a->drop_next || len < AQM_SIGNAL_MIN_LEN)
			return false;
		a->count++;
		a->drop_next = control_law(a->drop_next, a->count);
		return true;
	}
	if (!above || len < AQM_SIGNAL_MIN_LEN)
		return false;
	/* Enter the signalling state; start near the last rate if it ended recently. */
	a->dropping = true;
	if (a->count - a->lastcount > 1 && now - a->drop_next < 16 * AQM_INTERVAL_US)
		a->count = a->count - a->lastcount;
	else
		a->count = 1;
	a->lastcount = a->count;
	a->drop_next = control_law(now, a->count);
	return true;
}

/* The offset of an Ethernet frame's IP header (behind up to two VLAN tags) and its EtherType. */
static bool ip_header(const uint8_t *eth, size_t len, size_t *off, uint16_t *type)
{
	*off = 12;
	if (len < *off + 2)
		return false;
	*type = (uint16_t)(eth[*off] << 8 | eth[*off + 1]);
	for (int tags = 0; tags < 2 && (*type == 0x8100 || *type == 0x88a8); tags++) {
		*off += 4;
		if (len < *off + 2)
			return false;
		*type = (uint16_t)(eth[*off] << 8 | eth[*off + 1]);
	}
	*off += 2;
	return true;
}

/*
 * RFC 1624: a 16-bit word old of the summed data became new. sum is a
 * checksum (complemented, as in an IPv4 header) or, when partial, the plain
 * sum a checksum offload starts from (the pseudo-header's, in TCP's field).
 */
static void csum_update(uint8_t *sum, uint16_t old, uint16_t new, bool partial)
{
	uint32_t c = (uint16_t)((sum[0] << 8) | sum[1]);

	if (!partial)
		c = (uint16_t)~c;
	c += (uint16_t)~old;
	c += new;
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	if (!partial)
		c = (uint16_t)~c;
	sum[0] = (uint8_t)(c >> 8);
	sum[1] = (uint8_t)c;
}

static void csum_replace(uint8_t *sum, uint16_t old, uint16_t new)
{
	csum_update(sum, old, new, false);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t aqm_trim(uint8_t *eth, size_t len, struct virtio_net_hdr *vh)
{
	uint8_t gso = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	size_t off, l4 = vh->csum_start, thlen, payload, cut;
	uint16_t type, iplen;
	uint8_t *ip;

	if ((gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6) ||
	    !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || vh->csum_offset != 16 || !vh->gso_size ||
	    !ip_header(eth, len, &off, &type) || l4 + 20 > len)
		return 0;
	thlen = (size_t)(eth[l4 + 12] >> 4) * 4;
	if (thlen < 20 || l4 + thlen > len || (eth[l4 + 13] & 0x01))  /* FIN: it ends the stream */
		return 0;
	payload = len - l4 - thlen;
	if (payload <= vh->gso_size)
		return 0;
	cut = payload - (payload - 1) / vh->gso_size * vh->gso_size;
	ip = eth + off;
	if (type == 0x0800 && gso == VIRTIO_NET_HDR_GSO_TCPV4 && off + 20 <= l4 &&
	    ip[0] >> 4 == 4 && off + (size_t)(ip[0] & 0x0f) * 4 == l4 && get16(ip + 2) == len - off) {
		iplen = get16(ip + 2);
		put16(ip + 2, (uint16_t)(iplen - cut));
		csum_replace(ip + 10, iplen, (uint16_t)(iplen - cut));
	} else if (type == 0x86dd && gso == VIRTIO_NET_HDR_GSO_TCPV6 && off + 40 <= l4 &&
		   ip[0] >> 4 == 6 && get16(ip + 4) == len - off - 40) {
		iplen = get16(ip + 4);
		put16(ip + 4, (uint16_t)(iplen - cut));
	} else {
		return 0;
	}
	/* The pseudo-header's TCP length, in the sum the offload starts from. */
	csum_update(eth + l4 + 16, (uint16_t)(len - l4), (uint16_t)(len - l4 - cut), true);
	/*
	 * The metadata follows. The kernel gives the linear part of its buffer
	 * as hdr_len, often the whole frame: now the headers. A frame left with
	 * one segment is no longer a super-frame, as the kernel would give it.
	 */
	if (payload - cut <= vh->gso_size) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		vh->gso_size = 0;
		vh->hdr_len = 0;
	} else if (vh->hdr_len > l4 + thlen) {
		vh->hdr_len = (uint16_t)(l4 + thlen);
	}
	return len - cut;
}

bool aqm_ecn_mark(uint8_t *eth, size_t len)
{
	size_t off;
	uint16_t type;

	if (!ip_header(eth, len, &off, &type))
		return false;
	if (type == 0x0800) {
		uint8_t *ip = eth + off;
		uint16_t old;

		if (len < off + 20 || ip[0] >> 4 != 4 || (ip[0] & 0x0f) < 5 || !(ip[1] & 3))
			return false;
		old = (uint16_t)(ip[0] << 8 | ip[1]);
		ip[1] |= 3;
		csum_replace(ip + 10, old, (uint16_t)(ip[0] << 8 | ip[1]));
		return true;
	}
	if (type == 0x86dd) {
		uint8_t *ip = eth + off;

		/* The traffic class spans the first two bytes; ECN is bits 4-5 of the second. */
		if (len < off + 40 || ip[0] >> 4 != 6 || !(ip[1] & 0x30))
			return false;
		ip[1] |= 0x30;
		return true;
	}
	return false;
}
