// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler_path.c - a handler's data path: frames between its port and its link
 *
 * Capture: frames the port's filter accepts are framed (with their offload
 * metadata) straight into the link's transmit queue; when the queue cannot
 * take one more maximum-size frame, capture pauses and the kernel's socket
 * buffer, then the device, absorbs the burst (backpressure, no unbounded
 * queue). A port of a device's shared capture (capture.c) pushes its frames
 * instead (handler_client), as pausing would stall every other handler on
 * the device: the queue may then grow by up to VNET_QUEUE_DEEP (a deep
 * queue, bounded per device by the capture), given back as it drains.
 * The queues of all the handlers toward one peer hold about PEER_BYTES_MAX
 * in all (peer.h): past that, capture treats the queues that hold their
 * share of it as full; their receive queues keep about as much for it: past
 * that, a link that holds its share reads into the memory it has, and when
 * that is full waits before it reads again (HANDLER_RX_WAIT_MS).
 * Injection: messages read from the link are decoded in place and
 * injected; when the port cannot take more, reading the link pauses.
 * A failure of either end is returned to handler.c (enum handler_end), which
 * closes the handler, or lets go of its link or port (handler_settle).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vnet/conn.h"
#include "vnet/daemon.h"
#include "vnet/frame.h"
#include "vnet/gso.h"
#include "vnet/handler.h"
#include "handler_int.h"
#include "vnet/log.h"
#include "vnet/port_batch.h"

#define HANDLER_RX_FIRST    4096        /* the first read into an empty, unallocated queue */
#define HANDLER_BUDGET      64      /* frames captured per wake-up */
#define KEEPALIVE_ANSWER_MS 500     /* answer a keepalive if we sent nothing for this long */
#define HANDLER_READ_BYTES  (256 * 1024) /* link bytes read per wake-up */
#define HANDLER_DEEP_KEEP_MS 1000   /* a deep queue's memory is kept this long after its use */
#define HANDLER_PROBE_IDLE_MS 10    /* after this long without sending, a send is followed by a probe */
#define HANDLER_PROBE_RTT_US 2000   /* ...on a link whose round trip is at least this (a WAN) */
#define HANDLER_RX_WAIT_MS  100     /* reading waits this long when the peer's memory is used up */
/* A handler's own socket, for the loop guard: apart from the shared captures (an ifindex). */
#define HANDLER_GUARD_WHERE(id) ((uint64_t)1 << 63 | (uint64_t)(id))

static enum handler_end handler_inject(struct handler *h);

/* The link or the device is lost: why (printf) goes to h->why, end to handler.c. */
static enum handler_end handler_ends(struct handler *h, enum handler_end end, const char *fmt,
				     ...) __attribute__((format(printf, 3, 4)));
static enum handler_end handler_ends(struct handler *h, enum handler_end end, const char *fmt,
				     ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	return end;
}

/*
 * Has the link's queue room for one more frame, queued bytes kept within
 * limit and the peer's (or the queue under its share of the peer's)?
 */
static bool tx_fits(const struct handler *h, size_t limit)
{
	return buf_len(&h->tx) + FRAME_MSG_MAX <= limit &&
	       peer_may_take(h->peer, PEER_TX, buf_len(&h->tx), FRAME_MSG_MAX);
}

/* The peer is charged with what the link's queue holds, and the receive queue's memory. */
void handler_peer_sync(struct handler *h)
{
	peer_charge(h->peer, PEER_TX, &h->peer_tx, buf_len(&h->tx));
	peer_charge(h->peer, PEER_RX, &h->peer_rx, h->rx.cap);
}

void handler_peer_join(struct handler *h)
{
	h->peer = peer_get(&h->d->peers, h->raddr);    /* NULL (out of memory): not charged */
	h->peer_tx = h->peer_rx = 0;
	handler_peer_sync(h);
}

void handler_peer_leave(struct handler *h)
{
	peer_charge(h->peer, PEER_TX, &h->peer_tx, 0);
	peer_charge(h->peer, PEER_RX, &h->peer_rx, 0);
	peer_put(&h->d->peers, h->peer);
	h->peer = NULL;
	h->rx_wait = false;
}

