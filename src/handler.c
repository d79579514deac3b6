// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler.c - a handler: one port bridged to one peer daemon over a TCP link;
 * its life (create, close, the table of handlers), its timer (keepalives,
 * silence) and, for a reconnecting handler, the link's loss and redial
 * (handler_int.h: the states). What travels between the port and the link
 * is handler_path.c's; what it meets that ends the link or the port, it
 * returns here (enum handler_end), and handler_settle acts on it.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vnet/addr.h"
#include "vnet/conn.h"
#include "vnet/daemon.h"
#include "vnet/handler.h"
#include "handler_int.h"
#include "vnet/frame.h"
#include "vnet/log.h"
#include "vnet/netlink.h"

#define HANDLER_RX_BYTES    (256 * 1024)
#define BACKOFF_FIRST_MS    1000    /* reconnecting handlers: first wait, */
#define BACKOFF_MAX_MS      30000   /* doubling up to this, +-20 % jitter */
#define DGRAM_ROUNDS        8       /* batches of datagrams read from the daemon's socket per wake-up */
#define KEEPALIVE_RECHECK_MS 250    /* a keepalive due behind a queue not yet sent: look again */

static void handler_free(void *p)
{
	struct handler *h = p;

	conn_free(h->link);
	explicit_bzero(&h->key, sizeof(h->key));
	if (h->redial) {
		proto_req_wipe(h->redial);
		free(h->redial);
	}
	buf_free(&h->tx);
	buf_free(&h->rx);
	free(h->aqm);
	free(h->macs);
	free(h);
}

/* Closed: free it after this batch of events, or once the last answer holding it is sent. */
static void handler_let_go(void *p)
{
	struct handler *h = p;

	h->gone = true;
	if (!h->refs)
		handler_free(h);
}

struct handler **handler_hold_all(struct daemon *d, size_t *n)
{
	struct handler **hs;
	size_t i = 0;

	*n = d->nhandlers;
	if (!*n)
		return NULL;
	hs = malloc(*n * sizeof(*hs));
	if (!hs)
		return NULL;
	for (struct list *pos = d->handlers.next; pos != &d->handlers && i < *n; pos = pos->next) {
		hs[i] = list_entry(pos, struct handler, node);
		hs[i++]->refs++;
	}
	*n = i;
	return hs;
}

void handler_put_all(struct handler **hs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (--hs[i]->refs == 0 && hs[i]->gone)
			handler_free(hs[i]);
	free(hs);
}

static void handler_close(struct handler *h, const char *why)
{
	if (h->closed)
		return;
	h->closed = true;
	log_info("handler %lu (%s %s <-> %s:%u %s) closed: %s", h->id,
		 proto_config_name(h->spec.conf), h->spec.dev, h->raddr, h->rport,
		 h->spec.peer_dev, why);
	if (h->dial)
		dial_cancel(h->dial);
	h->dial = NULL;
	loop_timer_cancel(&h->d->loop, &h->timer);
	loop_timer_cancel(&h->d->loop, &h->port_hold);
	handler_inject_flush();     /* its frames gathered, before its counters are read */
	if (h->state != H_NODEV && h->port.ops->update_stats)
		h->port.ops->update_stats(&h->port);
	log_debug("handler %lu: captured %llu frames, injected %llu, %llu dropped", h->id,
		  (unsigned long long)h->port.stats.rx_frames,
		  (unsigned long long)h->port.stats.tx_frames,
		  (unsigned long long)(h->inject_drops + h->port.stats.rx_oversize +
				       h->drop_unlisted + h->drop_offload));
	loop_detach(&h->d->loop, &h->link_io);
	conn_free(h->link);
	h->link = NULL;
	dgpath_close(&h->dg);
	handler_peer_leave(h);
	loop_detach(&h->d->loop, &h->port_io);
	h->port.ops->close(&h->port);
	buf_release(&h->tx);
	buf_release(&h->rx);
	daemon_handler_del(h->d, &h->node, &h->idn, h->spec.dev, h->spec.nmacs);
	loop_defer(&h->d->loop, handler_let_go, h);
}

