/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session_int.h - a session's insides, shared by session.c (its states and
 * requests) and session_room.c (which ones make room for a new connection).
 * No other module includes this.
 */
#ifndef VNET_SESSION_INT_H
#define VNET_SESSION_INT_H

#include <netinet/in.h>
#include <stdbool.h>

#include "vnet/addr.h"
#include "vnet/admit.h"
#include "vnet/buf.h"
#include "vnet/dial.h"
#include "vnet/handle.h"
#include "vnet/list.h"
#include "vnet/loop.h"
#include "vnet/port.h"
#include "vnet/proto.h"

struct daemon;
struct handler;
struct nl_link;

/*
 * A HANDLERS? or STATS? answer being sent: its lines are made as the client
 * reads them (session_flush), from the handlers there were when it was asked
 * (held: one that closes meanwhile is still listed). The session reads no
 * further request until it is over.
 */
struct session_stream {
	bool on;
	enum proto_cmd cmd;         /* PROTO_HANDLERS or PROTO_STATS */
	struct handler **hs;        /* hs[next..n) are still to be sent */
	size_t n, next;
	struct nl_link *links;      /* STATS?: the devices' counters, read once */
	size_t nlinks;
};

enum session_state {
	SES_TLS_PENALTY,    /* -s, its address failed lately: the handshake waits its turn */
	SES_TLS_PEEK,       /* -s: does the first byte start a TLS handshake? */
	SES_TLS,            /* -s: TLS handshake */
	SES_HELLO_PENALTY,  /* its address failed lately: the HELLO read waits its turn */
	SES_HELLO,          /* waiting for HELLO */
	SES_READY,          /* authenticated */
	SES_DIALING,        /* a HANDLE is in progress */
	SES_CLOSING,        /* flushing a last reply */
};

struct session {
	struct list node;           /* in the daemon's sessions */
	struct list pre_node;       /* and while not logged in, in its preauth (in order) */
	struct daemon *d;
	struct loop_io io;
	struct loop_timer timer;    /* the state's deadline */
	struct conn *conn;
	struct buf in, out;
	enum session_state state;
	bool admitted;          /* let in after waiting out its address's penalty */
	bool doomed;            /* picked to make room (session_room.c): closed next */
	bool got_bytes;
	struct session_stream stream;
	bool resume;            /* a stream is over: run the requests buffered behind it */
	struct handle_job handle;   /* the HANDLE being dialed (handle.c) */
	struct in6_addr ip;     /* the client's address (IPv4 mapped) */
	struct in6_addr prefix; /* and its /24 or /64 (admit_prefix) */
	char peer[ADDR_STRLEN + 8];
};

/*
 * session_room.c: whom to close to make room, those not logged in that
 * admit.c picks; the caller closes them all, in this order (session_evict).
 */
struct session_room {
	struct session *victims[2 * ADMIT_MAX];
	size_t n;
};
/*
 * May a new connection from prefix be taken, once r's are closed (no_fd:
 * there was no descriptor for it, one must close whatever the count)?
 */
bool session_room_make(struct daemon *d, const struct in6_addr *prefix, bool no_fd,
		       struct session_room *r);
/* d->conn_cap was lowered: those to close down to it. */
void session_room_shrink(struct daemon *d, struct session_room *r);
/* sa as an IPv6 address (IPv4 mapped), for the penalty table; :: if neither family. */
void session_peer_ip(const struct sockaddr *sa, struct in6_addr *ip);

#endif