void handler_update_interest(struct handler *h)
{
	struct loop *l = &h->d->loop;
	/* Room for a frame, taken when one comes (handler_capture): an idle queue holds no memory. */
	bool capture = tx_fits(h, VNET_QUEUE_BYTES) && !h->port_held;

	if (h->state == H_NODEV)
		return;     /* no port, no link: nothing to watch */
	if (h->state != H_UP) {
		/* No link: capture nothing (the kernel, or the shared capture, drops it). */
		loop_mod(l, &h->port_io, 0);
		if (handler_port_pushed(h))
			h->port.ops->resume(&h->port);  /* not paused for it: its frames are counted lost */
		return;
	}
	if (handler_port_pushed(h)) {
		/* The shared capture watches the device (and EPOLLOUT for injection). */
		if (capture)
			h->port.ops->resume(&h->port);
	} else {
		loop_mod(l, &h->port_io, (capture ? EPOLLIN : 0) |
					 (h->inject_blocked ? EPOLLOUT : 0));
	}
	loop_mod(l, &h->link_io, (h->inject_blocked || h->rx_wait ? 0 : EPOLLIN) |
				 (buf_len(&h->tx) ? EPOLLOUT : 0));
	/* TLS may hold records the socket no longer announces. */
	if (!h->inject_blocked && !h->rx_wait && conn_pending(h->link))
		loop_kick(l, &h->link_io);
}

void handler_port_unhold(struct loop_timer *t)
{
	struct handler *h = container_of(t, struct handler, port_hold);

	h->port_held = false;
	handler_update_interest(h);
}

/*
 * An odd receive error may not have taken anything off the port: leave it
 * alone a moment, or a persistent one would wake us without end.
 */
static void handler_port_hold(struct handler *h, ssize_t err)
{
	if (!h->port_held) {
		if (!h->odd_logged)
			log_warn("handler %lu: receive error on %s: %s: reading waits %d ms after "
				 "each such error (logged once)", h->id, h->spec.dev,
				 strerror((int)-err), PORT_RX_ODD_HOLD_MS);
		h->odd_logged = true;
		h->port_held = true;
		loop_timer_set(&h->d->loop, &h->port_hold, loop_now_ms() + PORT_RX_ODD_HOLD_MS);
	}
}

/* Send what is queued to the peer. */
static enum handler_end handler_send(struct handler *h)
{
	dgpath_flush(&h->dg);
	while (buf_len(&h->tx)) {
		ssize_t n = conn_write(h->link, buf_head(&h->tx), buf_len(&h->tx));

		if (n < 0) {
			if (n == -EAGAIN)
				break;
			return handler_ends(h, HANDLER_LINK_LOST, "link send: %s",
					    conn_error(h->link));
		}
		buf_consume(&h->tx, (size_t)n);
		h->link_tx_bytes += (uint64_t)n;
		h->last_tx = loop_now_ms();
	}
	handler_peer_sync(h);
	/*
	 * A deep queue (handler_client) drained and unused for a while: its
	 * memory goes back (kept meanwhile, so that a busy link does not grow
	 * and shrink it all the time). A queue within its usual bound may take
	 * twice that, to move its content down less often: that stays until
	 * the queue is idle (handler_timeout).
	 */
	if (h->tx.cap > 2 * VNET_QUEUE_BYTES && loop_now_ms() - h->deep_ms >= HANDLER_DEEP_KEEP_MS)
		buf_shrink(&h->tx, VNET_QUEUE_BYTES);
	return HANDLER_GOES_ON;
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
static enum handler_end handler_flush(struct handler *h)
{
	bool probe = h->aqm && h->aqm->min_rtt_us >= HANDLER_PROBE_RTT_US && buf_len(&h->tx) &&
		     loop_now_ms() - h->last_tx >= HANDLER_PROBE_IDLE_MS;
	enum handler_end end = handler_send(h);

