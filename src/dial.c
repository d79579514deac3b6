// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dial.c - the outgoing side of HANDLE: resolve, connect, TLS, HELLO, BEGIN
 *
 * Every step is non-blocking and the whole dial has one deadline, so a slow,
 * silent or dead peer daemon costs the loop nothing. When BEGIN is accepted
 * the connection is handed to whoever asked (a session creating a handler,
 * or a reconnecting handler) through its callback, with the bytes the peer
 * may already have sent behind its OK.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vnet/addr.h"
#include "vnet/conn.h"
#include "vnet/daemon.h"
#include "vnet/dial.h"
#include "vnet/log.h"

#define DIAL_EXCERPT_MAX 80     /* of a peer's refusal, relayed to the client and the log */

/*
 *   RESOLVING --> CONNECTING --(-s)--> TLS --> HELLO --> INSTANCE --> BEGIN --> DONE
 *   (and the key)     |  (next address)          ^   (OK)   (not ours:   (OK: the link
 *                     +--------------------------+          OK or NOK)   goes to cb)
 * Any failure, our own instance, or the one deadline of the whole dial:
 * DONE, cb with why. An older peer answers INSTANCE? with NOK: the dial goes on.
 */
enum dial_state {
	DIAL_RESOLVING,     /* and deriving the TLS key */
	DIAL_CONNECTING,
	DIAL_TLS,           /* TLS handshake */
	DIAL_HELLO,     /* HELLO sent, waiting for OK */
	DIAL_INSTANCE,  /* INSTANCE? sent, waiting for the peer's id (or NOK: an older vnet) */
	DIAL_BEGIN,     /* BEGIN sent, waiting for OK */
	DIAL_DONE,
};

/* What a dial was doing when its time ran out ("timeout after 15 s <doing> <target>"). */
static const char *const dial_doing[] = {
	[DIAL_RESOLVING] = "resolving", [DIAL_CONNECTING] = "connecting",
	[DIAL_TLS] = "in the TLS handshake with",
	[DIAL_HELLO] = "waiting for its HELLO reply",
	[DIAL_INSTANCE] = "waiting for its INSTANCE? reply",
	[DIAL_BEGIN] = "waiting for its BEGIN reply",
	[DIAL_DONE] = "",
};

struct dial {
	struct list node;       /* in the daemon's table of dials */
	struct daemon *d;
	struct loop_timer deadline; /* of the whole dial */
	dial_cb cb;
	void *arg;
	struct proto_req req;
	struct loop_io io;
	struct conn *conn;
	struct buf in, out;
	struct resolve_job *job;
	struct dial_key *keep;  /* the owner's copy of the key, filled once derived */
	uint8_t key[TLS_KEY_LEN];
	bool have_key;
	struct addrinfo *res;
	const struct addrinfo *cur;
	enum dial_state state;
	char target[VNET_HOST_MAX + 16];
	char why[160];      /* last connect error */
};

static void dial_free(void *p)
{
	struct dial *dl = p;

	proto_req_wipe(&dl->req);
	explicit_bzero(dl->key, sizeof(dl->key));
	buf_free(&dl->in);
	buf_free(&dl->out);
	free(dl);
}

/* Release everything; the struct goes after the current batch of events. */
static void dial_release(struct dial *dl)
{
	if (dl->job)
		resolve_cancel(dl->job);
	dl->job = NULL;
	if (dl->res)
		freeaddrinfo(dl->res);
	dl->res = NULL;
	loop_timer_cancel(&dl->d->loop, &dl->deadline);
	loop_detach(&dl->d->loop, &dl->io);
	conn_free(dl->conn);
	dl->conn = NULL;
	dl->state = DIAL_DONE;
	daemon_dial_del(dl->d, &dl->node);
	loop_defer(&dl->d->loop, dial_free, dl);
}

