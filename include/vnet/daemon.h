/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.h - the daemon: its configuration, its descriptors and its tables
 *
 * One struct daemon per process (vnet.c's main fills its configuration from
 * the command line). daemon.c owns the loop, listeners, signals, link
 * notifications, the TAP devices and the resolver; daemon_tables.c, below
 * the modules that use them, the tables of sessions, handlers, dials and
 * handlers-file lines. The other modules read it, and enter or leave its
 * tables through the daemon_* functions below "The tables".
 */
#ifndef VNET_DAEMON_H
#define VNET_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/args.h"
#include "vnet/capture.h"
#include "vnet/list.h"
#include "vnet/loop.h"
#include "vnet/loopguard.h"
#include "vnet/netlink.h"
#include "vnet/peer.h"
#include "vnet/penalty.h"
#include "vnet/port.h"
#include "vnet/proto.h"
#include "vnet/resolve.h"
#include "vnet/tls.h"

#define DAEMON_LISTEN_MAX 8
#define DAEMON_ID_BUCKETS 4096  /* the table of handlers by id (a power of 2) */

/* A handler's place in the table by id (embedded in the handler). */
struct daemon_id {
	struct list node;
	unsigned long id;
};

/* The command line's choices that only start-up uses. */
struct daemon_listener {
	struct loop_io io;
	struct daemon *d;
};

struct daemon {
	/*
	 * Configuration: the command line as args_parse (args.c) filled it,
	 * kept as it is (a link is dead after 3 times keepalive_ms).
	 */
	struct args cfg;
	size_t *device_macs;        /* for each -d device: the addresses its handlers list */

	/* Descriptors and helpers (daemon.c). */
	struct loop loop;
	struct daemon_listener listeners[DAEMON_LISTEN_MAX];
	size_t nlisten;
	struct daemon_listener udp[DAEMON_LISTEN_MAX];  /* datagrams (handlers' path), unless --udp off */
	size_t nudp;
	int udp_fd4, udp_fd6;       /* of them, those that answer IPv4 and IPv6 peers (-1: none) */
	uint16_t udp_port;
	uint64_t dgram_unknown;     /* datagrams for no handler of ours */
	struct loop_io signal_io, link_io;
	struct nl_monitor *links;   /* link notifications */
	struct port_taps tapdevs;   /* the TAP devices created from the taps list */
	struct capture_set captures; /* the other devices' shared captures (or none: classic) */
	struct resolver resolver;   /* names and keys, off the loop */
	int spare_fd;               /* kept for a connection when descriptors run out */
	struct loop_timer shortage; /* set while they do */
	struct {
		uint64_t last, logged;  /* the last shortage, the last line about them */
		int err;                /* errno of the last one */
		unsigned int let_in, refused, paused;   /* since the last line */
	} fd_short;
	struct metrics *metrics;    /* --metrics: its HTTP endpoint (metrics.c), or NULL */
	struct {                    /* since start, for the metrics */
		uint64_t logins_failed; /* wrong password, or a failed TLS handshake */
		uint64_t evicted;       /* connections not logged in closed to make room */
		uint64_t refused;       /* connections refused: too many */
		uint64_t scrapes;       /* of the metrics endpoint */
	} counts;
	struct {
		uint64_t last;          /* "too many connections": the last line */
		unsigned int unlogged;  /* refusals since */
	} refused;

	/* Tables (daemon_tables.c: entered and left through daemon_*). */
	struct list sessions;       /* control connections (session.c) */
	size_t nsessions;
	struct list preauth;        /* of them, those not logged in, in order of arrival */
	size_t npreauth;
	size_t conn_cap;            /* VNET_CONN_MAX, less while descriptors run short */
	struct list handlers;       /* handlers (handler.c), in order of creation */
	size_t nhandlers;
	struct list handler_ids[DAEMON_ID_BUCKETS];    /* the same, by id */
	unsigned long next_id;
	struct list dials;          /* dials in progress (dial.c) */
	struct list boots;          /* the handlers file's lines, with their handlers (hfile.c) */
	size_t boot_dials;          /* of them, being dialed */
	struct penalty_table penalties; /* failed logins, by address (penalty.c) */
	struct peer_table peers;    /* what the handlers queue toward each peer (peer.c) */
	struct loopguard guard;     /* frames injected lately (loopguard.c) */
	uint64_t instance;          /* random, this run's: a HANDLE to itself is refused */
	unsigned int reloads;       /* SIGHUPs so far (daemon.c) */
};

/* Before the command line is read into d->cfg: defaults and empty tables. */
void daemon_init(struct daemon *d);
/*
 * Start: TLS, the loop, the TAP devices, the listeners, the handlers file,
 * privileges dropped; then ready. 0, or -errno once the reason is logged.
 */
int daemon_start(struct daemon *d);
/* Serve until a signal stops the daemon; close everything. 0 or -errno. */
int daemon_run(struct daemon *d);

/* The tables (daemon_tables.c). Empty tables, for daemon_init. */
void daemon_tables_init(struct daemon *d);
/* Is dev one of the -d devices? */
bool daemon_device_allowed(const struct daemon *d, const char *dev);
void daemon_session_add(struct daemon *d, struct list *node);
void daemon_session_del(struct daemon *d, struct list *node);
void daemon_preauth_add(struct daemon *d, struct list *node);
void daemon_preauth_del(struct daemon *d, struct list *node);   /* if it is there */
/*
 * Room for one more handler of nmacs addresses on dev (the limits on
 * handlers, and on addresses per handler and per device)? False with why.
 */
bool daemon_handler_fits(const struct daemon *d, const char *dev, size_t nmacs, char *why,
			 size_t len);
/* A new handler of nmacs addresses on dev (it fits): its id, also set in idn. */
unsigned long daemon_handler_add(struct daemon *d, struct list *node, struct daemon_id *idn,
				 const char *dev, size_t nmacs);
void daemon_handler_del(struct daemon *d, struct list *node, struct daemon_id *idn,
			const char *dev, size_t nmacs);
/* The handler of that id, or NULL. */
struct daemon_id *daemon_handler_find(const struct daemon *d, unsigned long id);
void daemon_dial_add(struct daemon *d, struct list *node);
void daemon_dial_del(struct daemon *d, struct list *node);
void daemon_boot_add(struct daemon *d, struct list *node);
void daemon_boot_del(struct daemon *d, struct list *node);

#endif