	if (end)
		return end;
	return probe && !buf_len(&h->tx) ? handler_keepalive(h) : HANDLER_GOES_ON;
}

/*
 * --queue-delay: may a captured frame (eth, *n bytes) join the link's queue,
 * and how much of it (aqm_admit)? The controller is allocated with the first
 * frame: an idle handler holds none.
 */
static bool handler_admit(struct handler *h, struct virtio_net_hdr *vh, uint8_t *eth, size_t *n)
{
	if (!h->d->cfg.queue_delay_ms)
		return true;
	if (!h->aqm) {
		h->aqm = malloc(sizeof(*h->aqm));
		if (!h->aqm)
			return true;    /* no control rather than no traffic */
		aqm_init(h->aqm, h->d->cfg.queue_delay_ms);
	}
	return aqm_admit(h->aqm, conn_fd(h->link), h->link_tx_bytes, buf_len(&h->tx), eth, n, vh);
}

/*
 * Frame the n bytes written at the queue's tail (after room for the headers),
 * unless the queue-delay controller drops them (counted in drop_aqm) or cuts
 * them short (their metadata then follows).
 */
static void handler_queue(struct handler *h, const struct virtio_net_hdr *vh, size_t n)
{
	uint8_t *p = buf_tail(&h->tx);
	struct virtio_net_hdr v = *vh;

	if (dgpath_keyed(&h->dg)) {
		dgpath_clamp(&h->dg, vh, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, n);
		/* As datagrams: no queue here, nothing for the queue-delay control to watch. */
		if (dgpath_sending(&h->dg) &&
		    dgpath_queue(&h->dg, vh, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, n) == 0)
			return;
	}
	if (!handler_admit(h, &v, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, &n))
		return;
	frame_put_header(p, FRAME_T_OFFLOAD, FRAME_OFFLOAD_LEN + n);
	frame_put_offload(p + FRAME_HDR_LEN, &v);
	h->tx.tail += FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + n;
	handler_peer_sync(h);
}

/*
 * A frame captured on a port of its own (the classic engine, a TAP) that this
 * daemon injected lately, on this device or another, after this port had
 * captured it already: it came back through the network, a loop. Not
 * forwarded; counted in drop_loop, not as captured. (Its first visit here is
 * forwarded: a hub's devices capture what the daemon injects on the others.)
 */
static bool handler_echo(struct handler *h, const struct virtio_net_hdr *vh, const uint8_t *eth,
			 size_t n)
{
	unsigned long by;

	if (!loopguard_echo(&h->d->guard, vh, eth, n, HANDLER_GUARD_WHERE(h->id), loop_now_ms(),
			    &by))
		return false;
	h->port.stats.rx_frames--;
	h->port.stats.rx_bytes -= n;
	if (loopguard_unreported(eth, n))
		return true;
	h->port.stats.loop_drops++;
	if (handler_loop_log_due(h))
		log_warn("handler %lu: a frame this daemon injected (handler %lu) came back on %s: "
			 "a forwarding loop; not forwarded again (counted in drop_loop, logged at most "
			 "once a minute)", h->id, by, h->spec.dev);
	return true;
}

static enum handler_end handler_capture(struct handler *h)
{
	enum handler_end end;

	for (int i = 0; i < HANDLER_BUDGET; i++) {
		struct virtio_net_hdr vh;
		uint8_t *p;
		ssize_t n;

		if (!tx_fits(h, VNET_QUEUE_BYTES) || !buf_reserve_lazy(&h->tx, FRAME_MSG_MAX))
			break;
		p = buf_tail(&h->tx);
		n = h->port.ops->recv(&h->port, &vh, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN,
				      FRAME_ETH_MAX);
		if (n < 0) {
			enum port_rx_err e = port_rx_error(n);

			if (e == PORT_RX_AGAIN)
				break;
			if (e == PORT_RX_OVERSIZE)
				continue;
			if (e == PORT_RX_DOWN) {
				/* Reported once when the device goes down; capture resumes when it is up. */
				log_warn("handler %lu: device %s is down", h->id, h->spec.dev);
				continue;
			}
			if (e == PORT_RX_GONE && n == -EBADFD)  /* a TAP whose device was deleted */
				return handler_ends(h, HANDLER_DEVICE_LOST, "device %s was removed",
						    h->spec.dev);
			if (e == PORT_RX_GONE)
				return handler_ends(h, HANDLER_DEVICE_LOST, "device %s: %s",
						    h->spec.dev, strerror((int)-n));
			/* That frame alone is lost: the handler goes on. */
			if (h->port.stats.rx_errors++ == 0)
				log_warn("handler %lu: a frame captured on %s was lost: %s (offload "
					 "metadata the kernel cannot hand over, such as UDP fragmentation "
					 "from a guest?); further ones are counted in drop_capture, not "
					 "logged", h->id, h->spec.dev, strerror((int)-n));
			if (e == PORT_RX_ODD) {
				handler_port_hold(h, n);
				break;
			}
			continue;
		}
		if (n < FRAME_ETH_MIN)
			continue;
		if (handler_echo(h, &vh, p + FRAME_HDR_LEN + FRAME_OFFLOAD_LEN, (size_t)n))
			continue;
		handler_queue(h, &vh, (size_t)n);
	}
	end = handler_flush(h);
	if (!end)
		handler_update_interest(h);
	return end;
}

/*
 * ---- a port fed by its device's shared capture (capture.c) pushes frames here,
 * through handler.c's struct port_client
 */

/* Room only while connected: its link drains the queue, and update_interest says when. */
uint8_t *handler_client_room(void *ctx, bool deep)
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
size_t handler_client_deep_bytes(void *ctx)
{
	const struct handler *h = ctx;
	size_t queued = buf_len(&h->tx) > VNET_QUEUE_BYTES ? buf_len(&h->tx) - VNET_QUEUE_BYTES : 0;
	size_t kept = h->tx.cap > 2 * VNET_QUEUE_BYTES ? h->tx.cap - 2 * VNET_QUEUE_BYTES : 0;

	return queued > kept ? queued : kept;
}

void handler_client_take(void *ctx, const struct virtio_net_hdr *vh, size_t len)
{
	handler_queue(ctx, vh, len);
}

enum handler_end handler_client_flush(struct handler *h)
{
	enum handler_end end;

