// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - one control connection: HELLO, then requests, one a line
 *
 * A session accepts exactly the requests of its state: HELLO first (anything
 * else, a wrong password or an unknown version is answered NOK and closed),
 * then DONE, DEVICES?, HANDLERS?, CLOSE, HANDLE and BEGIN. While a HANDLE
 * dials the peer daemon, the session reads nothing more. BEGIN hands the
 * connection over to a new handler.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnet/addr.h"
#include "vnet/admit.h"
#include "vnet/conn.h"
#include "vnet/daemon.h"
#include "vnet/log.h"
#include "vnet/netlink.h"

#define SESSION_OUT_MAX  (512 * 1024)
#define SESSION_CLOSE_MS 5000   /* time to flush a last reply */

enum session_state {
	SES_TLS,        /* TLS handshake (-s) */
	SES_WAIT,       /* its address failed to authenticate lately: HELLO waits */
	SES_HELLO,      /* waiting for HELLO */
	SES_READY,      /* authenticated */
	SES_DIALING,    /* a HANDLE is in progress */
	SES_CLOSING,    /* flushing a last reply */
};

struct session {
	struct list node;
	struct daemon *d;
	struct loop_io io;
	struct conn *conn;
	struct buf in, out;
	enum session_state state;
	bool tls_checked;       /* the first byte looked like TLS */
	bool tls_done;
	bool admitted;          /* let in after waiting out its address's penalty */
	bool got_bytes;
	uint64_t deadline;      /* 0: none */
	struct dial *dial;
	struct proto_req pending;   /* the HANDLE being dialed (password included) */
	struct dial_key pending_key;    /* its TLS key, for a reconnecting handler */
	struct port port;           /* and its port, opened before dialing */
	struct in6_addr ip;     /* the client's address (IPv4 mapped) */
	struct in6_addr prefix; /* and its /24 or /64 (admit_prefix) */
	char peer[ADDR_STRLEN + 8];
};

/*
 * Failed HELLOs slow their source address down: each failure pushes the
 * moment its next HELLO is looked at further away (250 ms, doubling, at most
 * 5 s a failure), so guesses from one address, even on parallel connections,
 * come one at a time. Sixty seconds without a failure forgive it all.
 */
#define PENALTY_SLOTS     256
#define PENALTY_BASE_MS   250
#define PENALTY_MAX_MS    5000
#define PENALTY_FORGET_MS 60000

struct penalty {
	struct in6_addr ip;
	unsigned int fails;
	uint64_t next_ok, last_fail;
};

static struct penalty penalties[PENALTY_SLOTS];

static struct penalty *penalty_find(const struct in6_addr *ip, bool create, uint64_t now)
{
	struct penalty *oldest = &penalties[0];

