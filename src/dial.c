// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dial.c - the outgoing side of HANDLE: resolve, connect, HELLO, BEGIN
 *
 * Every step is non-blocking and the whole dial has one deadline, so a slow,
 * silent or dead peer daemon costs the loop nothing. The local port is opened
 * before dialing (a bad device fails at once) and is handed to the handler.
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
#include "vnet/daemon.h"
#include "vnet/log.h"

enum dial_state {
	DIAL_RESOLVING,
	DIAL_CONNECTING,
	DIAL_HELLO,     /* HELLO sent, waiting for OK */
	DIAL_BEGIN,     /* BEGIN sent, waiting for OK */
	DIAL_DONE,
};

struct dial {
	struct daemon *d;
	struct session *s;
	struct proto_req req;
	struct port port;
	struct loop_io io;
	struct buf in, out;
	struct resolve_job *job;
	struct addrinfo *res;
	const struct addrinfo *cur;
	enum dial_state state;
	uint64_t deadline;
	char target[VNET_HOST_MAX + 16];
	char why[160];      /* last connect error */
};

static void dial_free(void *p)
{
	struct dial *dl = p;

	proto_req_wipe(&dl->req);
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
	loop_close(&dl->d->loop, &dl->io);
	if (dl->port.fd >= 0)
		dl->port.ops->close(&dl->port);
	dl->state = DIAL_DONE;
	loop_defer(&dl->d->loop, dial_free, dl);
}