	if (h->closed || h->state != H_UP)
		return HANDLER_GOES_ON;
	end = handler_flush(h);
	if (!end)
		handler_update_interest(h);
	return end;
}

enum handler_end handler_client_writable(struct handler *h)
{
	enum handler_end end;

	if (h->closed || h->state != H_UP || !h->inject_blocked)
		return HANDLER_GOES_ON;
	h->inject_blocked = false;
	h->last_rx = loop_now_ms();     /* the link's silence counts from now */
	end = handler_inject(h);
	if (!end)
		handler_update_interest(h);
	return end;
}

void handler_client_down(void *ctx)
{
	struct handler *h = ctx;

	log_warn("handler %lu: device %s is down", h->id, h->spec.dev);
}

/*
 * Queue a keepalive and send it. Every side sends one
 * after --keepalive seconds of silence, and answers one if it has itself been
 * quiet for half a second: each side then hears from the other at its own
 * pace, whatever the other's setting.
 */
enum handler_end handler_keepalive(struct handler *h)
{
	uint8_t ka[FRAME_HDR_LEN];
	enum handler_end end;

	frame_put_header(ka, FRAME_T_KEEPALIVE, 0);
	if (!buf_put(&h->tx, ka, sizeof(ka)))
		return HANDLER_GOES_ON;    /* the queue is full: the link is far from idle */
	end = handler_send(h);
	if (end)
		return end;
	buf_release(&h->tx);    /* an idle link's keepalive: keep no memory for it */
	return HANDLER_GOES_ON;
}

/* The peer's datagram offer, or its answer to ours: an answer of ours is queued. */
static void handler_dgram_offer(struct handler *h, const struct frame_msg *msg)
{
	const struct args *cfg = &h->d->cfg;
	const struct dgpath_env env = { .off = cfg->udp_off, .mtu = cfg->udp_mtu,
					.port = h->d->udp_port, .fd4 = h->d->udp_fd4,
					.fd6 = h->d->udp_fd6 };
	uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN];
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	bool reply = false;

	if (getpeername(conn_fd(h->link), (struct sockaddr *)&peer, &len) < 0 ||
	    dgpath_take_offer(&h->dg, msg, &env, (struct sockaddr *)&peer, len, h->dg.secret,
			      &reply, out) < 0) {
		log_debug("handler %lu: a datagram offer ignored", h->id);
		return;
	}
	if (reply)
		buf_put(&h->tx, out, sizeof(out));
}

void handler_dgram_begin(struct handler *h, const uint8_t secret[DGRAM_SECRET_LEN], bool sealed)
{
	uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN];
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int ret;

	h->dg.sealed = sealed;
	if (h->listening) {
		memcpy(h->dg.secret, secret, DGRAM_SECRET_LEN);    /* for the offer to come */
		h->dg.listening = true;
		return;
	}
	if (getpeername(conn_fd(h->link), (struct sockaddr *)&peer, &len) < 0)
		return;
	ret = dgpath_offer(&h->dg, (struct sockaddr *)&peer, len, h->d->cfg.udp_mtu, secret, out);
	if (ret < 0) {
		log_warn("handler %lu: no datagram path (%s): frames go over the TCP link", h->id,
			 strerror(-ret));
		return;
	}
	buf_put(&h->tx, out, sizeof(out));
}

/* Inject the complete messages buffered. */
static enum handler_end handler_inject(struct handler *h)
{
	while (!h->inject_blocked) {
		enum handler_end end;
		struct frame_msg msg;
		const char *err = "";
		size_t used = 0;

		switch (frame_decode(buf_head(&h->rx), buf_len(&h->rx), &msg, &used, &err)) {
		case FRAME_NEED_MORE:
			return HANDLER_GOES_ON;
		case FRAME_ERROR:
			return handler_ends(h, HANDLER_LINK_LOST, "protocol error from the peer: %s",
					    err);
		case FRAME_OK:
			break;
		}
		if (msg.type == FRAME_T_KEEPALIVE && loop_now_ms() - h->last_tx >= KEEPALIVE_ANSWER_MS &&
		    (end = handler_keepalive(h)))
			return end;
		if (msg.type == FRAME_T_DGRAM_OFFER)
			handler_dgram_offer(h, &msg);
		if (msg.has_frame && handler_deliver(h, &msg) == -EAGAIN) {
			h->inject_blocked = true;
			return HANDLER_GOES_ON;
		}
		buf_consume(&h->rx, used);
	}
	return HANDLER_GOES_ON;
}