/* Why a handler on dev must close when its device is now name (or gone); false if it need not. */
static bool device_changed(const char *dev, const char *name, bool removed, char *why, size_t len)
{
	if (removed)
		snprintf(why, len, "device %s was removed", dev);
	else if (strcmp(name, dev))
		snprintf(why, len, "device %s was renamed %s", dev, name);
	else
		return false;
	return true;
}

/*
 * Is the port still on the device its request named, and is that one of
 * ours? Asked when a handler is made or reconnects: a rename or removal
 * while a HANDLE was dialing, or while the port was opened for the handlers
 * file, was notified when there was no handler yet to close. True with why
 * set if it changed.
 */
static bool port_device_changed(const struct daemon *d, const struct port *port, const char *dev,
				char *why, size_t len)
{
	char name[IF_NAMESIZE] = "";
	bool removed = false;

	if (!if_indextoname((unsigned int)port->ifindex, name)) {
		if (errno != ENXIO && errno != ENODEV) {
			snprintf(why, len, "cannot check device %s: %s", dev, strerror(errno));
			return true;
		}
		removed = true;
	}
	if (device_changed(dev, name, removed, why, len))
		return true;
	if (!daemon_device_allowed(d, dev)) {
		snprintf(why, len, "device %s is not one of this daemon's devices", dev);
		return true;
	}
	return false;
}

static void handler_redialed(void *arg, struct conn *link, const struct buf *rx, const char *err);
static void handler_link_lost(struct handler *h, const char *why);
static void handler_device_lost(struct handler *h, const char *why);

/* Act on what the data path met (handler_int.h): the link's loss, or the device's. */
static void handler_settle(struct handler *h, enum handler_end end)
{
	if (end == HANDLER_LINK_LOST)
		handler_link_lost(h, h->why);
	else if (end == HANDLER_DEVICE_LOST)
		handler_device_lost(h, h->why);
}

static void handler_port_event(struct loop_io *io, uint32_t events)
{
	struct handler *h = container_of(io, struct handler, port_io);

	handler_settle(h, handler_port_ready(h, events));
}

static void handler_link_event(struct loop_io *io, uint32_t events)
{
	struct handler *h = container_of(io, struct handler, link_io);

	handler_settle(h, handler_link_ready(h, events));
}

/* ---- a port of its device's shared capture: the capture pushes frames through this */

static void client_flush(void *ctx)
{
	handler_settle(ctx, handler_client_flush(ctx));
}

static void client_writable(void *ctx)
{
	handler_settle(ctx, handler_client_writable(ctx));
}

static void client_failed(void *ctx, const char *why)
{
	handler_device_lost(ctx, why);
}

static const struct port_client handler_client = {
	.room = handler_client_room,
	.deep_bytes = handler_client_deep_bytes,
	.take = handler_client_take,
	.flush = client_flush,
	.writable = client_writable,
	.down = handler_client_down,
	.failed = client_failed,
};

/* UP: the timer for the next keepalive to send, or the silence that ends the link. */
static void handler_arm(struct handler *h, uint64_t now)
{
	uint32_t every = h->d->cfg.keepalive_ms;
	uint64_t ka = h->last_tx + every, dead = h->last_rx + 3ull * every;

	if (ka <= now)      /* due, but the queue was not empty: it is being sent */
		ka = now + KEEPALIVE_RECHECK_MS;
	loop_timer_set(&h->d->loop, &h->timer, ka < dead ? ka : dead);
}

static void handler_redial(struct handler *h);
static void handler_revive(struct handler *h);

/*
 * The handler's timer: WAITING, dial again; NODEV, try its device again if
 * one of its name is there (a revive that failed); UP, close a silent link, send a
 * keepalive after --keepalive seconds of our own silence. Reading and
 * writing only note the time (last_rx, last_tx): the timer looks at them
 * when it runs, and is set again for what comes next.
 */