static void dial_fail(struct dial *dl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dial_fail(struct dial *dl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("HANDLE %s to %s: %s", dl->req.ldev, dl->target, msg);
	dial_release(dl);
	dl->cb(dl->arg, NULL, NULL, msg);
}

static void dial_succeed(struct dial *dl)
{
	struct conn *conn = dl->conn;

	/* The link goes to the callback, with what followed BEGIN's OK. */
	loop_detach(&dl->d->loop, &dl->io);
	dl->conn = NULL;
	dial_release(dl);
	dl->cb(dl->arg, conn, &dl->in, NULL);
}

static void dial_connect_next(struct dial *dl);

static void dial_send(struct dial *dl)
{
	while (buf_len(&dl->out)) {
		ssize_t n = conn_write(dl->conn, buf_head(&dl->out), buf_len(&dl->out));

		if (n == -EAGAIN)
			break;
		if (n < 0) {
			dial_fail(dl, "connection to %s lost: %s", dl->target, conn_error(dl->conn));
			return;
		}
		explicit_bzero(buf_head(&dl->out), (size_t)n);     /* HELLO's password */
		buf_consume(&dl->out, (size_t)n);
	}
	loop_mod(&dl->d->loop, &dl->io, EPOLLIN | (buf_len(&dl->out) ? EPOLLOUT : 0));
}

static void dial_queue(struct dial *dl, const char *line, int len)
{
	if (len < 0 || !buf_put(&dl->out, line, (size_t)len)) {
		dial_fail(dl, "request too long");
		return;
	}
	dial_send(dl);
}

static void dial_hello(struct dial *dl)
{
	char line[VNET_LINE_MAX];

	dl->state = DIAL_HELLO;
	dial_queue(dl, line, proto_fmt_hello(line, sizeof(line), dl->req.password));
	explicit_bzero(line, sizeof(line));
}

/*
 * One reply line from the peer daemon. A vnet daemon answers "OK ..." or
 * "NOK reason"; anything else comes from another service, and what it says is
 * not relayed (HANDLE must not make the daemon a banner grabber). A refusal's
 * reason reaches the client and the log only as a short printable excerpt.
 */
static void dial_reply(struct dial *dl, const char *line)
{
	char out[VNET_LINE_MAX], why[DIAL_EXCERPT_MAX + 1];
	const char *rest;
	bool ok = proto_reply_ok(line, &rest);
	uint64_t id;

	if (dl->state == DIAL_INSTANCE) {
		/* Our own id: the peer is this daemon, whatever address or NAT led here. */
		if (ok && proto_reply_instance(rest, &id) && id == dl->d->instance) {
			dial_fail(dl, "handler to itself: %s is this vnet daemon", dl->target);
			return;
		}
		dl->state = DIAL_BEGIN;     /* another daemon, or one too old to say */
		dial_queue(dl, out, proto_fmt_begin(out, sizeof(out), dl->req.lconf, dl->req.ldev,
						     dl->req.rdev, dl->req.macs, dl->req.nmacs));
		return;
	}
	if (!ok && rest == line) {     /* neither OK nor NOK */
		dial_fail(dl, "%s is not a vnet daemon", dl->target);
		return;
	}
	if (!ok) {
		proto_sanitize(why, sizeof(why), rest, strlen(rest));
		dial_fail(dl, "%s refused %s: %s", dl->target,
			  dl->state == DIAL_HELLO ? "HELLO" : "BEGIN", why[0] ? why : "no reason");
		return;
	}
	if (dl->state == DIAL_HELLO) {
		dl->state = DIAL_INSTANCE;
		dial_queue(dl, out, snprintf(out, sizeof(out), "INSTANCE?\n"));
		return;
	}
	dial_succeed(dl);
}

static void dial_read(struct dial *dl)
{
	for (;;) {
		size_t used;
		long len;
		ssize_t n;

		if (!buf_reserve(&dl->in, 512)) {
			dial_fail(dl, "%s is not a vnet daemon (no line end)", dl->target);
			return;
		}
		n = conn_read(dl->conn, buf_tail(&dl->in), buf_room(&dl->in));
		if (n == -EAGAIN) {
			if (conn_pending(dl->conn))
				loop_kick(&dl->d->loop, &dl->io);
			return;
		}
		if (n == 0 && buf_len(&dl->in)) {
			dial_fail(dl, "%s is not a vnet daemon (no line end)", dl->target);
			return;
		}
		if (n <= 0) {
			dial_fail(dl, "%s closed the connection%s%s", dl->target, n ? ": " : "",
				  n ? conn_error(dl->conn) : "");
			return;
		}
		dl->in.tail += (size_t)n;
		/* One line per step; what follows BEGIN's OK is already frames. */
		while (dl->state == DIAL_HELLO || dl->state == DIAL_INSTANCE ||
		       dl->state == DIAL_BEGIN) {
			len = buf_line(&dl->in, &used);
			if (len < 0)
				break;
			{
				char line[VNET_LINE_MAX];

				snprintf(line, sizeof(line), "%s", (char *)buf_head(&dl->in));
				buf_consume(&dl->in, used);
				dial_reply(dl, line);
			}
		}
		if (dl->state == DIAL_DONE)
			return;
		if (buf_len(&dl->in) >= VNET_LINE_MAX) {
			dial_fail(dl, "%s is not a vnet daemon (a line too long)", dl->target);
			return;
		}
	}
}

static void dial_tls(struct dial *dl)
{
	char said[DIAL_EXCERPT_MAX + 1];
	int ret = conn_handshake(dl->conn);

	if (ret == -EAGAIN) {
		loop_mod(&dl->d->loop, &dl->io, conn_handshake_events(dl->conn));
		return;
	}
	if (ret < 0) {
		if (conn_peer_plaintext(dl->conn, said, sizeof(said)))
			dial_fail(dl, "%s does not use TLS (it answered '%s')", dl->target, said);
		else if (conn_cert_mismatch(dl->conn))
			dial_fail(dl, "%s: %s", dl->target, conn_error(dl->conn));
		else if (tls_client_uses_key())
			dial_fail(dl, "%s: %s (wrong password for it, or it has no -s?)",
				  dl->target, conn_error(dl->conn));
		else
			dial_fail(dl, "%s: %s (is its certificate signed by the CA of --ca?)",
				  dl->target, conn_error(dl->conn));
		return;
	}
	log_debug("HANDLE: TLS 1.3 with %s (%s)", dl->target, conn_cipher(dl->conn));
	dial_hello(dl);
}

static void dial_connected(struct dial *dl)
{
	log_debug("HANDLE: connected to %s", dl->target);
	if (conn_is_tls(dl->conn)) {
		dl->state = DIAL_TLS;
		dial_tls(dl);
	} else {
		dial_hello(dl);
	}
}

static void dial_event(struct loop_io *io, uint32_t events)
{
	struct dial *dl = container_of(io, struct dial, io);

	if (dl->state == DIAL_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			snprintf(dl->why, sizeof(dl->why), "%s", strerror(err));
			loop_detach(&dl->d->loop, &dl->io);
			conn_free(dl->conn);
			dl->conn = NULL;
			dl->cur = dl->cur->ai_next;
			dial_connect_next(dl);
			return;
		}
		dial_connected(dl);
		return;
	}
	if (dl->state == DIAL_TLS) {
		dial_tls(dl);
		return;
	}
	if (events & EPOLLOUT) {
		dial_send(dl);
		if (dl->state == DIAL_DONE)
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		dial_read(dl);
}

static void dial_connect_next(struct dial *dl)
{
	for (; dl->cur; dl->cur = dl->cur->ai_next) {
		int fd, ret = addr_connect(dl->cur, &fd);

		if (ret < 0 && ret != -EINPROGRESS) {
			snprintf(dl->why, sizeof(dl->why), "%s%s", strerror(-ret),
				 ret == -EMFILE || ret == -ENFILE ? " (out of descriptors)" : "");
			continue;
		}
		dl->conn = dl->d->cfg.tls ? conn_new_tls_client(fd, dl->have_key ? dl->key : NULL,
							     dl->req.rhost)
				      : conn_new_plain(fd);
		if (!dl->conn) {
			snprintf(dl->why, sizeof(dl->why), "out of memory");
			continue;
		}
		if (loop_add(&dl->d->loop, &dl->io, fd, EPOLLOUT, dial_event) < 0) {
			conn_free(dl->conn);
			dl->conn = NULL;
			snprintf(dl->why, sizeof(dl->why), "epoll: %s", strerror(errno));
			continue;
		}
		dl->state = DIAL_CONNECTING;
		if (ret == 0)
			dial_connected(dl);
		return;
	}
	dial_fail(dl, "cannot connect to %s: %s", dl->target, dl->why);
}

static void dial_resolved(void *arg, struct addrinfo *res, int gai_err, const uint8_t *key)
{
	struct dial *dl = arg;

	dl->job = NULL;
	if (!res) {
		dial_fail(dl, "cannot resolve %s: %s", dl->req.rhost, gai_strerror(gai_err));
		return;
	}
	if (key) {
		memcpy(dl->key, key, sizeof(dl->key));
		dl->have_key = true;
		log_debug("HANDLE to %s: derived the TLS key of its password", dl->target);
		if (dl->keep) {
			memcpy(dl->keep->key, key, sizeof(dl->keep->key));
			dl->keep->have = true;
		}
	}
	dl->res = res;
	dl->cur = res;
	dial_connect_next(dl);
}

/* The dial's time ran out, whatever step it was at. */
static void dial_expired(struct loop_timer *t)
{
	struct dial *dl = container_of(t, struct dial, deadline);

	dial_fail(dl, "timeout after %d s %s %s", VNET_DIAL_TIMEOUT_MS / 1000,
		  dial_doing[dl->state], dl->target);
}

int dial_start(struct daemon *d, const struct proto_req *req, struct dial_key *key, dial_cb cb,
	       void *arg, struct dial **out, char *err, size_t errlen)
{
	struct dial *dl = calloc(1, sizeof(*dl));
	bool derive = d->cfg.tls && tls_client_uses_key();

	if (!dl || buf_init(&dl->in, 0, 2 * VNET_LINE_MAX) < 0 ||
	    buf_init(&dl->out, 0, VNET_LINE_MAX) < 0 || !proto_req_copy(&dl->req, req)) {
		if (dl)
			dial_free(dl);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	list_init(&dl->node);
	dl->d = d;
	dl->cb = cb;
	dl->arg = arg;
	dl->io.fd = -1;
	dl->state = DIAL_RESOLVING;
	loop_timer_init(&dl->deadline, dial_expired);
	snprintf(dl->target, sizeof(dl->target), strchr(req->rhost, ':') ? "[%s]:%u" : "%s:%u",
		 req->rhost, (unsigned int)req->rport);
	snprintf(dl->why, sizeof(dl->why), "no address");
	log_info("HANDLE %s %s <-> %s %s at %s: connecting", proto_config_name(req->lconf),
		 req->ldev, proto_config_name(req->rconf), req->rdev, dl->target);

	/* A key derived before is used as it is; deriving one, resolving a name: off the loop. */
	if (derive && key && key->have) {
		memcpy(dl->key, key->key, sizeof(dl->key));
		dl->have_key = true;
		derive = false;
	}
	dl->keep = derive ? key : NULL;
	dl->job = resolve_start(&d->resolver, req->rhost, req->rport, derive ? req->password : NULL,
				dial_resolved, dl);
	if (!dl->job) {
		dial_free(dl);
		snprintf(err, errlen, "cannot resolve %s: out of resources", req->rhost);
		return -ENOMEM;
	}
	if (loop_timer_set(&d->loop, &dl->deadline, loop_now_ms() + VNET_DIAL_TIMEOUT_MS) < 0) {
		resolve_cancel(dl->job);
		dial_free(dl);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	daemon_dial_add(d, &dl->node);
	*out = dl;
	return 0;
}

void dial_cancel(struct dial *dl)
{
	if (dl->state != DIAL_DONE)
		dial_release(dl);
}
