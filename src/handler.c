// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler.c - a handler: one port bridged to one peer daemon over a TCP link
 *
 * Capture: frames the port's filter accepts are framed (with their offload
 * metadata) straight into the link's transmit queue; when the queue cannot
 * take one more maximum-size frame, capture pauses and the kernel's socket
 * buffer, then the device, absorbs the burst (backpressure, no unbounded
 * queue). A port of a device's shared capture (capture.c) pushes its frames
 * instead (handler_client), as pausing would stall every other handler on
 * the device: the queue may then grow by up to VNET_QUEUE_DEEP (a deep
 * queue, bounded per device by the capture), given back as it drains.
 * Injection: messages read from the link are decoded in place and
 * injected; when the port cannot take more, reading the link pauses.
 * Closing either end closes the handler, and the peer sees its link close.
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
#include "vnet/handler_int.h"
#include "vnet/frame.h"
#include "vnet/log.h"
#include "vnet/netlink.h"

#define HANDLER_RX_BYTES    (256 * 1024)
#define HANDLER_RX_FIRST    4096        /* the first read into an empty, unallocated queue */
#define HANDLER_BUDGET      64      /* frames captured per wake-up */
#define KEEPALIVE_ANSWER_MS 500     /* answer a keepalive if we sent nothing for this long */
#define BACKOFF_FIRST_MS    1000    /* reconnecting handlers: first wait, */
#define BACKOFF_MAX_MS      30000   /* doubling up to this, +-20 % jitter */
#define HANDLER_READ_BYTES  (256 * 1024) /* link bytes read per wake-up */
#define KEEPALIVE_RECHECK_MS 250    /* a keepalive due behind a queue not yet sent: look again */
#define HANDLER_DEEP_KEEP_MS 1000   /* a deep queue's memory is kept this long after its use */
#define HANDLER_PROBE_IDLE_MS 10    /* after this long without sending, a send is followed by a probe */
#define HANDLER_PROBE_RTT_US 2000   /* ...on a link whose round trip is at least this (a WAN) */

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
	if (h->port.ops->update_stats)
		h->port.ops->update_stats(&h->port);
	log_debug("handler %lu: captured %llu frames, injected %llu, %llu dropped", h->id,
		  (unsigned long long)h->port.stats.rx_frames,
		  (unsigned long long)h->port.stats.tx_frames,
		  (unsigned long long)(h->inject_drops + h->port.stats.rx_oversize +
				       h->drop_unlisted + h->drop_offload));
	loop_detach(&h->d->loop, &h->link_io);
	conn_free(h->link);
	h->link = NULL;
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
static void update_interest(struct handler *h);
static bool handler_inject(struct handler *h);
static bool handler_send(struct handler *h);
static bool handler_flush(struct handler *h);
static void handler_link_event(struct loop_io *io, uint32_t events);

/* UP: the timer for the next keepalive to send, or the silence that ends the link. */
static void handler_arm(struct handler *h, uint64_t now)
{
	uint64_t ka = h->last_tx + h->d->keepalive_ms, dead = h->last_rx + 3ull * h->d->keepalive_ms;

	if (ka <= now)      /* due, but the queue was not empty: it is being sent */
		ka = now + KEEPALIVE_RECHECK_MS;
	loop_timer_set(&h->d->loop, &h->timer, ka < dead ? ka : dead);
}

static bool handler_keepalive(struct handler *h);
static void handler_redial(struct handler *h);
static void handler_link_lost(struct handler *h, const char *why);

/*
 * The handler's timer: WAITING, dial again; UP, close a silent link, send a
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
	if (h->state != H_UP)
		return;
	if (h->inject_blocked)
		h->last_rx = now;   /* we are not reading: silence proves nothing */
	if (now - h->last_rx >= 3ull * h->d->keepalive_ms) {
		char why[64];

		snprintf(why, sizeof(why), "the peer has been silent for %u s",
			 3 * h->d->keepalive_ms / 1000);
		handler_link_lost(h, why);
		return;
	}
	if (now - h->last_tx >= h->d->keepalive_ms && buf_len(&h->tx) == 0) {
		if (!handler_keepalive(h))
			return;
		update_interest(h);
	}
	/* Queues emptied since a burst: their memory goes back until traffic needs it. */
	buf_release(&h->tx);
	buf_release(&h->rx);
	handler_arm(h, now);
}

