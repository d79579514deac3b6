// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - one control connection: HELLO, then requests, one a line
 *
 * A session accepts exactly the requests of its state (the table requests[]):
 * HELLO first (anything else, a wrong password or an unknown version is
 * answered NOK and closed), then DONE, DEVICES?, HANDLERS?, STATS?, CLOSE,
 * HANDLE and BEGIN. While a HANDLE dials the peer daemon, the session reads
 * nothing more. BEGIN hands the connection over to a new handler.
 *
 * It enters a state only through session_enter(), which takes the state's
 * deadline and epoll interest from the table states[]; when the deadline
 * passes, the state's expired() runs.
 *
 *   accept --(-s, address penalized)--> TLS_PENALTY --(its turn)--+
 *      |                                                          v
 *      +---(-s)------------------------------------------------> TLS_PEEK
 *      |                                  (first byte not TLS: NOK, close)
 *      |                                                          v
 *      |                                                         TLS
 *      |                                        (handshake failed: close)
 *      v                                                          |
 *    HELLO <------------------------------------------------------+
 *      |  ^   (a line, address penalized) --> HELLO_PENALTY --(its turn)
 *      |  +-----------------------------------------------------------+
 *      | HELLO ok
 *      v
 *    READY --HANDLE--> DIALING --(dial over: OK id / NOK)--> READY
 *      |  BEGIN ok: handed over to a handler (the session ends)
 *      v
 *   CLOSING (NOK before HELLO, DONE, timeouts, EOF): replies flushed, closed
 *
 * Every state but READY and DIALING has a deadline: TLS_* 10 s for the
 * handshake, HELLO 30 s, the penalties what the address's failures cost,
 * CLOSING 5 s to flush.
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
#include "vnet/dial.h"
#include "vnet/handler.h"
#include "vnet/log.h"
#include "vnet/netlink.h"
#include "vnet/session.h"
#include "session_int.h"

#define SESSION_OUT_MAX  (512 * 1024)
#define SESSION_STREAM_LOW (64 * 1024)  /* a long answer's lines are made while less waits */
#define SESSION_STREAM_ROUNDS 16        /* refills per wake-up: then others get their turn */
#define SESSION_CLOSE_MS 5000   /* time to flush a last reply */

/* What the next attempt from s's address waits (penalty.c). */
static uint64_t session_penalty_left(struct session *s, uint64_t now)
{
	return penalty_left(&s->d->penalties, &s->ip, now);
}

static void tls_expired(struct session *s);
static void tls_penalty_expired(struct session *s);
static void hello_penalty_expired(struct session *s);
static void hello_expired(struct session *s);
static void session_close(struct session *s);

#define SES_T_NONE      0u
#define SES_T_KEEP      UINT32_MAX          /* the deadline of the state before runs on */
#define SES_T_PENALTY   (UINT32_MAX - 1)    /* when the address's penalty is over */

/* What each state waits for, for how long, and what happens when it waits too long. */
static const struct session_state_info {
	uint32_t timeout_ms;
	uint32_t events;        /* epoll interest; EPOLLOUT is added while replies wait */
	bool preauth;           /* not logged in: counted per prefix, evicted first */
	bool lines;             /* reads request lines */
	bool strict;            /* a bad or unexpected line is answered NOK and closes */
	const char *unexpected; /* the NOK of a request this state does not take */
	void (*expired)(struct session *s);
} states[] = {
	[SES_TLS_PENALTY]   = { SES_T_PENALTY, 0, true, false, false, NULL, tls_penalty_expired },
	[SES_TLS_PEEK]      = { TLS_HANDSHAKE_MS, EPOLLIN, true, false, false, NULL, tls_expired },
	[SES_TLS]           = { SES_T_KEEP, EPOLLIN, true, false, false, NULL, tls_expired },
	[SES_HELLO_PENALTY] = { SES_T_PENALTY, 0, true, false, false, NULL, hello_penalty_expired },
	[SES_HELLO]         = { VNET_AUTH_TIMEOUT_MS, EPOLLIN, true, true, true, "say HELLO first",
				hello_expired },
	[SES_READY]         = { SES_T_NONE, EPOLLIN, false, true, false, "already authenticated",
				NULL },
	[SES_DIALING]       = { SES_T_NONE, 0, false, false, false, NULL, NULL },
	[SES_CLOSING]       = { SESSION_CLOSE_MS, 0, false, false, false, NULL, session_close },
};