	for (size_t i = 0; i < PENALTY_SLOTS; i++) {
		struct penalty *p = &penalties[i];

		if (p->fails && now - p->last_fail > PENALTY_FORGET_MS && now > p->next_ok &&
		    now - p->next_ok > PENALTY_FORGET_MS)
			memset(p, 0, sizeof(*p));
		if (p->fails && !memcmp(&p->ip, ip, sizeof(*ip)))
			return p;
		if (p->last_fail < oldest->last_fail)
			oldest = p;
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	oldest->ip = *ip;
	return oldest;
}

/* Milliseconds the next HELLO from s's address must wait. */
static uint64_t penalty_left(const struct session *s, uint64_t now)
{
	struct penalty *p = penalty_find(&s->ip, false, now);

	return p && p->next_ok > now ? p->next_ok - now : 0;
}

/*
 * A waiting attempt from a penalized address goes ahead: the next one waits
 * another delay, so parallel connections are let in one at a time.
 */
static void penalty_admit(const struct session *s, uint64_t now)
{
	struct penalty *p = penalty_find(&s->ip, false, now);
	unsigned int shift;

	if (!p)
		return;
	shift = p->fails - 1 < 5 ? p->fails - 1 : 5;
	p->next_ok = now + ((uint64_t)PENALTY_BASE_MS << shift > PENALTY_MAX_MS ?
			    PENALTY_MAX_MS : (uint64_t)PENALTY_BASE_MS << shift);
}

static uint64_t penalty_fail(const struct session *s, uint64_t now)
{
	struct penalty *p = penalty_find(&s->ip, true, now);
	unsigned int shift = p->fails < 5 ? p->fails : 5;
	uint64_t delay = (uint64_t)PENALTY_BASE_MS << shift;

	if (delay > PENALTY_MAX_MS)
		delay = PENALTY_MAX_MS;
	p->fails++;
	p->last_fail = now;
	p->next_ok = (p->next_ok > now ? p->next_ok : now) + delay;
	return p->next_ok - now;
}

static void penalty_forgive(const struct session *s, uint64_t now)
{
	struct penalty *p = penalty_find(&s->ip, false, now);

	if (p)
		memset(p, 0, sizeof(*p));
}

static void session_free(void *p)
{
	struct session *s = p;

	conn_free(s->conn);
	buf_free(&s->in);
	buf_free(&s->out);
	free(s);
}

static void session_close(struct session *s)
{
	if (s->io.fd < 0 && s->node.next == &s->node)
		return;
	if (s->dial) {
		dial_cancel(s->dial);
		s->dial = NULL;
		s->port.ops->close(&s->port);
		proto_req_wipe(&s->pending);
		explicit_bzero(&s->pending_key, sizeof(s->pending_key));
	}
	log_debug("%s: connection closed", s->peer);
	loop_detach(&s->d->loop, &s->io);
	conn_free(s->conn);
	s->conn = NULL;
	list_del(&s->node);
	s->d->nsessions--;
	loop_defer(&s->d->loop, session_free, s);
}

/* Write what is queued; false if the session was closed. */
static bool session_flush(struct session *s)
{
	while (buf_len(&s->out)) {
		ssize_t n = conn_write(s->conn, buf_head(&s->out), buf_len(&s->out));

		if (n < 0) {
			if (n == -EAGAIN) {
				loop_want(&s->d->loop, &s->io, EPOLLOUT, true);
				return true;
			}
			log_debug("%s: send: %s", s->peer, conn_error(s->conn));
			session_close(s);
			return false;
		}
		buf_consume(&s->out, (size_t)n);
	}
	loop_want(&s->d->loop, &s->io, EPOLLOUT, false);
	if (s->state == SES_CLOSING) {
		session_close(s);
		return false;
	}
	return true;
}

static void session_printf(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void session_end(struct session *s);

/* Queue a line (fmt has no newline); an overflowing client is dropped. */
static void session_printf(struct session *s, const char *fmt, ...)
{
	char line[VNET_LINE_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (!buf_put(&s->out, line, (size_t)n)) {
		log_warn("%s: client does not read its replies: closing", s->peer);
		buf_consume(&s->out, buf_len(&s->out));
		session_end(s);
	}
}

/* Read nothing more; close once the replies are out (or after a few seconds). */
static void session_end(struct session *s)
{
	s->state = SES_CLOSING;
	s->deadline = loop_now_ms() + SESSION_CLOSE_MS;
	loop_want(&s->d->loop, &s->io, EPOLLIN, false);
}

/* Answer NOK and close: for anything before authentication, and bad lines. */
static void session_refuse(struct session *s, const char *reason)
{
	session_printf(s, "NOK %s", reason);
	session_end(s);
}

static void do_hello(struct session *s, struct proto_req *req)
{
	if (!proto_version_supported(req->version)) {
		log_info("%s: unsupported protocol version %s", s->peer, req->version);
		char why[64];

		snprintf(why, sizeof(why), "unsupported version %s", req->version);
		session_refuse(s, why);
		return;
	}
	if (!proto_secret_equal(req->password, s->d->password)) {
		uint64_t wait = penalty_fail(s, loop_now_ms());

		log_warn("%s: authentication failed (its next HELLO waits %llu ms)", s->peer,
			 (unsigned long long)wait);
		session_refuse(s, "authentication failed");
		return;
	}
	penalty_forgive(s, loop_now_ms());
	log_debug("%s: authenticated (version %s)", s->peer, req->version);
	s->state = SES_READY;
	s->deadline = 0;
	session_printf(s, "OK %s", req->version);
}

static void do_devices(struct session *s)
{
	struct nl_link *links = NULL;
	size_t n = 0;
	int ret = nl_links(&links, &n);

	if (ret < 0) {
		session_printf(s, "NOK cannot list devices: %s", strerror(-ret));
		return;
	}
	session_printf(s, "OK devices");
	session_printf(s, "%zu", s->d->ndevices);
	for (size_t i = 0; i < s->d->ndevices; i++) {
		const char *name = s->d->devices[i];
		const struct nl_link *l = NULL;
		char mac[MAC_STRLEN] = "-";

		for (size_t j = 0; j < n && !l; j++)
			if (!strcmp(links[j].name, name))
				l = &links[j];
		if (!l) {
			session_printf(s, "%s - 0 absent", name);
			continue;
		}
		if (l->has_mac)
			mac_format(&l->mac, mac);
		session_printf(s, "%s %s %u %s", name, mac, l->mtu, l->up ? "up" : "down");
	}
	free(links);
}

static void do_handlers(struct session *s)
{
	char line[VNET_LINE_MAX];

	session_printf(s, "OK handlers");
	session_printf(s, "%zu", s->d->nhandlers);
	for (size_t i = 0; handler_describe(s->d, i, line, sizeof(line)) >= 0; i++)
		session_printf(s, "%s", line);
}

static void do_stats(struct session *s)
{
	struct nl_link *links = NULL;
	size_t n = 0;
	char line[VNET_LINE_MAX];

	if (nl_links(&links, &n) < 0)
		n = 0;
	session_printf(s, "OK stats");
	session_printf(s, "%zu", s->d->nhandlers);
	for (size_t i = 0; handler_stats(s->d, i, links, n, line, sizeof(line)) >= 0; i++)
		session_printf(s, "%s", line);
	free(links);
}

static bool check_device(struct session *s, const char *dev)
{
	if (!daemon_device_allowed(s->d, dev)) {
		session_printf(s, "NOK device %s is not one of this daemon's devices", dev);
		return false;
	}
	return true;
}

static bool check_capacity(struct session *s)
{
	if (s->d->nhandlers >= VNET_HANDLERS_MAX) {
		session_printf(s, "NOK too many handlers (at most %d)", VNET_HANDLERS_MAX);
		return false;
	}
	return true;
}

static void session_dialed(void *arg, struct conn *link, const struct buf *rx, const char *err);
static bool session_lines(struct session *s);

static void do_handle(struct session *s, struct proto_req *req)
{
	char err[256];

	if (!check_device(s, req->ldev) || !check_capacity(s))
		return;
	/* The local side first: a bad device fails at once, before any dialing. */
	if (port_open(&s->port, req->ldev, req->lconf, req->macs, req->nmacs, err,
		      sizeof(err)) < 0) {
		session_printf(s, "NOK %s", err);
		return;
	}
	s->pending = *req;
	if (dial_start(s->d, req, &s->pending_key, session_dialed, s, &s->dial, err,
		       sizeof(err)) < 0) {
		s->port.ops->close(&s->port);
		proto_req_wipe(&s->pending);
		session_printf(s, "NOK %s", err);
		return;
	}
	s->state = SES_DIALING;
	loop_want(&s->d->loop, &s->io, EPOLLIN, false);
}

/* HANDLE's dial is over: make the handler, answer. */
static void session_dialed(void *arg, struct conn *link, const struct buf *rx, const char *err)
{
	struct session *s = arg;
	const struct proto_req *r = &s->pending;
	struct handler_spec spec;
	struct buf none = { 0 };
	char why[256];
	unsigned long id = 0;

	s->dial = NULL;
	if (link) {
		handler_spec_of(r, false, &spec);
		id = handler_create(s->d, link, &s->port, &spec, &none, rx,
				    r->reconnect ? r : NULL, &s->pending_key, why, sizeof(why));
		if (!id)
			log_warn("%s: HANDLE on %s refused: %s", s->peer, r->ldev, why);
		err = why;
	} else {
		s->port.ops->close(&s->port);
	}
	proto_req_wipe(&s->pending);
	explicit_bzero(&s->pending_key, sizeof(s->pending_key));
	s->state = SES_READY;
	if (id)
		session_printf(s, "OK %lu", id);
	else
		session_printf(s, "NOK %s", err);
	loop_want(&s->d->loop, &s->io, EPOLLIN, true);
	/* Requests that arrived meanwhile are buffered (here or in TLS): run them now. */
	if (session_lines(s) && conn_pending(s->conn))
		loop_kick(&s->d->loop, &s->io);
}

/*
 * BEGIN: the initiator's "remote" side is ours. Accepted, the connection is
 * handed over to a new handler (true); refused, the session stays in its
 * text phase, as in the seed's exchange (NOK, then the client tries again).
 */
static bool do_begin(struct session *s, struct proto_req *req, size_t line_used)
{
	struct handler_spec spec;
	struct port port;
	struct conn *conn;
	char err[256];
	unsigned long id;

	handler_spec_of(req, true, &spec);
	if (!check_device(s, req->rdev) || !check_capacity(s))
		return false;
	if (port_open(&port, req->rdev, spec.conf, req->macs, req->nmacs, err,
			     sizeof(err)) < 0) {
		log_warn("%s: BEGIN on %s refused: %s", s->peer, req->rdev, err);
		session_printf(s, "NOK %s", err);
		return false;
	}

	session_printf(s, "OK");
	buf_consume(&s->in, line_used);
	/* Hand the connection over: out of the loop without closing it. */
	loop_detach(&s->d->loop, &s->io);
	conn = s->conn;
	s->conn = NULL;
	id = handler_create(s->d, conn, &port, &spec, &s->out, &s->in, NULL, NULL, err,
			    sizeof(err));
	if (!id)
		log_warn("%s: BEGIN failed: %s", s->peer, err);
	session_close(s);
	return true;
}

/* One request line; returns false once the session must read no further. */
static bool session_request(struct session *s, char *line, size_t used)
{
	struct proto_req req;
	char err[256];
	bool go_on = true;

	if (!proto_parse(line, &req, err, sizeof(err))) {
		if (s->state == SES_HELLO) {
			session_refuse(s, err);
			return false;
		}
		session_printf(s, "NOK %s", err);
		return true;
	}
	if (s->state == SES_HELLO && req.cmd != PROTO_HELLO) {
		session_refuse(s, "say HELLO first");
		go_on = false;
		goto out;
	}
	switch (req.cmd) {
	case PROTO_HELLO:
		if (s->state != SES_HELLO)
			session_printf(s, "NOK already authenticated");
		else
			do_hello(s, &req);
		break;
	case PROTO_DONE:
		session_printf(s, "OK bye");
		session_end(s);
		break;
	case PROTO_DEVICES:
		do_devices(s);
		break;
	case PROTO_HANDLERS:
		do_handlers(s);
		break;
	case PROTO_STATS:
		do_stats(s);
		break;
	case PROTO_CLOSE:
		if (handler_close_id(s->d, req.id))
			session_printf(s, "OK closed %lu", req.id);
		else
			session_printf(s, "NOK no handler %lu", req.id);
		break;
	case PROTO_HANDLE:
		do_handle(s, &req);
		break;
	case PROTO_BEGIN:
		if (do_begin(s, &req, used)) {
			go_on = false;
			goto out;
		}
		break;
	}
	go_on = s->state == SES_HELLO || s->state == SES_READY;
out:
	proto_req_wipe(&req);
	return go_on;
}

/* Run the complete lines buffered; false if the session was closed or handed over. */
static bool session_lines(struct session *s)
{
	while (s->state == SES_HELLO || s->state == SES_READY) {
		size_t used;
		long len;
		uint64_t wait;

		if (s->state == SES_HELLO && !s->admitted && buf_len(&s->in) &&
		    (wait = penalty_left(s, loop_now_ms())) > 0) {
			log_debug("%s: HELLO delayed %llu ms (failed attempts)", s->peer,
				  (unsigned long long)wait);
			s->state = SES_WAIT;
			s->deadline = loop_now_ms() + wait;
			loop_want(&s->d->loop, &s->io, EPOLLIN, false);
			break;
		}
		len = buf_line(&s->in, &used);
		if (len < 0) {
			if (buf_len(&s->in) >= VNET_LINE_MAX) {
				log_info("%s: line too long", s->peer);
				session_refuse(s, "line too long");
			}
			break;
		}
		if ((size_t)len >= VNET_LINE_MAX) {
			session_refuse(s, "line too long");
			break;
		}
		if (!session_request(s, (char *)buf_head(&s->in), used)) {
			if (s->io.fd < 0)
				return false;   /* handed over (BEGIN) or closed */
			explicit_bzero(buf_head(&s->in), used);    /* passwords */
			buf_consume(&s->in, used);
			break;
		}
		explicit_bzero(buf_head(&s->in), used);
		buf_consume(&s->in, used);
	}
	if (s->io.fd >= 0 && s->state == SES_CLOSING && buf_len(&s->out) == 0) {
		session_close(s);
		return false;
	}
	return s->io.fd >= 0 && session_flush(s);
}

static void session_read(struct session *s)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n;

		if (s->state != SES_HELLO && s->state != SES_READY)
			return;
		if (!buf_reserve(&s->in, 512)) {
			session_refuse(s, "line too long");
			session_flush(s);
			return;
		}
		n = conn_read(s->conn, buf_tail(&s->in), buf_room(&s->in));
		if (n > 0 && !s->got_bytes && !conn_is_tls(s->conn) && buf_tail(&s->in)[0] == 0x16) {
			/* A TLS ClientHello: say so in clear rather than wait for a newline. */
			log_info("%s: TLS handshake, but this daemon runs without -s", s->peer);
			session_refuse(s, "this daemon does not use TLS (it runs without -s)");
			session_flush(s);
			return;
		}
		if (n > 0)
			s->got_bytes = true;
		if (n == 0) {
			/* Answer what was asked before the client half-closed. */
			session_lines(s);
			if (s->io.fd >= 0 && s->state != SES_DIALING && buf_len(&s->out) == 0)
				session_close(s);
			else if (s->io.fd >= 0 && s->state != SES_DIALING)
				session_end(s);
			else if (s->io.fd >= 0)
				loop_want(&s->d->loop, &s->io, EPOLLIN, false);
			return;
		}
		if (n < 0) {
			if (n != -EAGAIN) {
				log_debug("%s: receive: %s", s->peer, conn_error(s->conn));
				session_close(s);
			}
			return;
		}
		s->in.tail += (size_t)n;
		if (!session_lines(s))
			return;
	}
	if (conn_pending(s->conn))
		loop_kick(&s->d->loop, &s->io);
}

/* -s: check that the client speaks TLS, then shake hands. */
static void session_tls(struct session *s)
{
	int ret;

	if (!s->tls_checked) {
		uint8_t first;
		ssize_t n = recv(s->io.fd, &first, 1, MSG_PEEK | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			session_close(s);
			return;
		}
		if (first != 0x16) {
			static const char msg[] = "NOK this daemon requires TLS (use -s)\n";

			log_info("%s: a client without TLS on a daemon with -s: refused", s->peer);
			if (send(s->io.fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				log_debug("%s: send: %s", s->peer, strerror(errno));
			session_close(s);
			return;
		}
		s->tls_checked = true;
	}
	ret = conn_handshake(s->conn);
	if (ret == -EAGAIN) {
		loop_mod(&s->d->loop, &s->io, conn_handshake_events(s->conn));
		return;
	}
	if (ret < 0) {
		uint64_t wait = penalty_fail(s, loop_now_ms());

		log_warn("%s: %s (wrong password?); its next attempt waits %llu ms", s->peer,
			 conn_error(s->conn), (unsigned long long)wait);
		session_close(s);
		return;
	}
	s->tls_done = true;
	log_debug("%s: TLS 1.3 established (%s)", s->peer, conn_cipher(s->conn));
	s->state = SES_HELLO;
	s->deadline = loop_now_ms() + VNET_AUTH_TIMEOUT_MS;
	loop_mod(&s->d->loop, &s->io, EPOLLIN);
	if (conn_pending(s->conn))
		loop_kick(&s->d->loop, &s->io);
}

static void session_event(struct loop_io *io, uint32_t events)
{
	struct session *s = (struct session *)((char *)io - offsetof(struct session, io));

	if (s->state == SES_TLS) {
		session_tls(s);
		return;
	}
	if (events & EPOLLOUT) {
		if (!session_flush(s))
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (s->state == SES_DIALING || s->state == SES_CLOSING || s->state == SES_WAIT) {
			if (events & (EPOLLHUP | EPOLLERR))
				session_close(s);
			return;
		}
		session_read(s);
	}
}

static bool session_preauth(const struct session *s)
{
	return s->state == SES_TLS || s->state == SES_WAIT || s->state == SES_HELLO;
}

/*
 * Close count connections not logged in (only those of prefix, unless NULL),
 * each time the one admit_victim picks. Returns how many it closed: fewer if
 * only logged-in ones are left.
 */
static size_t session_evict(struct daemon *d, const struct in6_addr *prefix, size_t count)
{
	struct in6_addr ips[ADMIT_MAX];
	struct session *pre[ADMIT_MAX];
	struct list *pos, *tmp;
	size_t n = 0, closed;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		if (session_preauth(s) && (!prefix || admit_same(&s->prefix, prefix)) &&
		    n < ADMIT_MAX) {
			ips[n] = s->ip;
			pre[n++] = s;   /* the list is in order of arrival */
		}
	}
	for (closed = 0; closed < count && n; closed++) {
		size_t i = admit_victim(ips, n);

		log_debug("%s: closed to make room for a new connection", pre[i]->peer);
		session_close(pre[i]);
		memmove(&ips[i], &ips[i + 1], (n - i - 1) * sizeof(ips[0]));
		memmove(&pre[i], &pre[i + 1], (n - i - 1) * sizeof(pre[0]));
		n--;
	}
	return closed;
}

/*
 * May a new connection from prefix be taken? Connections that have not logged
 * in are limited per prefix (/24, /64): at the limit, the prefix's busiest
 * address loses its oldest. When every slot is taken (or no_fd: the new one
 * took the last descriptor), admit_victim picks one of all those not logged
 * in. Idle connections from one network, or from one host of it, can then
 * delay a client from elsewhere by a moment, never lock it out; only a table
 * of logged-in connections refuses.
 */
static bool session_make_room(struct daemon *d, const struct in6_addr *prefix, bool no_fd)
{
	struct list *pos, *tmp;
	size_t same = 0, need = 0;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		same += session_preauth(s) && admit_same(&s->prefix, prefix);
	}
	if (same >= VNET_CONN_PER_PREFIX &&
	    session_evict(d, prefix, same + 1 - VNET_CONN_PER_PREFIX))
		no_fd = false;  /* that freed a descriptor too */
	if (d->nsessions >= d->conn_cap)
		need = d->nsessions + 1 - d->conn_cap;
	else if (no_fd)
		need = 1;
	return session_evict(d, NULL, need) == need;
}

void session_shrink(struct daemon *d)
{
	if (d->nsessions > d->conn_cap)
		session_evict(d, NULL, d->nsessions - d->conn_cap);
}

/* The peer's address as an IPv6 address (IPv4 mapped), for the penalty table. */
static void ip_of(int fd, struct in6_addr *ip)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	memset(ip, 0, sizeof(*ip));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET6) {
		*ip = ((struct sockaddr_in6 *)&ss)->sin6_addr;
	} else if (ss.ss_family == AF_INET) {
		ip->s6_addr[10] = ip->s6_addr[11] = 0xff;
		memcpy(&ip->s6_addr[12], &((struct sockaddr_in *)&ss)->sin_addr, 4);
	}
}