static uint64_t next_backoff(struct handler *h)
{
	uint64_t b = h->backoff_ms ? h->backoff_ms : BACKOFF_FIRST_MS;
	uint64_t jitter = (uint64_t)(random() % 41);   /* 0..40 -> -20 %..+20 % */

	h->backoff_ms = b * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : b * 2;
	return b * (80 + jitter) / 100;
}

static void handler_wait(struct handler *h, uint64_t now)
{
	uint64_t wait = next_backoff(h);

	h->state = H_WAITING;
	loop_timer_set(&h->d->loop, &h->timer, now + wait);
	log_info("handler %lu: next attempt to reach %s:%u in %.1f s", h->id, h->redial->rhost,
		 (unsigned int)h->redial->rport, (double)wait / 1000);
}

/* The link is gone: the end of a handler, or of one connection of a reconnecting one. */
static void handler_link_lost(struct handler *h, const char *why)
{
	if (!h->redial) {
		handler_close(h, why);
		return;
	}
	log_warn("handler %lu (%s %s <-> %s:%u %s): link lost: %s", h->id,
		 proto_config_name(h->spec.conf), h->spec.dev, h->raddr, h->rport,
		 h->spec.peer_dev, why);
	loop_detach(&h->d->loop, &h->link_io);
	conn_free(h->link);
	h->link = NULL;
	buf_consume(&h->tx, buf_len(&h->tx));
	buf_consume(&h->rx, buf_len(&h->rx));
	buf_release(&h->tx);
	buf_release(&h->rx);
	if (h->aqm)
		aqm_reset(h->aqm);
	h->inject_blocked = false;
	h->backoff_ms = 0;
	handler_wait(h, loop_now_ms());
	update_interest(h);
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
		handler_close(h, why);
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
	h->reconnects += !first;
	h->backoff_ms = 0;
	if (first)
		log_info("handler %lu: connected to %s:%u", h->id, h->raddr, h->rport);
	else
		log_info("handler %lu: reconnected to %s:%u (reconnection %u)", h->id, h->raddr,
			 h->rport, h->reconnects);
	if (handler_inject(h) && handler_flush(h))
		update_interest(h);
}

/* Has the link's queue room for one more frame, queued bytes kept within limit? */
static bool tx_fits(const struct handler *h, size_t limit)
{
	return buf_len(&h->tx) + FRAME_MSG_MAX <= limit;
}

/* Is the port's frames pushed by a shared capture, not read from a descriptor of its own? */
static bool port_pushed(const struct handler *h)
{
	return h->port.ops->bind != NULL;
}

static void update_interest(struct handler *h)
{
	struct loop *l = &h->d->loop;
	/* Room for a frame, taken when one comes (handler_capture): an idle queue holds no memory. */
	bool capture = tx_fits(h, VNET_QUEUE_BYTES);

	if (h->state != H_UP) {
		/* No link: capture nothing (the kernel, or the shared capture, drops it). */
		loop_mod(l, &h->port_io, 0);
		if (port_pushed(h))
			h->port.ops->resume(&h->port);  /* not paused for it: its frames are counted lost */
		return;
	}
	if (port_pushed(h)) {
		/* The shared capture watches the device (and EPOLLOUT for injection). */
		if (capture)
			h->port.ops->resume(&h->port);
	} else {
		loop_mod(l, &h->port_io, (capture ? EPOLLIN : 0) |
					 (h->inject_blocked ? EPOLLOUT : 0));
	}
	loop_mod(l, &h->link_io, (h->inject_blocked ? 0 : EPOLLIN) |
				 (buf_len(&h->tx) ? EPOLLOUT : 0));
	/* TLS may hold records the socket no longer announces. */
	if (!h->inject_blocked && conn_pending(h->link))
		loop_kick(l, &h->link_io);
}