/* The one way into a state: its deadline and its epoll interest. */
static void session_enter(struct session *s, enum session_state state)
{
	const struct session_state_info *st = &states[state];
	uint64_t now = loop_now_ms();

	if (s->io.fd < 0)
		return;     /* closed or handed over: no state, no timer */
	s->state = state;
	if (!st->preauth)
		daemon_preauth_del(s->d, &s->pre_node);    /* logged in, or on its way out */
	if (st->timeout_ms == SES_T_PENALTY)
		loop_timer_set(&s->d->loop, &s->timer, now + session_penalty_left(s, now));
	else if (st->timeout_ms == SES_T_NONE)
		loop_timer_cancel(&s->d->loop, &s->timer);
	else if (st->timeout_ms != SES_T_KEEP)
		loop_timer_set(&s->d->loop, &s->timer, now + st->timeout_ms);
	loop_mod(&s->d->loop, &s->io, (s->stream.on ? st->events & ~(uint32_t)EPOLLIN : st->events) |
		 (buf_len(&s->out) || s->stream.on ? EPOLLOUT : 0));
}

static void session_timeout(struct loop_timer *t)
{
	struct session *s = container_of(t, struct session, timer);

	states[s->state].expired(s);
}

static void session_free(void *p)
{
	struct session *s = p;

	conn_free(s->conn);
	buf_free(&s->in);
	buf_free(&s->out);
	free(s);
}

static void stream_stop(struct session *s)
{
	struct session_stream *st = &s->stream;

	if (!st->on)
		return;
	handler_put_all(st->hs, st->n);
	free(st->links);
	memset(st, 0, sizeof(*st));
}

static void session_close(struct session *s)
{
	if (s->io.fd < 0 && s->node.next == &s->node)
		return;
	stream_stop(s);
	if (s->handle.dial)
		handle_end(&s->handle);
	log_debug("%s: connection closed", s->peer);
	loop_timer_cancel(&s->d->loop, &s->timer);
	loop_detach(&s->d->loop, &s->io);
	conn_free(s->conn);
	s->conn = NULL;
	daemon_session_del(s->d, &s->node);
	daemon_preauth_del(s->d, &s->pre_node);
	loop_defer(&s->d->loop, session_free, s);
}

/* The next line of a HANDLERS? or STATS? answer (buf_line_fn); -1 when it is over. */
static int stream_next(void *arg, char *line, size_t cap)
{
	struct session_stream *st = arg;
	struct handler *h;
	int n;

	if (st->next == st->n)
		return -1;
	h = st->hs[st->next++];
	n = st->cmd == PROTO_STATS ? handler_stats(h, st->links, st->nlinks, line, cap)
				   : handler_describe(h, line, cap);
	if (n < 0)      /* cannot happen within VNET_LINE_MAX: keep the count right anyway */
		n = snprintf(line, cap, "-");
	return n;
}

/*
 * Make more of the answer being streamed, up to SESSION_STREAM_LOW bytes
 * waiting. Once it is all queued, the requests behind it may run again.
 */
static void stream_fill(struct session *s)
{
	char line[VNET_LINE_MAX + 1];

	if (!buf_fill_lines(&s->out, SESSION_STREAM_LOW, stream_next, &s->stream, line,
			    sizeof(line)))
		return;
	stream_stop(s);
	if (states[s->state].events & EPOLLIN)
		loop_want(&s->d->loop, &s->io, EPOLLIN, true);
	s->resume = true;
	loop_kick(&s->d->loop, &s->io);
}

