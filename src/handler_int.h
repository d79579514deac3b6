/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handler_int.h - a handler's insides, shared by handler.c (its lifecycle),
 * handler_path.c (its data path) and handler_stats.c (what HANDLERS? and
 * STATS? say of it). No other module includes this. handler.c calls the
 * other two; they do not call it back.
 */
#ifndef VNET_HANDLER_INT_H
#define VNET_HANDLER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "vnet/addr.h"
#include "vnet/aqm.h"
#include "vnet/daemon.h"
#include "vnet/dgpath.h"
#include "vnet/dial.h"
#include "vnet/guard.h"
#include "vnet/handler.h"
#include "vnet/list.h"
#include "vnet/loop.h"

/*
 * UP --(link lost, reconnecting)--> WAITING --(backoff over)--> CONNECTING
 *  ^                                   ^                            |
 *  +---------------(dialed)------------+-------(dial failed)--------+
 * A handler that does not reconnect closes when its link is lost. Its timer
 * is, by state: UP, the next keepalive to send or the silence that kills the
 * link, whichever comes first; WAITING, the next attempt; CONNECTING, none
 * (the dial has its own deadline); NODEV, the next try of its device.
 * Any state --(its device removed or renamed)--> NODEV --(a device of its
 * name appears)--> CONNECTING, for a handler that knows how to dial again
 * (redial: an RHANDLE, or a line of the handlers file); the others close.
 * NODEV holds no port and no link. A device of its name there that could
 * not be taken (port_open failed) is tried again on its timer, 1 s doubling
 * to 30 s, and at once on the next notification of that name.
 */
enum handler_state {
	H_UP,           /* the link carries frames */
	H_WAITING,      /* reconnecting: waiting before the next attempt */
	H_CONNECTING,   /* reconnecting: dialing */
	H_NODEV,        /* its device is gone: waiting for one of that name */
};

struct handler {
	struct list node;
	struct daemon_id idn;   /* its place in the daemon's table by id */
	struct daemon *d;
	unsigned long id;
	struct handler_spec spec;
	struct mac_pattern *macs;   /* spec.macs: the handler's own copy of the list */
	enum handler_state state;
	struct proto_req *redial;   /* how to dial again (an RHANDLE: its link reconnects), */
	struct dial_key key;        /* and the TLS key of its password, derived once */
	struct dial *dial;
	struct loop_timer timer;    /* by state: keepalive and silence, or the next attempt */
	uint64_t backoff_ms, up_since;
	unsigned int reconnects;
	uint64_t dev_base;      /* the device's frame counters when the handler began */
	struct port port;
	struct port_stats port_past;    /* the counters of its ports on devices now gone */
	struct loop_io port_io, link_io;
	struct conn *link;
	struct buf tx, rx;
	uint64_t deep_ms;       /* when tx last went past its usual bound (a deep queue) */
	struct peer *peer;      /* while connected: its peer, charged with tx's bytes, rx's memory */
	size_t peer_tx, peer_rx;    /* what it charged the peer */
	bool rx_wait;           /* the peer's receive memory is used up: reading waits (timer) */
	bool inject_blocked;    /* the port is full: wait for EPOLLOUT on it */
	bool port_held;         /* an odd receive error: the port is not read until port_hold */
	bool odd_logged;        /* that was logged (once a handler) */
	struct loop_timer port_hold;
	bool closed;
	bool gone;              /* closed and let go of, but still held (refs) */
	unsigned int refs;      /* answers being sent that will still describe it */
	char laddr[ADDR_STRLEN], raddr[ADDR_STRLEN];
	uint16_t lport, rport;
	uint64_t last_rx, last_tx;
	uint64_t link_rx_bytes, link_tx_bytes, inject_drops;
	uint64_t drop_unlisted, drop_offload;  /* frames from the peer refused (handler_refuse) */
	uint64_t drop_loop;     /* frames from the peer going round a loop (handler_looped) */
	uint64_t loop_logged;   /* when a loop through it was last logged (0: never) */
	/* A LOCAL side's guard (handler_guarded): DHCP servers and routers, and floods, refused. */
	uint64_t drop_rogue, drop_flood;
	uint64_t rogue_logged, flood_logged;    /* when last logged (0: never) */
	struct guard_bucket flood;  /* its broadcast and multicast frames from the peer */
	struct aqm *aqm;        /* --queue-delay's controller, from the first frame captured */
	bool listening;         /* made by a BEGIN: the datagram path's listening side */
	struct dgpath dg;       /* the datagram path beside the link */
	char why[192];          /* why the data path lost the link or the device (handler_end) */
};

