/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.h - the daemon's state, shared by its modules, and their entry points */
#ifndef VNET_DAEMON_H
#define VNET_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/buf.h"
#include "vnet/list.h"
#include "vnet/loop.h"
#include "vnet/netlink.h"
#include "vnet/port.h"
#include "vnet/proto.h"
#include "vnet/tls.h"

#define DAEMON_LISTEN_MAX 8

struct daemon {
	struct loop loop;
	char password[VNET_PASSWORD_MAX + 1];
	char **devices;             /* the -d list (TAP names without "tap:") */
	size_t ndevices;
	char **taps;                /* the TAP devices to create (into argv) */
	size_t ntaps;
	struct loop_io listen_io[DAEMON_LISTEN_MAX];
	size_t nlisten;
	struct loop_io timer_io, signal_io, link_io;
	struct nl_monitor *links;   /* link notifications */
	struct list sessions;
	size_t nsessions;
	size_t conn_cap;            /* VNET_CONN_MAX, less while descriptors run short */
	struct list handlers;
	size_t nhandlers;
	unsigned long next_id;
	bool tls;                   /* -s: TLS on every connection */
	uint32_t keepalive_ms;      /* --keepalive; a link is dead after 3 times this */
};

bool daemon_device_allowed(const struct daemon *d, const char *dev);

/* session.c: one control connection */
struct session;
/*
 * Take a new connection, closing one not logged in to make room if the table
 * is full or no_fd (there was no descriptor for it: close one whatever the
 * count). 0 if taken, -EBUSY if refused (NOK too many connections), -errno.
 */
int session_accept(struct daemon *d, int fd, bool no_fd);
/* d->conn_cap was lowered: close connections not logged in down to it. */
void session_shrink(struct daemon *d);
void session_tick(struct daemon *d, uint64_t now);
void session_close_all(struct daemon *d);

/* dial.c: the outgoing connection of a HANDLE request */
struct dial;
struct conn;
/*
 * The dial is over: link is the connection after BEGIN's OK (the callee takes
 * it over; rx holds bytes already read from it), or NULL and err says why.
 */
typedef void (*dial_cb)(void *arg, struct conn *link, const struct buf *rx, const char *err);
/*
 * The TLS key of a peer's password (key mode), derived once (slow on purpose)
 * and kept by whoever dials that peer again, a reconnecting handler.
 */
struct dial_key {
	bool have;
	uint8_t key[TLS_KEY_LEN];
};
/*
 * Connect to req's peer daemon, HELLO and BEGIN; 0 or -errno with err set.
 * key (or NULL): a key derived before is used instead of deriving one; else
 * the key derived is stored there (its owner outlives the dial or cancels it).
 */
int dial_start(struct daemon *d, const struct proto_req *req, struct dial_key *key, dial_cb cb,
	       void *arg, struct dial **out, char *err, size_t errlen);
/* Abandon a dial: the callback will not run. */
void dial_cancel(struct dial *dl);
/* Fail the dials that ran out of time. */
void dial_tick_all(uint64_t now);

/* handler.c: a bridge between a port and a peer daemon */
struct handler_spec {
	enum vnet_config conf, peer_conf;
	char dev[PROTO_DEV_MAX], peer_dev[PROTO_DEV_MAX];
	struct mac_pattern macs[VNET_MACS_MAX];
	size_t nmacs;
};
/*
 * The spec of a handler from a request: a HANDLE/RHANDLE (remote_side false:
 * we are its "local" side), or a BEGIN, whose "remote" side is us.
 */
void handler_spec_of(const struct proto_req *r, bool remote_side, struct handler_spec *spec);
/*
 * Create a handler over a connected link and an opened port (both taken
 * over, even on failure). tx_pre is sent to the peer first; rx_pre holds bytes
 * already read from it. With redial (the request that made it, password
 * included) and key (that of its first dial, or NULL), the handler dials again
 * whenever its link drops, until CLOSE, with that key: no derivation again;
 * a reconnecting handler may start without a link (link NULL, rx_pre empty).
 * The port's device is checked again first (renamed or removed since the
 * port was opened: refused, "device X was renamed Y").
 * Returns the handler's id, or 0 with err set.
 */
unsigned long handler_create(struct daemon *d, struct conn *link, struct port *port,
			     const struct handler_spec *spec, const struct buf *tx_pre,
			     const struct buf *rx_pre, const struct proto_req *redial,
			     const struct dial_key *key, char *err, size_t errlen);
bool handler_close_id(struct daemon *d, unsigned long id);
void handler_close_all(struct daemon *d);
void handler_tick(struct daemon *d, uint64_t now);
/* A device was removed or renamed: close the handlers on it. */
void handler_link_changed(struct daemon *d, int ifindex, const char *name, bool removed);
/* Notifications were lost: check every handler's device by hand. */
void handler_check_devices(struct daemon *d);
/* STATS? line for the i-th handler (links: a fresh device list), without newline; -1 if none. */
int handler_stats(const struct daemon *d, size_t i, const struct nl_link *links, size_t nlinks,
		  char *out, size_t cap);
/* HANDLERS? line for the i-th handler, without newline; -1 if none. */
int handler_describe(const struct daemon *d, size_t i, char *out, size_t cap);

/*
 * hfile.c: --handlers FILE: read it (0, or -errno if it cannot be read or
 * is refused: group or others may write it, or it belongs to neither root
 * nor vnet's user, the current one or user, the --user to come),
 */
int hfile_load(struct daemon *d, const char *path, const char *user);
/* then, once the loop runs, dial its handlers. */
void hfile_start(void);

/* resolve.c: name resolution off the loop (getaddrinfo in a thread) */
struct resolve_job;
struct addrinfo;
typedef void (*resolve_cb)(void *arg, struct addrinfo *res, int gai_err, const uint8_t *key);
int resolve_init(struct loop *l);
/*
 * Resolve host:port for TCP and, if password is given, derive its TLS key
 * (slow on purpose); cb runs in the loop (it owns res; key is wiped after).
 * NULL on error.
 */
struct resolve_job *resolve_start(const char *host, uint16_t port, const char *password,
				  resolve_cb cb, void *arg);
/* The callback will not run; the result is freed. */
void resolve_cancel(struct resolve_job *job);

#endif