enum handler_end handler_link_begin(struct handler *h)
{
	enum handler_end end = handler_inject(h);

	if (!end)
		end = handler_flush(h);
	if (!end)
		handler_update_interest(h);
	return end;
}

static enum handler_end handler_receive(struct handler *h)
{
	enum handler_end end;
	size_t got = 0;

	while (got < HANDLER_READ_BYTES && !h->inject_blocked) {
		/*
		 * An idle link's queue holds no memory (handler_timeout); what wakes
		 * it is mostly a keepalive or a ping: read that into a page, and take
		 * room for the largest message only when more comes.
		 */
		size_t want = h->rx.cap ? FRAME_MSG_MAX : HANDLER_RX_FIRST;
		ssize_t n;

		if (h->rx.cap - buf_len(&h->rx) < want &&
		    !peer_may_take(h->peer, PEER_RX, h->rx.cap + want, want)) {
			/*
			 * More memory, and the peer has used up its memory and
			 * the link its share: read into the room it has, if any
			 * (the message may be short), else wait, not reading.
			 */
			want = h->rx.cap - buf_len(&h->rx);
			if (!want) {
				h->rx_wait = true;
				loop_timer_set(&h->d->loop, &h->timer,
					       loop_now_ms() + HANDLER_RX_WAIT_MS);
				break;
			}
		}
		if (!buf_reserve(&h->rx, want))
			return handler_ends(h, HANDLER_LINK_LOST, "receive buffer full");
		handler_peer_sync(h);
		want = buf_room(&h->rx);
		n = conn_read(h->link, buf_tail(&h->rx), want);
		if (n == 0)
			return handler_ends(h, HANDLER_LINK_LOST, "the peer closed the connection");
		if (n < 0) {
			if (n == -EAGAIN)
				break;
			return handler_ends(h, HANDLER_LINK_LOST, "link receive: %s",
					    conn_error(h->link));
		}
		got += (size_t)n;
		h->rx.tail += (size_t)n;
		h->link_rx_bytes += (uint64_t)n;
		h->last_rx = loop_now_ms();
		end = handler_inject(h);
		if (end)
			return end;
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
	 * round trip here). Unless its peer's links wait for memory.
	 */
	if (!peer_fits(h->peer, PEER_RX, PEER_BYTES_MAX / 2) && buf_release(&h->rx))
		handler_peer_sync(h);
	handler_update_interest(h);
	return HANDLER_GOES_ON;
}

enum handler_end handler_port_ready(struct handler *h, uint32_t events)
{
	enum handler_end end;

	if (events & EPOLLERR) {
		/* A socket error (device down) is reported until read: read it. */
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(h->port_io.fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
		    err == ENETDOWN)
			log_warn("handler %lu: device %s is down", h->id, h->spec.dev);
		events &= ~(uint32_t)EPOLLERR;
	}
	if (h->closed || h->state != H_UP)
		return HANDLER_GOES_ON;
	if (events & EPOLLOUT) {
		h->inject_blocked = false;
		h->last_rx = loop_now_ms();     /* the link's silence counts from now */
		end = handler_inject(h);
		if (end)
			return end;
		handler_update_interest(h);
	}
	if (events & (EPOLLIN | EPOLLERR))
		return handler_capture(h);
	return HANDLER_GOES_ON;
}

enum handler_end handler_link_ready(struct handler *h, uint32_t events)
{
	enum handler_end end;

	if (h->closed || h->state != H_UP)
		return HANDLER_GOES_ON;
	/* Not reading (the port is full) but the connection is gone: do not spin on it. */
	if ((h->inject_blocked || h->rx_wait) && (events & (EPOLLHUP | EPOLLERR)))
		return handler_ends(h, HANDLER_LINK_LOST,
				    "the connection closed while the device was busy");
	if (events & EPOLLOUT) {
		end = handler_flush(h);
		if (end)
			return end;
		handler_update_interest(h);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		return handler_receive(h);
	return HANDLER_GOES_ON;
}
