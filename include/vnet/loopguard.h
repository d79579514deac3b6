/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loopguard.h - recently injected frames, to break forwarding loops (pure)
 *
 * The packet mark keeps a frame vnet injected away from the socket that
 * injected it, not from the network: a frame injected on one device may
 * come back on another (two devices on one LAN through a second path), or
 * come back from a peer (two daemons on one LAN, or a ring of handlers).
 * A frame is going round a loop when it comes back to where it already was.
 * The daemon keeps two small fixed tables: the frames it injected lately,
 * and, while it injects anything, where it captured frames lately (which
 * capture: a device's shared capture, or a handler's own socket), both
 * keyed by a hash of the frame's first and last bytes, length and offload
 * metadata:
 *
 *  - a frame captured that this daemon injected within LOOPGUARD_ECHO_MS,
 *    and that the same capture already took within LOOPGUARD_ECHO_MS before
 *    that injection, is visiting it a second time: it went out through a
 *    handler and came back, a loop; not forwarded (loopguard_echo). Its first
 *    visit is forwarded: a daemon whose devices are ports of one bridge, each
 *    joined to another site (a hub), captures on one device what it injected
 *    on another, and must pass it on, once;
 *  - a frame a peer sends that this daemon injected LOOPGUARD_REPEATS times
 *    already within LOOPGUARD_WINDOW_MS is going round a loop through other
 *    daemons: not injected again (loopguard_repeated).
 *
 * One hash and two table probes per captured frame while anything was
 * injected lately (none at all otherwise), one probe per injected one.
 * Direct-mapped tables: a slot taken by another frame forgets the older one
 * (a loop may then run a few more laps, no more). The price: through a hub,
 * a frame repeated byte for byte within LOOPGUARD_ECHO_MS (a burst of
 * gratuitous ARP) is passed on once in that time.
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
 * A frame that comes back to a capture it went through does so within a
 * lap of the loop: microseconds on a LAN, a round trip over a WAN. Half a
 * second leaves room for a busy machine, and is far shorter than the second
 * between two identical ARP requests of a host that gets no answer.
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
 * whose lap is under 1000/8 = 125 ms is cut at its 9th lap; one through a
 * daemon that captures the frame twice, by the echo rule when its lap is
 * under LOOPGUARD_ECHO_MS. A slower loop is only bounded: under 2 laps a
 * second, not a storm.
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

/* A frame captured: where and when (the first visit of the window). */
struct loopguard_visit {
	uint64_t key;           /* the frame's key mixed with the capture's: 0 empty */
	uint64_t ms;
};

struct loopguard {
	uint64_t last_ms;       /* the last injection of any frame */
	bool used;              /* anything injected yet */
	struct loopguard_slot slot[LOOPGUARD_SLOTS];
	struct loopguard_visit visit[LOOPGUARD_SLOTS];
};

/* The key of a frame of len bytes at eth with its metadata (never 0). */
uint64_t loopguard_key(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len);
/*
 * Has the frame of key been injected LOOPGUARD_REPEATS times already in the
 * LOOPGUARD_WINDOW_MS that began with the first of them? Then injecting it
 * once more would be one time too many. (Asking notes nothing: loopguard_note.)
 */
bool loopguard_repeated(const struct loopguard *g, uint64_t key, uint64_t now_ms);
/*
 * Whether a frame either rule stops (len bytes at eth) is dropped without
 * being reported as a loop: a TCP reset (frame_tcp_reset). A host that
 * aborts a connection answers every segment still in flight with the same
 * reset, sent without a socket (in IPv4 with identification 0): dozens of
 * identical frames within a millisecond at the end of an ordinary transfer.
 * Their copies are stopped as any frame's are, so a reset in a loop is cut
 * as soon; the receiver acts on the first copy. Counting or logging them
 * would report a loop that is not there. Read only for a frame stopped.
 */
bool loopguard_unreported(const uint8_t *eth, size_t len);
/* The frame of key was injected now, by handler id. */
void loopguard_note(struct loopguard *g, uint64_t key, unsigned long handler, uint64_t now_ms);
/*
 * A frame captured now by the capture where (any number that tells the
 * daemon's captures apart: a device's shared capture, a handler's own
 * socket): is it coming back there, a loop? True when this daemon injected
 * it within LOOPGUARD_ECHO_MS, after where took it already within
 * LOOPGUARD_ECHO_MS; *handler is then the handler that injected it. Else
 * false, and where's visit is noted. Nothing injected lately: no hashing at
 * all, nothing noted.
 */
bool loopguard_echo(struct loopguard *g, const struct virtio_net_hdr *vh, const uint8_t *eth,
		    size_t len, uint64_t where, uint64_t now_ms, unsigned long *handler);

#endif