static void handler_timeout(struct loop_timer *t)
{
	struct handler *h = container_of(t, struct handler, timer);
	uint64_t now = loop_now_ms();

	if (h->state == H_WAITING) {
		handler_redial(h);
		return;
	}
	if (h->state == H_NODEV) {
		if (if_nametoindex(h->spec.dev))
			handler_revive(h);
		return;     /* gone again: its next notification revives it */
	}
	if (h->state != H_UP)
		return;
	if (h->inject_blocked || h->rx_wait)
		h->last_rx = now;   /* we are not reading: silence proves nothing */
	if (now - h->last_rx >= 3ull * h->d->cfg.keepalive_ms) {
		char why[64];

		snprintf(why, sizeof(why), "the peer has been silent for %u s",
			 3 * h->d->cfg.keepalive_ms / 1000);
		handler_link_lost(h, why);
		return;
	}
	if (now - h->last_tx >= h->d->cfg.keepalive_ms && buf_len(&h->tx) == 0) {
		enum handler_end end = handler_keepalive(h);

		if (end) {
			handler_settle(h, end);
			return;
		}
		handler_update_interest(h);
	}
	/* Queues emptied since a burst: their memory goes back until traffic needs it. */
	buf_release(&h->tx);
	buf_release(&h->rx);
	handler_peer_sync(h);
	if (h->rx_wait) {
		h->rx_wait = false;     /* try reading again (handler_receive) */
		handler_update_interest(h);
	}
	handler_arm(h, now);
}

static uint64_t next_backoff(struct handler *h)
{
	uint64_t b = h->backoff_ms ? h->backoff_ms : BACKOFF_FIRST_MS;
	uint64_t jitter = (uint64_t)(random() % 41);   /* 0..40 -> -20 %..+20 % */

	h->backoff_ms = b * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b * 2;
	return b * (80 + jitter) / 100;
}

/*
 * NODEV, its device there but not taken: try again after a backoff, since
 * no notification may come (a capture socket still held on the old device
 * by a HANDLE being dialed, for one).
 */
static void handler_nodev_retry(struct handler *h)
{
	uint64_t wait = next_backoff(h);

	loop_timer_set(&h->d->loop, &h->timer, loop_now_ms() + wait);
	log_info("handler %lu: next attempt to take device %s in %.1f s", h->id, h->spec.dev,
		 (double)wait / 1000);
}

static void handler_wait(struct handler *h, uint64_t now)
{
	uint64_t wait = next_backoff(h);

	h->state = H_WAITING;
	loop_timer_set(&h->d->loop, &h->timer, now + wait);
	log_info("handler %lu: next attempt to reach %s:%u in %.1f s", h->id, h->redial->rhost,
		 (unsigned int)h->redial->rport, (double)wait / 1000);
}

/* Let go of the link and of what was queued on either side of it. */
static void handler_unlink(struct handler *h)
{
	loop_detach(&h->d->loop, &h->link_io);
	conn_free(h->link);
	h->link = NULL;
	dgpath_close(&h->dg);
	buf_consume(&h->tx, buf_len(&h->tx));
	buf_consume(&h->rx, buf_len(&h->rx));
	handler_peer_leave(h);
	buf_release(&h->tx);
	buf_release(&h->rx);
	if (h->aqm)
		aqm_reset(h->aqm);
	h->inject_blocked = false;
}

/* The link is gone: the end of a handler, or of one connection of a reconnecting one. */
static void handler_link_lost(struct handler *h, const char *why)
{
	if (!handler_reconnects(h)) {
		handler_close(h, why);
		return;
	}
	log_warn("handler %lu (%s %s <-> %s:%u %s): link lost: %s", h->id,
		 proto_config_name(h->spec.conf), h->spec.dev, h->raddr, h->rport,
		 h->spec.peer_dev, why);
	handler_unlink(h);
	h->backoff_ms = 0;
	handler_wait(h, loop_now_ms());
	handler_update_interest(h);
}

static void handler_dgram_event(struct loop_io *io, uint32_t events)
{
	struct handler *h = container_of(io, struct handler, dg.io);

	(void)events;
	handler_settle(h, handler_dgram_ready(h));
}

/*
 * A new link: the datagram path's secret from it (the TLS exporter, or the
 * password it logged in with), and the dialing side's offer with a socket
 * of its own in the loop.
 */