/* Send what is queued to the peer; false if the handler closed. */
static bool handler_send(struct handler *h)
{
	while (buf_len(&h->tx)) {
		ssize_t n = conn_write(h->link, buf_head(&h->tx), buf_len(&h->tx));

		if (n < 0) {
			char why[192];

			if (n == -EAGAIN)
				break;
			snprintf(why, sizeof(why), "link send: %s", conn_error(h->link));
			handler_link_lost(h, why);
			return false;
		}
		buf_consume(&h->tx, (size_t)n);
		h->link_tx_bytes += (uint64_t)n;
		h->last_tx = loop_now_ms();
	}
	/*
	 * A deep queue (handler_client) drained and unused for a while: its
	 * memory goes back (kept meanwhile, so that a busy link does not grow
	 * and shrink it all the time). A queue within its usual bound may take
	 * twice that, to move its content down less often: that stays until
	 * the queue is idle (handler_timeout).
	 */
	if (h->tx.cap > 2 * VNET_QUEUE_BYTES && loop_now_ms() - h->deep_ms >= HANDLER_DEEP_KEEP_MS)
		buf_shrink(&h->tx, VNET_QUEUE_BYTES);
	return true;
}

/*
 * handler_send, and a probe behind what an idle link sent. Bytes sent on an
 * idle link travel alone: if their segment is lost, TCP finds out only with
 * its tail-loss probe, 2 round trips plus 200 ms later when one segment is in
 * flight. A keepalive sent right behind them, a second segment, makes the
 * loss show in the peer's next acknowledgement instead (RACK: about 1.25
 * round trips). With --queue-delay only, like the controller, and on a WAN
 * only: on a LAN TCP's own probe comes within milliseconds, and the second
 * write and peer wake-up cost a ping through vnet 80-100 us (make bench:
 * 275-371 us against 177-288 without).
 */
static bool handler_flush(struct handler *h)
{
	bool probe = h->aqm && h->aqm->min_rtt_us >= HANDLER_PROBE_RTT_US && buf_len(&h->tx) &&
		     loop_now_ms() - h->last_tx >= HANDLER_PROBE_IDLE_MS;

	if (!handler_send(h))
		return false;
	return probe && !buf_len(&h->tx) ? handler_keepalive(h) : true;
}

/*
 * --queue-delay: may a captured frame (eth, *n bytes) join the link's queue,
 * and how much of it (aqm_admit)? The controller is allocated with the first
 * frame: an idle handler holds none.
 */
static bool handler_admit(struct handler *h, const struct virtio_net_hdr *vh, uint8_t *eth,
			  size_t *n)
{
	if (!h->d->queue_delay_ms)
		return true;
	if (!h->aqm) {
		h->aqm = malloc(sizeof(*h->aqm));
		if (!h->aqm)
			return true;    /* no control rather than no traffic */
		aqm_init(h->aqm, h->d->queue_delay_ms);
	}
	return aqm_admit(h->aqm, conn_fd(h->link), h->link_tx_bytes, buf_len(&h->tx), eth, n, vh);
}

/*
 * Frame the n bytes written at the queue's tail (after room for the headers),
 * unless the queue-delay controller drops them (counted in drop_aqm) or cuts
 * them short.
 */
static void handler_queue(struct handler *h, const struct virtio_net_hdr *vh, size_t n)
{
	uint8_t *p = buf_tail(&h->tx);

	if (!handler_admit(h, vh, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, &n))
		return;
	frame_put_header(p, FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + n);
	frame_put_offload(p + FRAME_HDR_LEN, vh);
	h->tx.tail += FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + n;
}