/* Are the port's frames pushed by a shared capture, not read from a descriptor of its own? */
static inline bool handler_port_pushed(const struct handler *h)
{
	return h->port.ops->bind != NULL;
}

/* Does it reconnect when its link drops (an RHANDLE)? */
static inline bool handler_reconnects(const struct handler *h)
{
	return h->redial && h->redial->reconnect;
}

/*
 * What the data path (handler_path.c) met that ends the link or the port,
 * why written in h->why. It does nothing about it: handler.c acts on it
 * (handler_settle: handler_link_lost, handler_device_lost), after the path
 * function returns and touches the handler no more.
 */
enum handler_end {
	HANDLER_GOES_ON,        /* nothing: the handler goes on */
	HANDLER_LINK_LOST,      /* the link failed: close, or redial (a reconnecting handler) */
	HANDLER_DEVICE_LOST,    /* the port's device is gone: close, or wait for it (H_NODEV) */
};

/*
 * handler_path.c. The epoll interest of port and link (and the shared
 * capture's pause) for the queues' state.
 */
void handler_update_interest(struct handler *h);
/* The port_hold timer's callback: read the port again after an odd receive error. */
void handler_port_unhold(struct loop_timer *t);
/* A link was attached: inject what came with it, send what is queued, then the interest. */
enum handler_end handler_link_begin(struct handler *h);
enum handler_end handler_keepalive(struct handler *h);  /* queue a keepalive and send it */
/* The port's and the link's epoll events (the loop's callbacks are handler.c's). */
enum handler_end handler_port_ready(struct handler *h, uint32_t events);
enum handler_end handler_link_ready(struct handler *h, uint32_t events);
/* The link's peer (raddr) is charged with the handler's queues, from connected to lost. */
void handler_peer_join(struct handler *h);
void handler_peer_sync(struct handler *h);  /* after the queues' content or memory changed */
void handler_peer_leave(struct handler *h);
/* A port of a shared capture: handler.c's struct port_client (port.h) is made of these. */
uint8_t *handler_client_room(void *ctx, bool deep);
size_t handler_client_deep_bytes(void *ctx);
void handler_client_take(void *ctx, const struct virtio_net_hdr *vh, size_t len);
void handler_client_down(void *ctx);
enum handler_end handler_client_flush(struct handler *h);
enum handler_end handler_client_writable(struct handler *h);

/*
 * The datagram path. The dialing side's offer, queued on the link
 * (secret: the link's; sealed: a TLS link's datagrams); the listening side keeps the secret for the offer
 * to come.
 */
void handler_dgram_begin(struct handler *h, const uint8_t secret[DGRAM_SECRET_LEN], bool sealed);
/* handler_inject.c. A line logged at most every every_ms (last: when it last was, 0 never): due now? */
bool handler_log_due(uint64_t *last, uint64_t every_ms);
/* Log a loop through h at most once a minute: the first time and whenever one is due. */
bool handler_loop_log_due(struct handler *h);
/*
 * Inject one frame from the peer (either path), unless refused or looping:
 * 0, or -EAGAIN (the port is full: not injected, nothing noted).
 */
int handler_deliver(struct handler *h, const struct frame_msg *msg);
/*
 * A frame from a datagram: injected as handler_deliver does, but small ones are
 * gathered to go in one call (handler_inject_flush); a frame the port cannot
 * take is lost (inject_drops), never waited for. 0.
 */
int handler_deliver_dgram(struct handler *h, const struct frame_msg *msg);
/* Inject the frames gathered (at the end of a wake-up that read datagrams). */
void handler_inject_flush(void);
/* handler_dgram.c. Datagrams: on the handler's own socket, or one for it from the daemon's. */
enum handler_end handler_dgram_ready(struct handler *h);
enum handler_end handler_dgram_in(struct handler *h, uint8_t *d, size_t len,
				  const struct sockaddr *from, socklen_t from_len);
/* Inject what the coalescing holds (after a batch of datagrams). */
enum handler_end handler_dgram_done(struct handler *h);

/* Frames the handler's device has seen (links: a fresh device list, or NULL to get one). */
uint64_t handler_device_frames(const struct handler *h, const struct nl_link *links, size_t n);
/* Its port's counters, those of its ports on devices now gone included (updated first). */
void handler_port_stats(struct handler *h, struct port_stats *st);

#endif