static void handler_dgram_link(struct handler *h, const char *password)
{
	uint8_t secret[DGRAM_SECRET_LEN];
	int ret;

	if (h->d->cfg.udp_off && !h->listening)
		return;
	ret = conn_is_tls(h->link) ? conn_export(h->link, DGRAM_EXPORTER_LABEL, secret,
						 sizeof(secret))
				   : dgram_secret_password(password ? password : "", secret);
	if (ret < 0) {
		log_warn("handler %lu: no key for datagrams (%s): frames go over the TCP link",
			 h->id, strerror(-ret));
		return;
	}
	handler_dgram_begin(h, secret, conn_is_tls(h->link));
	explicit_bzero(secret, sizeof(secret));
	if (h->dg.own_fd &&
	    loop_add(&h->d->loop, &h->dg.io, h->dg.fd, EPOLLIN, handler_dgram_event) < 0)
		dgpath_close(&h->dg);
}

static void handler_attach(struct handler *h, struct conn *link)
{
	int one = 1, fd = conn_fd(link);
	uint64_t now = loop_now_ms();

	h->link = link;
	h->state = H_UP;
	h->up_since = h->last_rx = h->last_tx = now;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	addr_sock(fd, 0, h->laddr, &h->lport);
	addr_sock(fd, 1, h->raddr, &h->rport);
	handler_peer_join(h);
	handler_arm(h, now);
}

static void handler_redial(struct handler *h)
{
	char err[256];

	h->state = H_CONNECTING;
	loop_timer_cancel(&h->d->loop, &h->timer);
	if (dial_start(h->d, h->redial, &h->key, handler_redialed, h, &h->dial, err,
		       sizeof(err)) < 0) {
		log_warn("handler %lu: %s", h->id, err);
		handler_wait(h, loop_now_ms());
	}
}

static void handler_redialed(void *arg, struct conn *link, const struct buf *rx, const char *err)
{
	struct handler *h = arg;
	char why[96];
	bool first;
	int ret;

	h->dial = NULL;
	if (!link) {
		handler_wait(h, loop_now_ms());
		return;
	}
	if (port_device_changed(h->d, &h->port, h->spec.dev, why, sizeof(why))) {
		conn_free(link);
		handler_device_lost(h, why);
		return;
	}
	first = h->up_since == 0;   /* started unconnected (handlers file): not a reconnection */
	handler_attach(h, link);
	ret = loop_add(&h->d->loop, &h->link_io, conn_fd(link), EPOLLIN, handler_link_event);
	if (ret < 0 || !buf_put(&h->rx, buf_head(rx), buf_len(rx))) {
		loop_detach(&h->d->loop, &h->link_io);
		handler_link_lost(h, "cannot take the new connection");
		return;
	}
	h->port.ops->start(&h->port);  /* drop what the device queued meanwhile */
	handler_dgram_link(h, h->redial->password);
	h->reconnects += !first;
	h->backoff_ms = 0;
	if (first)
		log_info("handler %lu: connected to %s:%u", h->id, h->raddr, h->rport);
	else
		log_info("handler %lu: reconnected to %s:%u (reconnection %u)", h->id, h->raddr,
			 h->rport, h->reconnects);
	handler_settle(h, handler_link_begin(h));
}

/*
 * Its device is gone: a handler that knows how to dial again (redial) lets go
 * of its port and link and waits for a device of the same name (H_NODEV),
 * its counters kept; the others close. So does one on a TAP device of vnet's,
 * which vnet does not make again.
 */
static void handler_device_lost(struct handler *h, const char *why)
{
	struct loop *l = &h->d->loop;

	if (h->closed || h->state == H_NODEV)
		return;
	if (!h->redial || port_tap_owned(&h->d->tapdevs, h->spec.dev)) {
		handler_close(h, why);
		return;
	}
	log_warn("handler %lu (%s %s <-> %s:%u %s): %s: it comes back when a device named %s "
		 "is there", h->id, proto_config_name(h->spec.conf), h->spec.dev, h->raddr,
		 h->rport, h->spec.peer_dev, why, h->spec.dev);
	if (h->dial)
		dial_cancel(h->dial);
	h->dial = NULL;
	loop_timer_cancel(l, &h->timer);
	loop_timer_cancel(l, &h->port_hold);
	h->port_held = false;
	handler_unlink(h);
	handler_inject_flush();
	if (h->port.ops->update_stats)
		h->port.ops->update_stats(&h->port);
	port_stats_add(&h->port_past, &h->port.stats);
	loop_detach(l, &h->port_io);
	h->port.ops->close(&h->port);
	memset(&h->port.stats, 0, sizeof(h->port.stats));
	h->state = H_NODEV;
	h->backoff_ms = 0;
}