static void handler_capture(struct handler *h)
{
	for (int i = 0; i < HANDLER_BUDGET; i++) {
		struct virtio_net_hdr vh;
		uint8_t *p;
		ssize_t n;

		if (!tx_fits(h, VNET_QUEUE_BYTES) || !buf_reserve_lazy(&h->tx, FRAME_MSG_MAX))
			break;
		p = buf_tail(&h->tx);
		n = h->port.ops->recv(&h->port, &vh, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN,
				      FRAME_ETH_MAX);
		if (n == -EAGAIN)
			break;
		if (n == -EMSGSIZE)
			continue;
		if (n == -ENETDOWN) {
			/* Reported once when the device goes down; capture resumes when it is up. */
			log_warn("handler %lu: device %s is down", h->id, h->spec.dev);
			continue;
		}
		if (n < 0) {
			char why[128];

			if (n == -EBADFD)   /* a TAP whose device was deleted */
				snprintf(why, sizeof(why), "device %s was removed", h->spec.dev);
			else
				snprintf(why, sizeof(why), "device %s: %s", h->spec.dev,
					 strerror((int)-n));
			handler_close(h, why);
			return;
		}
		if (n < FRAME_ETH_MIN)
			continue;
		handler_queue(h, &vh, (size_t)n);
	}
	if (handler_flush(h))
		update_interest(h);
}

/* ---- a port fed by its device's shared capture (capture.c) pushes frames here */

/* Room only while connected: its link drains the queue, and update_interest says when. */
static uint8_t *client_room(void *ctx, bool deep)
{
	struct handler *h = ctx;

	if (h->closed || h->state != H_UP ||
	    !tx_fits(h, VNET_QUEUE_BYTES + (deep ? VNET_QUEUE_DEEP : 0)) ||
	    !buf_reserve_lazy(&h->tx, FRAME_MSG_MAX))
		return NULL;
	if (deep)
		h->deep_ms = loop_now_ms();
	return buf_tail(&h->tx) + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN;
}

/* What a deep queue holds past the usual: bytes queued, or memory kept (handler_send). */
static size_t client_deep_bytes(void *ctx)
{
	const struct handler *h = ctx;
	size_t queued = buf_len(&h->tx) > VNET_QUEUE_BYTES ? buf_len(&h->tx) - VNET_QUEUE_BYTES : 0;
	size_t kept = h->tx.cap > 2 * VNET_QUEUE_BYTES ? h->tx.cap - 2 * VNET_QUEUE_BYTES : 0;

	return queued > kept ? queued : kept;
}

static void client_take(void *ctx, const struct virtio_net_hdr *vh, size_t len)
{
	handler_queue(ctx, vh, len);
}

static void client_flush(void *ctx)
{
	struct handler *h = ctx;

	if (!h->closed && h->state == H_UP && handler_flush(h))
		update_interest(h);
}

static void client_writable(void *ctx)
{
	struct handler *h = ctx;

	if (h->closed || h->state != H_UP || !h->inject_blocked)
		return;
	h->inject_blocked = false;
	h->last_rx = loop_now_ms();     /* the link's silence counts from now */
	if (handler_inject(h))
		update_interest(h);
}

static void client_down(void *ctx)
{
	struct handler *h = ctx;

	log_warn("handler %lu: device %s is down", h->id, h->spec.dev);
}

static void client_failed(void *ctx, const char *why)
{
	handler_close(ctx, why);
}

static const struct port_client handler_client = {
	.room = client_room,
	.deep_bytes = client_deep_bytes,
	.take = client_take,
	.flush = client_flush,
	.writable = client_writable,
	.down = client_down,
	.failed = client_failed,
};

/*
 * Queue a keepalive and send it; false if the link went. Every side sends one
 * after --keepalive seconds of silence, and answers one if it has itself been
 * quiet for half a second: each side then hears from the other at its own
 * pace, whatever the other's setting.
 */
static bool handler_keepalive(struct handler *h)
{
	uint8_t ka[FRAME_HDR_LEN];

	frame_put_header(ka, FRAME_T_KEEPALIVE, 0);
	if (!buf_put(&h->tx, ka, sizeof(ka)))
		return true;    /* the queue is full: the link is far from idle */
	if (!handler_send(h))
		return false;
	buf_release(&h->tx);    /* an idle link's keepalive: keep no memory for it */
	return true;
}