static void dial_fail(struct dial *dl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dial_fail(struct dial *dl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct session *s = dl->s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("HANDLE %s to %s: %s", dl->req.ldev, dl->target, msg);
	dial_release(dl);
	session_dial_done(s, 0, msg);
}

static void dial_succeed(struct dial *dl)
{
	struct handler_spec spec = { .conf = dl->req.lconf, .peer_conf = dl->req.rconf,
				     .nmacs = dl->req.nmacs };
	struct session *s = dl->s;
	struct buf none = { 0 };
	char err[256];
	unsigned long id;
	int fd = dl->io.fd;

	memcpy(spec.dev, dl->req.ldev, sizeof(spec.dev));
	memcpy(spec.peer_dev, dl->req.rdev, sizeof(spec.peer_dev));
	memcpy(spec.macs, dl->req.macs, sizeof(spec.macs));
	/* The link and the port now belong to the handler. */
	epoll_ctl(dl->d->loop.epfd, EPOLL_CTL_DEL, fd, NULL);
	dl->io.fd = -1;
	id = handler_create(dl->d, fd, &dl->port, &spec, &none, &dl->in, err, sizeof(err));
	dl->port.fd = -1;
	dial_release(dl);
	session_dial_done(s, id, err);
}

static void dial_connect_next(struct dial *dl);

static void dial_send(struct dial *dl)
{
	while (buf_len(&dl->out)) {
		ssize_t n = send(dl->io.fd, buf_head(&dl->out), buf_len(&dl->out),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			dial_fail(dl, "connection to %s lost: %s", dl->target, strerror(errno));
			return;
		}
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

static void dial_connected(struct dial *dl)
{
	char line[VNET_LINE_MAX];

	log_debug("HANDLE: connected to %s", dl->target);
	dl->state = DIAL_HELLO;
	dial_queue(dl, line, proto_fmt_hello(line, sizeof(line), dl->req.password));
	explicit_bzero(line, sizeof(line));
}

/* One reply line from the peer daemon. */
static void dial_reply(struct dial *dl, const char *line)
{
	char out[VNET_LINE_MAX];
	const char *rest;
	bool ok = proto_reply_ok(line, &rest);

	if (dl->state == DIAL_HELLO) {
		if (!ok) {
			dial_fail(dl, "%s refused HELLO: %.200s", dl->target, rest);
			return;
		}
		dl->state = DIAL_BEGIN;
		dial_queue(dl, out, proto_fmt_begin(out, sizeof(out), dl->req.lconf, dl->req.ldev,
						     dl->req.rdev, dl->req.macs, dl->req.nmacs));
		return;
	}
	if (!ok) {
		dial_fail(dl, "%s refused BEGIN: %.200s", dl->target, rest);
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
			dial_fail(dl, "%s sent a garbled reply", dl->target);
			return;
		}
		n = recv(dl->io.fd, buf_tail(&dl->in), buf_room(&dl->in), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			dial_fail(dl, "%s closed the connection%s%s", dl->target, n ? ": " : "",
				  n ? strerror(errno) : "");
			return;
		}
		dl->in.tail += (size_t)n;
		/* One line per step; what follows BEGIN's OK is already frames. */
		while (dl->state == DIAL_HELLO || dl->state == DIAL_BEGIN) {
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
			dial_fail(dl, "%s sent a line too long", dl->target);
			return;
		}
	}
}

static void dial_event(struct loop_io *io, uint32_t events)
{
	struct dial *dl = (struct dial *)((char *)io - offsetof(struct dial, io));

	if (dl->state == DIAL_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			snprintf(dl->why, sizeof(dl->why), "%s", strerror(err));
			loop_close(&dl->d->loop, &dl->io);
			dl->cur = dl->cur->ai_next;
			dial_connect_next(dl);
			return;
		}
		dial_connected(dl);
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
			snprintf(dl->why, sizeof(dl->why), "%s", strerror(-ret));
			continue;
		}
		if (loop_add(&dl->d->loop, &dl->io, fd, EPOLLOUT, dial_event) < 0) {
			close(fd);
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

static void dial_resolved(void *arg, struct addrinfo *res, int gai_err)
{
	struct dial *dl = arg;

	dl->job = NULL;
	if (!res) {
		dial_fail(dl, "cannot resolve %s: %s", dl->req.rhost, gai_strerror(gai_err));
		return;
	}
	dl->res = res;
	dl->cur = res;
	dial_connect_next(dl);
}

int dial_start(struct daemon *d, struct session *s, const struct proto_req *req,
	       struct dial **out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct dial *dl = calloc(1, sizeof(*dl));
	char port[8];
	int ret;

	if (!dl || buf_init(&dl->in, 1024, 2 * VNET_LINE_MAX) < 0 ||
	    buf_init(&dl->out, 1024, VNET_LINE_MAX) < 0) {
		if (dl)
			dial_free(dl);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	dl->d = d;
	dl->s = s;
	dl->req = *req;
	dl->io.fd = -1;
	dl->state = DIAL_RESOLVING;
	dl->deadline = loop_now_ms() + VNET_DIAL_TIMEOUT_MS;
	snprintf(dl->target, sizeof(dl->target), strchr(req->rhost, ':') ? "[%s]:%u" : "%s:%u",
		 req->rhost, (unsigned int)req->rport);
	snprintf(dl->why, sizeof(dl->why), "no address");

	ret = port_packet_open(&dl->port, req->ldev, req->lconf, req->macs, req->nmacs, err, errlen);
	if (ret < 0) {
		dial_free(dl);
		return ret;
	}
	*out = dl;
	log_info("HANDLE %s %s <-> %s %s at %s: connecting", proto_config_name(req->lconf),
		 req->ldev, proto_config_name(req->rconf), req->rdev, dl->target);

	snprintf(port, sizeof(port), "%u", (unsigned int)req->rport);
	ret = getaddrinfo(req->rhost, port, &hints, &dl->res);
	if (ret == 0) {
		dl->cur = dl->res;
		dial_connect_next(dl);
		return 0;
	}
	dl->job = resolve_start(req->rhost, req->rport, dial_resolved, dl);
	if (!dl->job) {
		*out = NULL;
		dl->port.ops->close(&dl->port);
		dial_free(dl);
		snprintf(err, errlen, "cannot resolve %s: out of resources", req->rhost);
		return -ENOMEM;
	}
	return 0;
}

void dial_cancel(struct dial *dl)
{
	if (dl->state != DIAL_DONE)
		dial_release(dl);
}

void dial_tick(struct dial *dl, uint64_t now)
{
	static const char *const step[] = {
		[DIAL_RESOLVING] = "resolving", [DIAL_CONNECTING] = "connecting",
		[DIAL_HELLO] = "waiting for its HELLO reply", [DIAL_BEGIN] = "waiting for its BEGIN reply",
		[DIAL_DONE] = "",
	};

	if (dl->state != DIAL_DONE && now >= dl->deadline)
		dial_fail(dl, "timeout after %d s %s %s", VNET_DIAL_TIMEOUT_MS / 1000,
			  step[dl->state], dl->target);
}