/* Its port on the device named as its own, which is back; then dial its peer again. */
static void handler_revive(struct handler *h)
{
	struct daemon *d = h->d;
	const struct port_want w = { h->spec.dev, h->spec.conf, h->spec.macs, h->spec.nmacs };
	struct port port;
	struct nl_link dev;
	char err[256];
	int ret;

	if (port_open(&port, &d->tapdevs, &w, err, sizeof(err)) < 0) {
		log_warn("handler %lu: device %s is back, but: %s", h->id, h->spec.dev, err);
		handler_nodev_retry(h);
		return;
	}
	h->port = port;
	h->port_io.fd = -1;
	if (handler_port_pushed(h))
		h->port.ops->bind(&h->port, &handler_client, h);
	else if ((ret = loop_add(&d->loop, &h->port_io, h->port.fd, 0, handler_port_event)) < 0)
		goto fail;
	if ((ret = h->port.ops->start(&h->port)) < 0)
		goto fail;
	/* Its filtered-frames estimate starts again with the new device's counters. */
	if (nl_link_by_index(h->port.ifindex, &dev) == 0)
		h->dev_base = handler_device_frames(h, &dev, 1) - (h->port_past.rx_frames +
			      h->port_past.rx_oversize + h->port_past.queue_drops +
			      h->port_past.device_drops + h->port_past.loop_drops +
			      h->port_past.tx_frames);
	log_info("handler %lu: device %s is back: reaching %s:%u again", h->id, h->spec.dev,
		 h->redial->rhost, (unsigned int)h->redial->rport);
	h->backoff_ms = 0;
	handler_redial(h);
	handler_update_interest(h);
	return;
fail:
	log_warn("handler %lu: device %s is back, but capture cannot start: %s", h->id,
		 h->spec.dev, strerror(-ret));
	loop_detach(&d->loop, &h->port_io);
	h->port.ops->close(&h->port);
	memset(&h->port.stats, 0, sizeof(h->port.stats));
	handler_nodev_retry(h);
}

void handler_spec_of(const struct proto_req *r, bool remote_side, struct handler_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->conf = remote_side ? r->rconf : r->lconf;
	spec->peer_conf = remote_side ? r->lconf : r->rconf;
	memcpy(spec->dev, remote_side ? r->rdev : r->ldev, sizeof(spec->dev));
	memcpy(spec->peer_dev, remote_side ? r->ldev : r->rdev, sizeof(spec->peer_dev));
	spec->macs = r->macs;
	spec->nmacs = r->nmacs;
}

/* A handler for p->spec, if its device is unchanged and the daemon has room; NULL with err. */
static struct handler *handler_alloc(struct daemon *d, const struct handler_params *p,
				     char *err, size_t errlen)
{
	const struct handler_spec *spec = &p->spec;
	struct mac_pattern *macs;
	struct handler *h;

	/* The device first: it may have been renamed while the link was being dialed. */
	if (port_device_changed(d, p->port, spec->dev, err, errlen) ||
	    !daemon_handler_fits(d, spec->dev, spec->nmacs, err, errlen))
		return NULL;
	h = calloc(1, sizeof(*h));
	macs = spec->nmacs ? malloc(spec->nmacs * sizeof(*macs)) : NULL;
	if (!h || (spec->nmacs && !macs)) {
		snprintf(err, errlen, "out of memory");
		free(h);
		free(macs);
		return NULL;
	}
	if (spec->nmacs)
		memcpy(macs, spec->macs, spec->nmacs * sizeof(*macs));
	h->spec = *spec;
	h->spec.macs = h->macs = macs;
	return h;
}