/*
 * Whether to refuse a frame from the peer instead of injecting it: its
 * addresses are not the handler's to inject (mac_inject_allowed), or its
 * offload metadata would make the kernel cut it into too many packets
 * (frame_offload_safe). Refused frames are counted; the first of each kind is
 * logged.
 */
static bool handler_refuse(struct handler *h, const struct frame_msg *msg)
{
	const char *why = "";

	if (!mac_inject_allowed(h->spec.conf, h->spec.macs, h->spec.nmacs, msg->eth)) {
		if (h->drop_unlisted++ == 0) {
			struct mac dst, src;
			char d[MAC_STRLEN], s[MAC_STRLEN];

			memcpy(dst.b, msg->eth, MAC_LEN);
			memcpy(src.b, msg->eth + MAC_LEN, MAC_LEN);
			mac_format(&dst, d);
			mac_format(&src, s);
			log_warn("handler %lu: refused a frame from the peer, %s -> %s: its %s address "
				 "is not in the handler's list (further ones are counted, not logged)",
				 h->id, s, d, h->spec.conf == VNET_LOCAL ? "source" : "destination");
		}
		return true;
	}
	if (msg->has_offload && !frame_offload_safe(&msg->vh, msg->eth, msg->eth_len, &why)) {
		if (h->drop_offload++ == 0)
			log_warn("handler %lu: refused a %zu-byte frame from the peer (segmentation "
				 "type %u, segment size %u): %s (further ones are counted, not logged)",
				 h->id, msg->eth_len, (unsigned int)msg->vh.gso_type,
				 (unsigned int)msg->vh.gso_size, why);
		return true;
	}
	return false;
}

/* Inject the complete messages buffered; false if the handler closed. */
static bool handler_inject(struct handler *h)
{
	static const struct virtio_net_hdr none;

	while (!h->inject_blocked) {
		struct frame_msg msg;
		const char *err = "";
		size_t used = 0;
		int ret;

		switch (frame_decode(buf_head(&h->rx), buf_len(&h->rx), &msg, &used, &err)) {
		case FRAME_NEED_MORE:
			return true;
		case FRAME_ERROR: {
			char why[128];

			snprintf(why, sizeof(why), "protocol error from the peer: %s", err);
			handler_link_lost(h, why);
			return false;
		}
		case FRAME_OK:
			break;
		}
		if (msg.type == FRAME_T_KEEPALIVE && loop_now_ms() - h->last_tx >= KEEPALIVE_ANSWER_MS &&
		    !handler_keepalive(h))
			return false;
		if (msg.has_frame && !handler_refuse(h, &msg)) {
			ret = h->port.ops->send(&h->port, msg.has_offload ? &msg.vh : &none, msg.eth,
						msg.eth_len);
			if (ret == -EAGAIN) {
				h->inject_blocked = true;
				return true;
			}
			if (ret < 0) {
				if (h->inject_drops++ == 0)
					log_warn("handler %lu: cannot inject a %zu-byte frame on %s: %s "
						 "(further drops are counted, not logged)",
						 h->id, msg.eth_len, h->spec.dev, strerror(-ret));
			}
		}
		buf_consume(&h->rx, used);
	}
	return true;
}