/* Write what is queued (and what a stream adds as it goes); false if the session was closed. */
static bool session_flush(struct session *s)
{
	for (int rounds = 0; ; rounds++) {
		if (s->stream.on && buf_len(&s->out) < SESSION_STREAM_LOW) {
			if (rounds == SESSION_STREAM_ROUNDS) {
				loop_want(&s->d->loop, &s->io, EPOLLOUT, true);
				return true;    /* the rest when the loop comes back */
			}
			stream_fill(s);
		}
		if (!buf_len(&s->out))
			break;
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
	buf_release(&s->out);
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
	session_enter(s, SES_CLOSING);
}

/* Answer NOK and close: for anything before authentication, and bad lines. */
static void session_refuse(struct session *s, const char *reason)
{
	session_printf(s, "NOK %s", reason);
	session_end(s);
}

/*
 * The requests: each returns false once the session reads no more (handed
 * over); what a state allows is in requests[], below.
 */
static bool do_hello(struct session *s, struct proto_req *req, size_t used)
{
	if (!proto_version_supported(req->version)) {
		log_info("%s: unsupported protocol version %s", s->peer, req->version);
		char why[64];

		snprintf(why, sizeof(why), "unsupported version %s", req->version);
		session_refuse(s, why);
		return true;
	}
	if (!proto_secret_equal(req->password, s->d->cfg.password)) {
		uint64_t wait = penalty_fail(&s->d->penalties, &s->ip, loop_now_ms());

		s->d->counts.logins_failed++;
		log_warn("%s: authentication failed (its next HELLO waits %llu ms)", s->peer,
			 (unsigned long long)wait);
		session_refuse(s, "authentication failed");
		return true;
	}
	penalty_forgive(&s->d->penalties, &s->ip, loop_now_ms());
	log_debug("%s: authenticated (version %s)", s->peer, req->version);
	session_enter(s, SES_READY);
	session_printf(s, "OK %s", req->version);
	return true;
}

static bool do_done(struct session *s, struct proto_req *req, size_t used)
{
	session_printf(s, "OK bye");
	session_end(s);
	return true;
}

/* DEVICES?: as VNET 0.9 answers it, the -d devices by name, one a line. */
static bool do_devices(struct session *s, struct proto_req *req, size_t used)
{
	session_printf(s, "OK devices");
	session_printf(s, "%zu", s->d->cfg.ndevices);
	for (size_t i = 0; i < s->d->cfg.ndevices; i++)
		session_printf(s, "%s", s->d->cfg.devices[i]);
	return true;
}

/*
 * INSTANCE? (vnet's): this run's random id. A daemon asks its peer before
 * BEGIN: its own id back means the HANDLE came round to itself.
 */
static bool do_instance(struct session *s, struct proto_req *req, size_t used)
{
	char line[64];

	if (proto_fmt_instance_ok(line, sizeof(line), s->d->instance) > 0)
		session_printf(s, "%s", line);
	return true;
}

/* DEVINFO? (vnet's): each -d device with its MAC, MTU and state, or "- 0 absent". */
static bool do_devinfo(struct session *s, struct proto_req *req, size_t used)
{
	struct nl_link *links = NULL;
	size_t n = 0;
	int ret = nl_links(&links, &n);

	if (ret < 0) {
		session_printf(s, "NOK cannot list devices: %s", strerror(-ret));
		return true;
	}
	session_printf(s, "OK devinfo");
	session_printf(s, "%zu", s->d->cfg.ndevices);
	for (size_t i = 0; i < s->d->cfg.ndevices; i++) {
		const char *name = s->d->cfg.devices[i];
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
	return true;
}

/*
 * HANDLERS? and STATS?: a line per handler, thousands of them, each up to
 * VNET_LINE_MAX: the answer is streamed (stream_fill), not queued whole.
 */
static bool stream_start(struct session *s, enum proto_cmd cmd)
{
	struct session_stream *st = &s->stream;

	st->hs = handler_hold_all(s->d, &st->n);
	if (!st->hs && st->n) {
		session_printf(s, "NOK out of memory");
		st->n = 0;
		return true;
	}
	if (cmd == PROTO_STATS && nl_links(&st->links, &st->nlinks) < 0)
		st->nlinks = 0;
	session_printf(s, "OK %s", cmd == PROTO_STATS ? "stats" : "handlers");
	session_printf(s, "%zu", st->n);
	st->cmd = cmd;
	st->next = 0;
	st->on = true;
	/* Nothing more is read until the answer is out. */
	loop_want(&s->d->loop, &s->io, EPOLLIN, false);
	return true;
}

static bool do_handlers(struct session *s, struct proto_req *req, size_t used)
{
	return stream_start(s, PROTO_HANDLERS);
}

static bool do_stats(struct session *s, struct proto_req *req, size_t used)
{
	return stream_start(s, PROTO_STATS);
}

static bool do_close(struct session *s, struct proto_req *req, size_t used)
{
	if (handler_close_id(s->d, req->id, "closed by request"))
		session_printf(s, "OK closed %lu", req->id);
	else
		session_printf(s, "NOK no handler %lu", req->id);
	return true;
}

static bool check_device(struct session *s, const char *dev)
{
	if (!daemon_device_allowed(s->d, dev)) {
		session_printf(s, "NOK device %s is not one of this daemon's devices", dev);
		return false;
	}
	return true;
}

/* The limits, before a port is opened or a peer dialed (handler_create checks again). */
static bool check_capacity(struct session *s, const char *dev, size_t nmacs)
{
	char why[160];

	if (!daemon_handler_fits(s->d, dev, nmacs, why, sizeof(why))) {
		session_printf(s, "NOK %s", why);
		return false;
	}
	return true;
}

static void session_handled(struct handle_job *j, unsigned long id, const char *err,
			    bool dialed);
static bool session_lines(struct session *s);

static bool do_handle(struct session *s, struct proto_req *req, size_t used)
{
	struct handle_job *j = &s->handle;
	char err[256];

	if (!check_device(s, req->ldev) || !check_capacity(s, req->ldev, req->nmacs))
		return true;
	/* The request's address list moves to the job (session_request wipes req). */
	*j = (struct handle_job){ .d = s->d, .req = *req, .done = session_handled, .arg = s };
	req->macs = NULL;
	req->nmacs = 0;
	if (handle_start(j, err, sizeof(err)) < 0) {
		handle_end(j);
		session_printf(s, "NOK %s", err);
		return true;
	}
	session_enter(s, SES_DIALING);
	return true;
}

/* HANDLE is over: answer. */
static void session_handled(struct handle_job *j, unsigned long id, const char *err,
			    bool dialed)
{
	struct session *s = j->arg;

	if (dialed && !id)
		log_warn("%s: HANDLE on %s refused: %s", s->peer, j->req.ldev, err);
	handle_end(j);
	session_enter(s, SES_READY);
	if (id)
		session_printf(s, "OK %lu", id);
	else
		session_printf(s, "NOK %s", err);
	/* Requests that arrived meanwhile are buffered (here or in TLS): run them now. */
	if (session_lines(s) && conn_pending(s->conn))
		loop_kick(&s->d->loop, &s->io);
}

/*
 * BEGIN: the initiator's "remote" side is ours. Accepted, the connection is
 * handed over to a new handler (false); refused, the session stays in its
 * text phase, as in VNET 0.9's exchange (NOK, then the client tries again).
 */
static bool do_begin(struct session *s, struct proto_req *req, size_t line_used)
{
	struct port port;
	struct handler_params p = { .port = &port, .tx_pre = &s->out, .rx_pre = &s->in,
				    .password = s->d->cfg.password, .listening = true };
	struct port_want w;
	char err[256];
	unsigned long id;

	handler_spec_of(req, true, &p.spec);
	if (!check_device(s, req->rdev) || !check_capacity(s, req->rdev, req->nmacs))
		return true;
	w = (struct port_want){ req->rdev, p.spec.conf, req->macs, req->nmacs };
	if (port_open(&port, &s->d->tapdevs, &w, err, sizeof(err)) < 0) {
		log_warn("%s: BEGIN on %s refused: %s", s->peer, req->rdev, err);
		session_printf(s, "NOK %s", err);
		return true;
	}

	session_printf(s, "OK");
	buf_consume(&s->in, line_used);
	/* Hand the connection over: out of the loop without closing it. */
	loop_detach(&s->d->loop, &s->io);
	p.link = s->conn;
	s->conn = NULL;
	id = handler_create(s->d, &p, err, sizeof(err));
	if (!id)
		log_warn("%s: BEGIN failed: %s", s->peer, err);
	session_close(s);
	return false;
}

#define IN(state) (1u << (state))

/* Who answers each request, and in which states (tinc's allow_request, as a mask). */
static const struct session_request {
	enum proto_cmd cmd;
	bool (*run)(struct session *s, struct proto_req *req, size_t used);
	unsigned int allowed;
} requests[] = {
	{ PROTO_HELLO, do_hello, IN(SES_HELLO) },
	{ PROTO_DONE, do_done, IN(SES_READY) },
	{ PROTO_DEVICES, do_devices, IN(SES_READY) },
	{ PROTO_DEVINFO, do_devinfo, IN(SES_READY) },
	{ PROTO_INSTANCE, do_instance, IN(SES_READY) },
	{ PROTO_HANDLERS, do_handlers, IN(SES_READY) },
	{ PROTO_STATS, do_stats, IN(SES_READY) },
	{ PROTO_CLOSE, do_close, IN(SES_READY) },
	{ PROTO_HANDLE, do_handle, IN(SES_READY) },
	{ PROTO_BEGIN, do_begin, IN(SES_READY) },
};

/*
 * One request line of len bytes; returns false once the session must read no
 * further. The state is checked on the request's first word: a request the
 * state does not take is refused before the rest of the line is parsed.
 */
static bool session_request(struct session *s, char *line, size_t len, size_t used)
{
	const struct session_state_info *st = &states[s->state];
	const struct session_request *r = NULL;
	struct proto_req req;
	enum proto_cmd cmd;
	char err[256];
	bool go_on;

	if (!proto_parse_cmd(line, len, &cmd, err, sizeof(err)))
		goto bad;
	for (size_t i = 0; i < ARRAY_SIZE(requests) && !r; i++)
		if (requests[i].cmd == cmd)
			r = &requests[i];
	if (!r || !(r->allowed & IN(s->state))) {
		snprintf(err, sizeof(err), "%s", st->unexpected);
		goto bad;
	}
	if (!proto_parse(line, &req, err, sizeof(err)))
		goto bad;
	go_on = r->run(s, &req, used) && states[s->state].lines;
	proto_req_wipe(&req);
	return go_on;
bad:
	if (st->strict) {
		session_refuse(s, err);
		return false;
	}
	session_printf(s, "NOK %s", err);
	return true;
}

/* Run the complete lines buffered; false if the session was closed or handed over. */
static bool session_lines(struct session *s)
{
	while (states[s->state].lines && !s->stream.on) {
		size_t used;
		long len;
		uint64_t wait;

		if (s->state == SES_HELLO && !s->admitted && buf_len(&s->in) &&
		    (wait = session_penalty_left(s, loop_now_ms())) > 0) {
			log_debug("%s: HELLO delayed %llu ms (failed attempts)", s->peer,
				  (unsigned long long)wait);
			session_enter(s, SES_HELLO_PENALTY);
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
		if (!session_request(s, (char *)buf_head(&s->in), (size_t)len, used)) {
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
	if (s->io.fd >= 0)
		buf_release(&s->in);   /* nothing half-read: an idle session keeps no memory */
	return s->io.fd >= 0 && session_flush(s);
}

static void session_read(struct session *s)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n;

		if (!states[s->state].lines || s->stream.on)
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

	if (s->state == SES_TLS_PEEK) {
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
		session_enter(s, SES_TLS);
	}
	ret = conn_handshake(s->conn);
	if (ret == -EAGAIN) {
		loop_mod(&s->d->loop, &s->io, conn_handshake_events(s->conn));
		return;
	}
	if (ret < 0) {
		uint64_t wait = penalty_fail(&s->d->penalties, &s->ip, loop_now_ms());

		s->d->counts.logins_failed++;
		log_warn("%s: %s (wrong password?); its next attempt waits %llu ms", s->peer,
			 conn_error(s->conn), (unsigned long long)wait);
		session_close(s);
		return;
	}
	log_debug("%s: TLS 1.3 established (%s)", s->peer, conn_cipher(s->conn));
	session_enter(s, SES_HELLO);
	if (conn_pending(s->conn))
		loop_kick(&s->d->loop, &s->io);
}

/* ---- deadlines (states[].expired) */

static void tls_expired(struct session *s)
{
	log_info("%s: TLS handshake not done within %d s: closing", s->peer,
		 TLS_HANDSHAKE_MS / 1000);
	session_close(s);
}

/*
 * A penalty is over, unless another attempt from the address went first
 * (then this one waits again). true if it is this one's turn.
 */
static bool penalty_turn(struct session *s)
{
	uint64_t now = loop_now_ms(), left = session_penalty_left(s, now);

	if (left) {
		loop_timer_set(&s->d->loop, &s->timer, now + left);
		return false;
	}
	penalty_admit(&s->d->penalties, &s->ip, now);
	s->admitted = true;
	return true;
}

static void tls_penalty_expired(struct session *s)
{
	if (!penalty_turn(s))
		return;
	session_enter(s, SES_TLS_PEEK);
	session_tls(s);
}

static void hello_penalty_expired(struct session *s)
{
	if (!penalty_turn(s))
		return;
	session_enter(s, SES_HELLO);
	if (session_lines(s) && conn_pending(s->conn))
		loop_kick(&s->d->loop, &s->io);
}

static void hello_expired(struct session *s)
{
	log_info("%s: no HELLO within %d s: closing", s->peer, VNET_AUTH_TIMEOUT_MS / 1000);
	session_refuse(s, "timeout waiting for HELLO");
	session_flush(s);
}

static void session_event(struct loop_io *io, uint32_t events)
{
	struct session *s = container_of(io, struct session, io);

	if (s->state == SES_TLS_PEEK || s->state == SES_TLS) {
		session_tls(s);
		return;
	}
	if (events & EPOLLOUT) {
		if (!session_flush(s))
			return;
	}
	if (s->resume && !s->stream.on) {
		/* A long answer is out: the requests that came behind it. */
		s->resume = false;
		if (!states[s->state].lines || !session_lines(s))
			return;
	}
	if (s->stream.on) {
		/* Reading nothing until the answer is out; a connection gone ends it. */
		if (events & (EPOLLHUP | EPOLLERR))
			session_close(s);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (!states[s->state].lines) {
			if (events & (EPOLLHUP | EPOLLERR))
				session_close(s);
			return;
		}
		session_read(s);
	}
}

/*
 * Close those r names to make room. Each is reset (SO_LINGER 0): a connection
 * that never logged in leaves no FIN_WAIT socket behind in the kernel.
 */
static void session_evict(const struct session_room *r)
{
	static const struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	for (size_t i = 0; i < r->n; i++) {
		struct session *s = r->victims[i];

		log_debug("%s: closed to make room for a new connection", s->peer);
		s->d->counts.evicted++;
		if (s->io.fd >= 0)
			setsockopt(s->io.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		session_close(s);
	}
}

void session_shrink(struct daemon *d)
{
	struct session_room room;

	session_room_shrink(d, &room);
	session_evict(&room);
}

int session_accept(struct daemon *d, int fd, const struct sockaddr *peer, bool no_fd)
{
	struct session_room room;
	struct session *s;
	struct in6_addr ip, prefix;
	enum session_state state;
	bool fits;

	session_peer_ip(peer, &ip);
	admit_prefix(&ip, &prefix);
	fits = session_room_make(d, &prefix, no_fd, &room);
	session_evict(&room);
	if (!fits)
		return -EBUSY;
	s = calloc(1, sizeof(*s));
	/* The buffers take memory when lines come (buf.c). */
	if (!s || buf_init(&s->in, 0, 2 * VNET_LINE_MAX) < 0 ||
	    buf_init(&s->out, 0, SESSION_OUT_MAX) < 0) {
		log_err("session_accept: out of memory");
		if (s)
			session_free(s);
		close(fd);
		return -ENOMEM;
	}
	s->conn = d->cfg.tls ? conn_new_tls_server(fd) : conn_new_plain(fd);
	if (!s->conn) {
		log_err("session_accept: out of memory");
		session_free(s);   /* the fd was closed with it */
		return -ENOMEM;
	}
	s->d = d;
	s->ip = ip;
	s->prefix = prefix;
	/* Recent failed handshakes from there: this one waits its turn. */
	state = !d->cfg.tls ? SES_HELLO : session_penalty_left(s, loop_now_ms()) ? SES_TLS_PENALTY
									     : SES_TLS_PEEK;
	addr_format_full(peer, s->peer, sizeof(s->peer));
	list_init(&s->node);
	list_init(&s->pre_node);
	loop_timer_init(&s->timer, session_timeout);
	if (loop_add(&d->loop, &s->io, fd, states[state].events, session_event) < 0) {
		int ret = -errno;

		log_err("session_accept: epoll: %s", strerror(errno));
		session_free(s);
		return ret;
	}
	daemon_session_add(d, &s->node);
	daemon_preauth_add(d, &s->pre_node);    /* every first state is one */
	session_enter(s, state);
	log_debug("%s: connected", s->peer);
	return 0;
}

void session_close_all(struct daemon *d)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->sessions)
		session_close(list_entry(pos, struct session, node));
}