/* Its queues with the bytes already exchanged, its request to dial again, and its link. */
static int handler_take(struct handler *h, const struct handler_params *p, char *err,
			size_t errlen)
{
	const struct buf none = { 0 };
	const struct buf *tx_pre = p->tx_pre ? p->tx_pre : &none;
	const struct buf *rx_pre = p->rx_pre ? p->rx_pre : &none;
	const struct proto_req *redial = p->redial;

	/* The queues take memory when frames come (buf.c). */
	if (buf_init(&h->tx, 0, VNET_QUEUE_BYTES + VNET_QUEUE_DEEP) < 0 ||
	    buf_init(&h->rx, 0, HANDLER_RX_BYTES) < 0 ||
	    !buf_put(&h->tx, buf_head(tx_pre), buf_len(tx_pre)) ||
	    !buf_put(&h->rx, buf_head(rx_pre), buf_len(rx_pre))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (redial) {
		h->redial = malloc(sizeof(*h->redial));
		if (!h->redial || !proto_req_copy(h->redial, redial)) {
			free(h->redial);
			h->redial = NULL;
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		if (p->key)
			h->key = *p->key;
	}
	if (h->link) {
		handler_attach(h, h->link);
	} else if (redial) {
		/* Not connected yet: it starts by waiting for its first attempt. */
		snprintf(h->raddr, sizeof(h->raddr), "%.60s", redial->rhost);
		h->rport = redial->rport;
		h->state = H_WAITING;
	} else {
		snprintf(err, errlen, "no connection");
		return -ENOTCONN;
	}
	return 0;
}

/* Into the loop, and its capture started; the device's counters as they are now. */
static int handler_start(struct handler *h, char *err, size_t errlen)
{
	struct daemon *d = h->d;
	struct nl_link dev;
	int ret;

	if (handler_port_pushed(h))
		h->port.ops->bind(&h->port, &handler_client, h);
	if ((h->link && (ret = loop_add(&d->loop, &h->link_io, conn_fd(h->link), EPOLLIN,
					handler_link_event)) < 0) ||
	    (!handler_port_pushed(h) &&
	     (ret = loop_add(&d->loop, &h->port_io, h->port.fd, EPOLLIN, handler_port_event)) < 0)) {
		snprintf(err, errlen, "epoll: %s", strerror(-ret));
		return ret;
	}
	ret = h->port.ops->start(&h->port);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start capture on %s: %s", h->spec.dev,
			 strerror(-ret));
		return ret;
	}
	/* Its link alone, not a dump of every link. */
	if (nl_link_by_index(h->port.ifindex, &dev) == 0)
		h->dev_base = handler_device_frames(h, &dev, 1);
	return 0;
}

unsigned long handler_create(struct daemon *d, const struct handler_params *p, char *err,
			     size_t errlen)
{
	const struct handler_spec *spec = &p->spec;
	struct handler *h = handler_alloc(d, p, err, errlen);

	if (!h) {
		p->port->ops->close(p->port);
		conn_free(p->link);
		return 0;
	}
	/* From here on, the handler owns the link and the port. */
	h->d = d;
	h->port = *p->port;
	p->port->fd = -1;
	h->link = p->link;
	h->link_io.fd = h->port_io.fd = -1;
	dgpath_init(&h->dg, &d->loop, 0);
	loop_timer_init(&h->timer, handler_timeout);
	loop_timer_init(&h->port_hold, handler_port_unhold);
	if (handler_take(h, p, err, errlen) < 0 || handler_start(h, err, errlen) < 0)
		goto fail;
	h->id = daemon_handler_add(d, &h->node, &h->idn, h->spec.dev, h->spec.nmacs);
	h->dg.id = h->id;
	h->listening = p->listening;
	log_info("handler %lu: %s %s <-> %s %s at %s:%u, %zu address%s%s", h->id,
		 proto_config_name(spec->conf), spec->dev, proto_config_name(spec->peer_conf),
		 spec->peer_dev, h->raddr, h->rport, spec->nmacs, spec->nmacs == 1 ? "" : "es",
		 p->redial && p->redial->reconnect ? ", reconnecting" : "");
	if (!h->link) {
		handler_wait(h, loop_now_ms());
		handler_update_interest(h);
		return h->id;
	}
	if (h->link)
		handler_dgram_link(h, p->password);
	/* Frames the peer sent right behind its OK, and our queued OK. */
	handler_settle(h, handler_link_begin(h));
	if (h->closed) {
		snprintf(err, errlen, "the peer's first frames were invalid: handler closed");
		return 0;
	}
	return h->id;
fail:
	handler_peer_leave(h);
	loop_timer_cancel(&d->loop, &h->timer);
	loop_timer_cancel(&d->loop, &h->port_hold);
	loop_detach(&d->loop, &h->link_io);
	loop_detach(&d->loop, &h->port_io);
	h->port.ops->close(&h->port);
	handler_free(h);   /* frees the link */
	return 0;
}

