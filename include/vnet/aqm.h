/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aqm.h - keep the delay frames spend queued in a handler near a target
 *
 * A handler's queue toward its peer is its transmit buffer plus the bytes its
 * link socket holds but has not sent yet. Both are one byte stream: offsets
 * count every byte ever queued for the link. The controller remembers when
 * each stretch of the stream was queued (aqm_enqueue), forgets it when the
 * socket has sent it (aqm_depart), and so knows how long the oldest byte
 * still queued has waited. To that it adds the queue the link's own TCP
 * builds in the network (the bottleneck router's): its smoothed round-trip
 * time above the least it has seen (aqm_path). Their sum is the sojourn
 * time of a frame in the tunnel. When the sojourn stays above
 * the target for an interval, it asks for a congestion signal on frames
 * entering the queue, at CoDel's rate (interval / sqrt(count)), until the
 * sojourn falls below target again (RFC 8289's control law, applied at the
 * ingress). The caller marks the frame ECN CE if it can (aqm_ecn_mark), and
 * drops it otherwise. Small frames (ACKs, pings, ARP) never take a signal:
 * it waits for the next large one. Segmentation offload super-frames take
 * it like any large frame: with offloads on, a bulk TCP flow sends nothing
 * else, and a controller that spared them would never slow it. A mark is
 * copied into every segment; instead of a drop, the super-frame loses its
 * last segment (aqm_trim): one loss, not tens. Pure: the caller gives the
 * time.
 */
#ifndef VNET_AQM_H
#define VNET_AQM_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --queue-delay's default (tests/bench/README: "Over a WAN") */
#define AQM_TARGET_MS_DEFAULT 40
#define AQM_TARGET_MS_SUGGESTED 20      /* what the WAN figures were measured with */
#define AQM_TARGET_MS_MAX     1000
#define AQM_INTERVAL_US       100000    /* CoDel's interval: about a WAN round trip */
#define AQM_SIGNAL_MIN_LEN    576       /* smaller frames are never marked or dropped */
#define AQM_QUEUE_MIN         3028      /* two full frames queued: never above target */
#define AQM_MARKS             512       /* remembered stretches of the stream */
#define AQM_GRAIN_US          250       /* frames queued this close share a stretch */

struct aqm_stretch {
	uint64_t end;   /* stream offset one past its last byte */
	uint64_t t;     /* when its first byte was queued (us) */
};

struct aqm {
	uint64_t target_us;             /* 0: off */
	struct aqm_stretch ring[AQM_MARKS];
	unsigned int head, n;
	uint64_t path_us;               /* queueing delay on the link's path (aqm_path) */
	uint64_t min_rtt_us;            /* the link's least round trip (aqm_path) */
	uint64_t first_above;           /* CoDel's state (RFC 8289) */
	uint64_t drop_next;
	uint32_t count, lastcount;
	bool dropping;
	uint64_t drops, marks;          /* signals given, by kind (counted by the caller) */
	/* The link socket, sampled (aqm_link.c) */
	uint64_t sampled_us;
	uint64_t unsent;                /* bytes the socket held unsent then, */
	uint64_t inflight;              /* and sent, not acknowledged */
};

/* target_ms 0 turns the controller off (it never signals). */
void aqm_init(struct aqm *a, unsigned int target_ms);
/* The queue was emptied (the link was lost): forget it, keep the counters. */
void aqm_reset(struct aqm *a);
/* The stream up to offset end was queued at now (us). */
void aqm_enqueue(struct aqm *a, uint64_t now, uint64_t end);
/* The stream up to offset sent has left the queue. */
void aqm_depart(struct aqm *a, uint64_t sent);
/* How long the oldest byte still queued has waited (us); 0 if none. */
uint64_t aqm_sojourn(const struct aqm *a, uint64_t now);
/* The link's TCP measures a smoothed round trip of srtt, min_rtt at least (us). */
void aqm_path(struct aqm *a, uint64_t srtt, uint64_t min_rtt);
/*
 * A frame of len bytes enters at now a tunnel that holds queued bytes
 * (buffered, unsent and in flight): does it take a signal?
 */
bool aqm_signal(struct aqm *a, uint64_t now, uint64_t queued, size_t len);
/*
 * Set ECN CE on an Ethernet frame's IPv4 or IPv6 packet (behind up to two
 * VLAN tags) if it is ECN-capable, fixing the IPv4 header checksum; false
 * (the frame unchanged) if it is not.
 */
bool aqm_ecn_mark(uint8_t *eth, size_t len);

/*
 * Drop the last segment of a TCP segmentation offload super-frame (eth, len
 * bytes, its metadata vh) of two segments or more: the IP length, the IPv4
 * header checksum and the pseudo-header sum in the TCP checksum field follow,
 * and so does vh: hdr_len no longer than the headers, and a frame left with
 * one segment no longer a super-frame (gso_type none, gso_size and hdr_len 0).
 * The new length, or 0 (frame and vh unchanged) if it cannot be cut: not TCP
 * segmentation, one segment, a FIN, lengths that do not add up.
 */
size_t aqm_trim(uint8_t *eth, size_t len, struct virtio_net_hdr *vh);

/*
 * aqm_link.c: the controller on a link socket. A frame (eth, *len bytes,
 * its offload metadata vh) is about to be queued behind buffered bytes,
 * written bytes having gone to the socket so far: sample the socket (at
 * most every AQM_GRAIN_US) and decide. A signal marks the frame if it is
 * ECN-capable, else cuts the last segment off a super-frame (*len shrinks and
 * vh follows, aqm_trim; one loss for its TCP, as CoDel drops one packet),
 * else drops it (false).
 */
bool aqm_admit(struct aqm *a, int fd, uint64_t written, size_t buffered, uint8_t *eth,
	       size_t *len, struct virtio_net_hdr *vh);

#endif