int session_accept(struct daemon *d, int fd, bool no_fd)
{
	struct session *s;
	uint16_t port;
	char addr[ADDR_STRLEN];
	struct in6_addr ip, prefix;

	addr_sock(fd, 1, addr, &port);
	ip_of(fd, &ip);
	admit_prefix(&ip, &prefix);
	if (!session_make_room(d, &prefix, no_fd)) {
		static const char msg[] = "NOK too many connections\n";
		static uint64_t last_log;
		static unsigned int unlogged;
		uint64_t now = loop_now_ms();

		/* One line a second at most: a flood must not flood the log too. */
		if (now - last_log >= 1000) {
			log_warn("%s: too many connections: refused (%u more refused before)", addr,
				 unlogged);
			last_log = now;
			unlogged = 0;
		} else {
			unlogged++;
		}
		if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_debug("send: %s", strerror(errno));
		close(fd);
		return -EBUSY;
	}
	s = calloc(1, sizeof(*s));
	if (!s || buf_init(&s->in, 1024, 2 * VNET_LINE_MAX) < 0 ||
	    buf_init(&s->out, 1024, SESSION_OUT_MAX) < 0) {
		log_err("session_accept: out of memory");
		if (s)
			session_free(s);
		close(fd);
		return -ENOMEM;
	}
	s->conn = d->tls ? conn_new_tls_server(fd) : conn_new_plain(fd);
	if (!s->conn) {
		log_err("session_accept: out of memory");
		session_free(s);   /* the fd was closed with it */
		return -ENOMEM;
	}
	s->d = d;
	s->ip = ip;
	s->prefix = prefix;
	s->state = d->tls ? SES_TLS : SES_HELLO;
	s->deadline = loop_now_ms() + (d->tls ? TLS_HANDSHAKE_MS : VNET_AUTH_TIMEOUT_MS);
	if (d->tls && penalty_left(s, loop_now_ms())) {
		/* Recent failed handshakes from there: this one waits its turn. */
		s->state = SES_WAIT;
		s->deadline = loop_now_ms() + penalty_left(s, loop_now_ms());
	}
	snprintf(s->peer, sizeof(s->peer), strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
	list_init(&s->node);
	if (loop_add(&d->loop, &s->io, fd, s->state == SES_WAIT ? 0 : EPOLLIN, session_event) < 0) {
		int ret = -errno;

		log_err("session_accept: epoll: %s", strerror(errno));
		session_free(s);
		return ret;
	}
	list_add_tail(&d->sessions, &s->node);
	d->nsessions++;
	log_debug("%s: connected", s->peer);
	return 0;
}

void session_tick(struct daemon *d, uint64_t now)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		if (!s->deadline || now < s->deadline || s->io.fd < 0)
			continue;
		if (s->state == SES_TLS) {
			log_info("%s: TLS handshake not done within %d s: closing", s->peer,
				 TLS_HANDSHAKE_MS / 1000);
			session_close(s);
		} else if (s->state == SES_WAIT && penalty_left(s, now)) {
			s->deadline = now + penalty_left(s, now);   /* another attempt went first */
		} else if (s->state == SES_WAIT && s->d->tls && !s->tls_done) {
			penalty_admit(s, now);
			s->admitted = true;
			s->state = SES_TLS;
			s->deadline = now + TLS_HANDSHAKE_MS;
			loop_mod(&s->d->loop, &s->io, EPOLLIN);
			session_tls(s);
		} else if (s->state == SES_WAIT) {
			penalty_admit(s, now);
			s->admitted = true;
			s->state = SES_HELLO;
			s->deadline = now + VNET_AUTH_TIMEOUT_MS;
			loop_want(&s->d->loop, &s->io, EPOLLIN, true);
			if (session_lines(s) && conn_pending(s->conn))
				loop_kick(&s->d->loop, &s->io);
		} else if (s->state == SES_HELLO) {
			log_info("%s: no HELLO within %d s: closing", s->peer,
				 VNET_AUTH_TIMEOUT_MS / 1000);
			session_refuse(s, "timeout waiting for HELLO");
			session_flush(s);
		} else {
			session_close(s);
		}
	}
}

void session_close_all(struct daemon *d)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->sessions)
		session_close(list_entry(pos, struct session, node));
}