void handler_datagrams(struct daemon *d, int fd)
{
	struct handler *last = NULL;

	for (int round = 0; round < DGRAM_ROUNDS; round++) {
		unsigned int n = dgpath_rx(fd);

		for (unsigned int i = 0; i < n; i++) {
			const struct sockaddr *from;
			struct daemon_id *idn;
			struct dgram_hdr hd;
			struct handler *h;
			socklen_t fl;
			size_t len;
			uint8_t *dg = dgpath_rx_get(i, &len, &from, &fl);

			if (!dgram_peek(dg, len, &hd) || !(idn = daemon_handler_find(d, hd.receiver))) {
				d->dgram_unknown++;
				continue;
			}
			h = container_of(idn, struct handler, idn);
			if (h->closed || h->state != H_UP)
				continue;
			if (last && last != h)
				handler_settle(last, handler_dgram_done(last));
			last = h;
			handler_settle(h, handler_dgram_in(h, dg, len, from, fl));
		}
		if (last)
			handler_settle(last, handler_dgram_done(last));
		last = NULL;
		if (n == 0)
			break;
	}
	handler_inject_flush();
}

bool handler_close_id(struct daemon *d, unsigned long id, const char *why)
{
	struct daemon_id *idn = daemon_handler_find(d, id);

	if (!idn)
		return false;
	handler_close(container_of(idn, struct handler, idn), why);
	return true;
}

void handler_close_all(struct daemon *d)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->handlers)
		handler_close(list_entry(pos, struct handler, node), "vnet is stopping");
}

void handler_link_changed(struct daemon *d, int ifindex, const char *name, bool removed)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->handlers) {
		struct handler *h = list_entry(pos, struct handler, node);
		char why[96];

		if (h->state == H_NODEV) {
			if (!removed && !strcmp(name, h->spec.dev)) {
				loop_timer_cancel(&d->loop, &h->timer);
				h->backoff_ms = 0;  /* news of it: the backoff starts again */
				handler_revive(h);
			}
		} else if (h->port.ifindex == ifindex &&
			   device_changed(h->spec.dev, name, removed, why, sizeof(why))) {
			handler_device_lost(h, why);
		}
	}
}

void handler_check_devices(struct daemon *d)
{
	struct seen { int ifindex; bool gone; char name[IF_NAMESIZE]; } *seen;
	struct list *pos, *tmp;
	size_t n = 0;

	seen = malloc((d->nhandlers ? d->nhandlers : 1) * sizeof(*seen));
	if (!seen) {
		log_err("handler_check_devices: out of memory");
		return;
	}
	/*
	 * Look first, close after: closing handlers while walking their list is
	 * not safe. Each device once: the handlers share a few.
	 */
	for (pos = d->handlers.next; pos != &d->handlers; pos = pos->next) {
		struct handler *h = list_entry(pos, struct handler, node);
		size_t i = 0;

		if (h->state == H_NODEV)
			continue;
		while (i < n && seen[i].ifindex != h->port.ifindex)
			i++;
		if (i < n || n == d->nhandlers)
			continue;
		seen[n].ifindex = h->port.ifindex;
		seen[n].gone = !if_indextoname((unsigned int)h->port.ifindex, seen[n].name);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		handler_link_changed(d, seen[i].ifindex, seen[i].gone ? "" : seen[i].name,
				     seen[i].gone);
	free(seen);
	/*
	 * Then those waiting for their device, those just lost included: the
	 * notification of its return may have been lost too. A revive closes
	 * no handler.
	 */
	list_for_each(pos, tmp, &d->handlers) {
		struct handler *h = list_entry(pos, struct handler, node);

		if (h->state == H_NODEV && if_nametoindex(h->spec.dev)) {
			loop_timer_cancel(&d->loop, &h->timer);
			h->backoff_ms = 0;
			handler_revive(h);
		}
	}
}
