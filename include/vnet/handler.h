/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handler.h - a bridge between a port and a peer daemon */
#ifndef VNET_HANDLER_H
#define VNET_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/buf.h"
#include "vnet/common.h"
#include "vnet/dial.h"
#include "vnet/mac.h"
#include "vnet/netlink.h"
#include "vnet/port.h"
#include "vnet/proto.h"

struct daemon;
struct conn;

struct handler_spec {
	enum vnet_config conf, peer_conf;
	char dev[PROTO_DEV_MAX], peer_dev[PROTO_DEV_MAX];
	const struct mac_pattern *macs;     /* nmacs; a handler holds a copy of its own */
	size_t nmacs;
};
/*
 * The spec of a handler from a request: a HANDLE/RHANDLE (remote_side false:
 * we are its "local" side), or a BEGIN, whose "remote" side is us. Its
 * address list is the request's (not copied): use it while r lives.
 */
void handler_spec_of(const struct proto_req *r, bool remote_side, struct handler_spec *spec);
/*
 * What a handler is made of; tx_pre, rx_pre, redial and key may be NULL.
 * password: the one the link logged in with (the datagram path's keys come
 * from it on a link in clear); listening: made by a BEGIN.
 */
struct handler_params {
	struct conn *link;
	struct port *port;
	struct handler_spec spec;
	const struct buf *tx_pre, *rx_pre;
	const struct proto_req *redial;
	const struct dial_key *key;
	const char *password;
	bool listening;
};
/*
 * Create a handler over a connected link and an opened port (both taken
 * over, even on failure). tx_pre is sent to the peer first; rx_pre holds bytes
 * already read from it. With redial (the request that made it, password
 * included) and key (that of its first dial, or NULL), the handler dials again
 * with that key (no derivation again) when its device comes back after it was
 * removed, and, an RHANDLE (redial->reconnect), whenever its link drops, until
 * CLOSE; a reconnecting handler may start without a link (link NULL, rx_pre
 * empty).
 * The port's device is checked again first (renamed or removed since the
 * port was opened: refused, "device X was renamed Y").
 * Returns the handler's id, or 0 with err set.
 */
unsigned long handler_create(struct daemon *d, const struct handler_params *p, char *err,
			     size_t errlen);
/* Close the handler of that id, logging why; false if there is none. */
bool handler_close_id(struct daemon *d, unsigned long id, const char *why);
/* Datagrams on the daemon's socket fd: each to the handler its receiver index names. */
void handler_datagrams(struct daemon *d, int fd);
void handler_close_all(struct daemon *d);
/*
 * A device was removed or renamed: the handlers on it close, or wait for
 * their device (handler_device_lost); a device appeared (not removed): those
 * waiting for its name take it.
 */
void handler_link_changed(struct daemon *d, int ifindex, const char *name, bool removed);
/* Notifications were lost: check every handler's device by hand. */
void handler_check_devices(struct daemon *d);
/*
 * The handlers, in order of creation, each held so that it can still be
 * described once it closes (an answer being sent lists it): an array of *n,
 * to give back with handler_put_all(). NULL with *n 0 if there are none, or
 * NULL with *n set if out of memory.
 */
struct handler;
struct handler **handler_hold_all(struct daemon *d, size_t *n);
void handler_put_all(struct handler **hs, size_t n);
/*
 * What STATS? and the metrics say of a handler: its counters at one moment
 * (handler_counters), plain data that outlives the handler.
 */
struct handler_counters {
	unsigned long id;
	const char *state;              /* a string constant: up, waiting... closed */
	bool reconnecting;
	char dev[PROTO_DEV_MAX];
	char peer[VNET_HOST_MAX + 9];   /* HOST:PORT ([IPv6]:PORT), or where it tries to go */
	uint64_t up;                    /* 1 while its link carries frames, else 0 */
	uint64_t uptime_s, reconnects;
	uint64_t out_frames, out_bytes, in_frames, in_bytes;
	uint64_t drop_filter, drop_queue, drop_inject, drop_oversize, drop_unlisted, drop_offload;
	uint64_t drop_aqm, mark_aqm, drop_device, drop_loop, drop_capture;
	uint64_t rtt_us;                /* the link's smoothed RTT (TCP_INFO), 0 without a link */
	const char *path;               /* a string constant: udp, tcp or tcp-fallback */
	uint64_t udp;                   /* 1 while frames go as datagrams, else 0 */
	uint64_t udp_out, udp_out_bytes, udp_in, udp_in_bytes;
	uint64_t drop_auth, drop_replay, udp_big, drop_udp;
	uint64_t drop_rogue, drop_flood;
};
/* Fill c with h's counters (links: a fresh device list, or NULL to get one). */
void handler_counters(struct handler *h, const struct nl_link *links, size_t nlinks,
		      struct handler_counters *c);
/* STATS? line of h (links: a fresh device list), without newline; -1 if it does not fit. */
int handler_stats(struct handler *h, const struct nl_link *links, size_t nlinks,
		  char *out, size_t cap);
/* HANDLERS? line of h, without newline; -1 if it does not fit. */
int handler_describe(const struct handler *h, char *out, size_t cap);

#endif