static void handler_receive(struct handler *h)
{
	size_t got = 0;

	while (got < HANDLER_READ_BYTES && !h->inject_blocked) {
		size_t want;
		ssize_t n;

		/*
		 * An idle link's queue holds no memory (handler_timeout); what wakes
		 * it is mostly a keepalive or a ping: read that into a page, and take
		 * room for the largest message only when more comes.
		 */
		if (!buf_reserve(&h->rx, h->rx.cap ? FRAME_MSG_MAX : HANDLER_RX_FIRST)) {
			handler_link_lost(h, "receive buffer full");
			return;
		}
		want = buf_room(&h->rx);
		n = conn_read(h->link, buf_tail(&h->rx), want);
		if (n == 0) {
			handler_link_lost(h, "the peer closed the connection");
			return;
		}
		if (n < 0) {
			char why[192];

			if (n == -EAGAIN)
				break;
			snprintf(why, sizeof(why), "link receive: %s", conn_error(h->link));
			handler_link_lost(h, why);
			return;
		}
		got += (size_t)n;
		h->rx.tail += (size_t)n;
		h->link_rx_bytes += (uint64_t)n;
		h->last_rx = loop_now_ms();
		if (!handler_inject(h))
			return;
		/*
		 * A short read emptied the socket: do not ask again only to hear
		 * EAGAIN (epoll is level-triggered). TLS reads stop at a record,
		 * so there a short read proves nothing.
		 */
		if ((size_t)n < want && !conn_is_tls(h->link))
			break;
	}
	/*
	 * The emptied queue keeps its memory until the handler's timer finds it
	 * idle (handler_timeout): released after every small read, a ping paid a
	 * free, a fresh allocation and its page faults each way (about 1.5 ms of
	 * round trip here).
	 */
	update_interest(h);
}

static void handler_port_event(struct loop_io *io, uint32_t events)
{
	struct handler *h = container_of(io, struct handler, port_io);

	if (events & EPOLLERR) {
		/* A socket error (device down) is reported until read: read it. */
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ENETDOWN)
			log_warn("handler %lu: device %s is down", h->id, h->spec.dev);
		events &= ~(uint32_t)EPOLLERR;
	}
	if (h->closed || h->state != H_UP)
		return;
	if (events & EPOLLOUT) {
		h->inject_blocked = false;
		h->last_rx = loop_now_ms();     /* the link's silence counts from now */
		if (!handler_inject(h))
			return;
		update_interest(h);
	}
	if (events & (EPOLLIN | EPOLLERR))
		handler_capture(h);
}

static void handler_link_event(struct loop_io *io, uint32_t events)
{
	struct handler *h = container_of(io, struct handler, link_io);

	if (h->closed || h->state != H_UP)
		return;
	if (h->inject_blocked && (events & (EPOLLHUP | EPOLLERR))) {
		/* Not reading (the port is full) but the connection is gone: do not spin on it. */
		handler_link_lost(h, "the connection closed while the device was busy");
		return;
	}
	if (events & EPOLLOUT) {
		if (!handler_flush(h))
			return;
		update_interest(h);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		handler_receive(h);
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

unsigned long handler_create(struct daemon *d, struct conn *link, struct port *port,
			     const struct handler_spec *spec, const struct buf *tx_pre,
			     const struct buf *rx_pre, const struct proto_req *redial,
			     const struct dial_key *key, char *err, size_t errlen)
{
	struct handler *h = NULL;
	int ret, fd = link ? conn_fd(link) : -1;

	struct mac_pattern *macs = NULL;
	struct nl_link dev;

	/* The device first: it may have been renamed while the link was being dialed. */
	if (!port_device_changed(d, port, spec->dev, err, errlen) &&
	    daemon_handler_fits(d, spec->dev, spec->nmacs, err, errlen)) {
		h = calloc(1, sizeof(*h));
		macs = spec->nmacs ? malloc(spec->nmacs * sizeof(*macs)) : NULL;
		if (!h || (spec->nmacs && !macs)) {
			snprintf(err, errlen, "out of memory");
			free(h);
			free(macs);
			h = NULL;
		}
	}
	if (!h) {
		port->ops->close(port);
		conn_free(link);
		return 0;
	}
	if (spec->nmacs)
		memcpy(macs, spec->macs, spec->nmacs * sizeof(*macs));
	/* From here on, the handler owns the link and the port. */
	h->d = d;
	h->spec = *spec;
	h->spec.macs = h->macs = macs;
	h->port = *port;
	port->fd = -1;
	h->link = link;
	h->link_io.fd = h->port_io.fd = -1;
	loop_timer_init(&h->timer, handler_timeout);
	/* The queues take memory when frames come (buf.c). */
	if (buf_init(&h->tx, 0, VNET_QUEUE_BYTES + VNET_QUEUE_DEEP) < 0 ||
	    buf_init(&h->rx, 0, HANDLER_RX_BYTES) < 0 ||
	    !buf_put(&h->tx, buf_head(tx_pre), buf_len(tx_pre)) ||
	    !buf_put(&h->rx, buf_head(rx_pre), buf_len(rx_pre))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (redial) {
		h->redial = malloc(sizeof(*h->redial));
		if (!h->redial || !proto_req_copy(h->redial, redial)) {
			free(h->redial);
			h->redial = NULL;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (key)
			h->key = *key;
	}
	if (link) {
		handler_attach(h, link);
	} else if (redial) {
		/* Not connected yet: it starts by waiting for its first attempt. */
		snprintf(h->raddr, sizeof(h->raddr), "%.60s", redial->rhost);
		h->rport = redial->rport;
		h->state = H_WAITING;
	} else {
		snprintf(err, errlen, "no connection");
		goto fail;
	}

	if (port_pushed(h))
		h->port.ops->bind(&h->port, &handler_client, h);
	if ((link && (ret = loop_add(&d->loop, &h->link_io, fd, EPOLLIN,
				     handler_link_event)) < 0) ||
	    (!port_pushed(h) &&
	     (ret = loop_add(&d->loop, &h->port_io, h->port.fd, EPOLLIN, handler_port_event)) < 0)) {
		snprintf(err, errlen, "epoll: %s", strerror(-ret));
		goto fail;
	}
	ret = h->port.ops->start(&h->port);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start capture on %s: %s", spec->dev, strerror(-ret));
		goto fail;
	}
	/* The device's counters now: its link alone, not a dump of every link. */
	if (nl_link_by_index(h->port.ifindex, &dev) == 0)
		h->dev_base = handler_device_frames(h, &dev, 1);
	h->id = daemon_handler_add(d, &h->node, &h->idn, h->spec.dev, h->spec.nmacs);
	log_info("handler %lu: %s %s <-> %s %s at %s:%u, %zu address%s%s", h->id,
		 proto_config_name(spec->conf), spec->dev, proto_config_name(spec->peer_conf),
		 spec->peer_dev, h->raddr, h->rport, spec->nmacs, spec->nmacs == 1 ? "" : "es",
		 redial ? ", reconnecting" : "");
	if (!link) {
		handler_wait(h, loop_now_ms());
		update_interest(h);
		return h->id;
	}
	/* Frames the peer sent right behind its OK, and our queued OK. */
	if (handler_inject(h) && handler_flush(h))
		update_interest(h);
	if (h->closed) {
		snprintf(err, errlen, "the peer's first frames were invalid: handler closed");
		return 0;
	}
	return h->id;
fail:
	loop_timer_cancel(&d->loop, &h->timer);
	loop_detach(&d->loop, &h->link_io);
	loop_detach(&d->loop, &h->port_io);
	h->port.ops->close(&h->port);
	handler_free(h);   /* frees the link */
	return 0;
}

bool handler_close_id(struct daemon *d, unsigned long id)
{
	struct daemon_id *idn = daemon_handler_find(d, id);

	if (!idn)
		return false;
	handler_close(container_of(idn, struct handler, idn), "closed by request");
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

		if (h->port.ifindex == ifindex &&
		    device_changed(h->spec.dev, name, removed, why, sizeof(why)))
			handler_close(h, why);
	}
}

void handler_check_devices(struct daemon *d)
{
	struct seen { int ifindex; bool gone; char name[IF_NAMESIZE]; } *seen;
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
	for (struct list *pos = d->handlers.next; pos != &d->handlers; pos = pos->next) {
		struct handler *h = list_entry(pos, struct handler, node);
		size_t i = 0;

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
}
