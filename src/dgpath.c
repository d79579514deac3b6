// SPDX-License-Identifier: GPL-2.0-or-later
/* dgpath.c - a handler's datagram path: socket, keys, sealing, probes, path choice */
#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "vnet/common.h"
#include "vnet/dgpath.h"
#include "vnet/gso.h"
#include "vnet/log.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define BATCH_BYTES     (1u << 20)
#define BATCH_MSGS      64
#define BATCH_IOVS      512
#define GSO_GROUP_BYTES 60000       /* one UDP_SEGMENT send: within IPv4's 64 KiB */
#define GSO_GROUP_SEGS  64          /* Linux's UDP_MAX_SEGMENTS before 6.x */
#define RX_SLOTS        32
#define RX_SLOT_BYTES   65536
#define RX_MAX          (RX_SLOTS * 64)     /* datagrams in a batch, UDP_GRO's runs cut apart */
#define SOCK_BUF_BYTES  (4 << 20)    /* the daemon's socket: every listening handler's */
#define OWN_BUF_BYTES   (1 << 20)    /* a dialing handler's own socket */
#define DGPATH_ROUTE_MTU_MIN 576    /* a route MTU below (IPv4's least) is not believed */

/*
 * The send batch: datagrams of one path sealed in buf, described by msgs
 * (each a datagram, or a run of equal datagrams sent with UDP_SEGMENT).
 */
static struct {
	struct dgpath *owner;
	size_t used;
	unsigned int nmsg, niov;
	unsigned int datagrams[BATCH_MSGS];
	struct mmsghdr msgs[BATCH_MSGS];
	struct iovec iov[BATCH_IOVS];
	union {
		char b[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} cm[BATCH_MSGS];
	uint8_t buf[BATCH_BYTES];
} tx;

/*
 * The receive batch: RX_SLOTS reads, each one datagram or, with UDP_GRO, a
 * run of datagrams from one sender that the kernel joined (all of its
 * segment size but the last); dg[] lists them one by one.
 */
static struct {
	struct mmsghdr msgs[RX_SLOTS];
	struct iovec iov[RX_SLOTS];
	struct sockaddr_storage from[RX_SLOTS];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm[RX_SLOTS];
	struct {
		uint8_t *p;
		uint32_t len;
		uint16_t slot;
	} dg[RX_MAX];
	uint8_t buf[RX_SLOTS][RX_SLOT_BYTES];
} rx;

static size_t seg_len[BATCH_IOVS];

static void dgpath_tick(struct loop_timer *t);

void dgpath_init(struct dgpath *p, struct loop *l, unsigned long id)
{
	memset(p, 0, sizeof(*p));
	p->loop = l;
	p->id = id;
	p->fd = -1;
	p->io.fd = -1;
	loop_timer_init(&p->timer, dgpath_tick);
}

void dgpath_close(struct dgpath *p)
{
	struct dgpath_stats st = p->st;
	struct loop *l = p->loop;
	unsigned long id = p->id;

	if (tx.owner == p) {
		tx.owner = NULL;
		tx.used = tx.nmsg = tx.niov = 0;
	}
	loop_timer_cancel(l, &p->timer);
	loop_detach(l, &p->io);
	if (p->own_fd && p->fd >= 0)
		close(p->fd);
	explicit_bzero(p, sizeof(*p));
	dgpath_init(p, l, id);
	p->st = st;
}

static bool v4_wire(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	return ss->ss_family == AF_INET ||
	       (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr));
}

/* Set DF and ignore path MTU news (PROBE); IPv6 never fragments either. 0 or -errno. */
static int no_fragments(int fd, sa_family_t family)
{
	int probe = IP_PMTUDISC_PROBE, probe6 = IPV6_PMTUDISC_PROBE, one = 1;

	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe)) < 0)
		return -errno;
	if (family == AF_INET6 &&
	    (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe6, sizeof(probe6)) < 0 ||
	     setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one)) < 0))
		return -errno;
	return 0;
}

/* The MTU of the kernel's route to ss (its device's, or a path MTU it learned), or 0. */
static unsigned int route_mtu(const struct sockaddr_storage *ss, socklen_t len)
{
	bool v4 = ss->ss_family == AF_INET;
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 0;
	socklen_t ml = sizeof(mtu);

	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)ss, len) < 0 ||
	    getsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MTU : IPV6_MTU, &mtu, &ml) < 0)
		mtu = 0;
	close(fd);
	return mtu > 0 ? (unsigned int)mtu : 0;
}

/*
 * The largest Ethernet frame one datagram carries plain, for the path MTU
 * mtu, or the MTU of the route to the peer if smaller (datagrams are never
 * fragmented: a larger one could not leave).
 */
static void set_max_frame(struct dgpath *p, unsigned int mtu)
{
	unsigned int ip = v4_wire(&p->to) ? 20 : 40, route = route_mtu(&p->to, p->to_len);

	if (mtu < VNET_UDP_MTU_MIN)
		mtu = VNET_UDP_MTU;
	if (route >= DGPATH_ROUTE_MTU_MIN && route < mtu)
		mtu = route;

	p->max_frame = mtu - ip - 8 - DGRAM_OVERHEAD - FRAME_HDR_LEN;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static void sock_bufs(int fd, int n)
{

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &n, sizeof(n)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof(n));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &n, sizeof(n)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &n, sizeof(n));
}

int dgpath_socket(const struct sockaddr *sa, socklen_t len, bool dual)
{
	int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0, ret;

	if (fd < 0)
		return -errno;
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof(int));
	/*
	 * Never a fragment (DF), whatever an ICMP message claims of the path: a
	 * stamped datagram's frame is not covered by its tag, and fragments an
	 * off-path host could splice into one must not exist (vnet-security(7)).
	 */
	if (no_fragments(fd, sa->sa_family) < 0 || bind(fd, sa, len) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	sock_bufs(fd, SOCK_BUF_BYTES);
	setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));  /* fewer reads (Linux 5.0) */
	return fd;
}

static void write_offer(const struct dgpath *p, uint16_t port, bool accept,
			uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN])
{
	struct frame_offer o = { .version = FRAME_OFFER_VERSION,
				 .flags = accept ? FRAME_OFFER_F_ACCEPT : 0, .port = port,
				 .index = (uint32_t)p->id };

	memcpy(o.nonce, p->nonce, sizeof(o.nonce));
	frame_put_offer(out, &o);
}

int dgpath_offer(struct dgpath *p, const struct sockaddr *peer, socklen_t peer_len,
		 unsigned int mtu, const uint8_t secret[DGRAM_SECRET_LEN],
		 uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN])
{
	struct sockaddr_storage local = { .ss_family = peer->sa_family };
	socklen_t len = peer->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						   : sizeof(struct sockaddr_in6);
	uint16_t port;
	int fd, ret;

	if (peer_len > sizeof(p->to) || getrandom(p->nonce, sizeof(p->nonce), 0) !=
	    (ssize_t)sizeof(p->nonce))
		return -EIO;
	fd = dgpath_socket((struct sockaddr *)&local, len, true);
	if (fd < 0)
		return fd;
	sock_bufs(fd, OWN_BUF_BYTES);      /* one handler's: 4,000 of them stay bounded */
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	p->fd = fd;
	p->own_fd = true;
	p->listening = false;
	memcpy(&p->to, peer, peer_len);
	p->to_len = peer_len;
	set_max_frame(p, mtu);
	memcpy(p->secret, secret, DGRAM_SECRET_LEN);
	p->state = DGPATH_OFFERED;
	p->offered_ms = loop_now_ms();
	if (local.ss_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, &local, sizeof(sin));
		port = ntohs(sin.sin_port);
	} else {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, &local, sizeof(sin6));
		port = ntohs(sin6.sin6_port);
	}
	write_offer(p, port, true, out);
	loop_timer_set(p->loop, &p->timer, p->offered_ms + DGPATH_ANSWER_MS);
	return 0;
}

static void send_probe(struct dgpath *p);

int dgpath_take_offer(struct dgpath *p, const struct frame_msg *msg, const struct dgpath_env *env,
		      const struct sockaddr *peer, socklen_t peer_len,
		      const uint8_t secret[DGRAM_SECRET_LEN], bool *reply,
		      uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN])
{
	struct frame_offer o;
	int fd;

	*reply = false;
	if (!frame_get_offer(msg, &o))
		return -EPROTO;
	if (p->state == DGPATH_OFFERED && !p->listening) {     /* the answer */
		if (!(o.flags & FRAME_OFFER_F_ACCEPT) || !o.port) {
			p->state = DGPATH_DECLINED;
			loop_timer_cancel(p->loop, &p->timer);
			log_info("handler %lu: the peer takes no datagrams (--udp off): frames go "
				 "over the TCP link", p->id);
			return 0;
		}
		if (dgram_derive(p->secret, p->nonce, o.nonce, true, &p->keys) < 0)
			return -EPROTO;
		set_port(&p->to, o.port);
		p->peer_index = o.index;
		p->state = DGPATH_KEYED;
		send_probe(p);
		loop_timer_set(p->loop, &p->timer, loop_now_ms() + DGPATH_PROBE_MS);
		return 0;
	}
	if (p->state != DGPATH_OFF || !p->listening)
		return -EPROTO;
	/* The listening side: the dialing side's offer. */
	fd = peer->sa_family == AF_INET ? env->fd4 : env->fd6;
	if (env->off || fd < 0 || !(o.flags & FRAME_OFFER_F_ACCEPT) || !o.port ||
	    peer_len > sizeof(p->to)) {
		memset(p->nonce, 0, sizeof(p->nonce));
		write_offer(p, 0, false, out);
		p->state = DGPATH_DECLINED;
		*reply = true;
		return 0;
	}
	if (getrandom(p->nonce, sizeof(p->nonce), 0) != (ssize_t)sizeof(p->nonce) ||
	    dgram_derive(secret, o.nonce, p->nonce, false, &p->keys) < 0)
		return -EPROTO;
	p->fd = fd;
	p->own_fd = false;
	memcpy(&p->to, peer, peer_len);
	p->to_len = peer_len;
	set_port(&p->to, o.port);   /* a first guess: the source of authentic datagrams wins */
	set_max_frame(p, env->mtu);
	p->peer_index = o.index;
	p->state = DGPATH_KEYED;
	p->offered_ms = loop_now_ms();
	write_offer(p, env->port, true, out);
	*reply = true;
	loop_timer_set(p->loop, &p->timer, p->offered_ms + DGPATH_PROBE_MS);
	return 0;
}

static bool heard(const struct dgpath *p, uint64_t now)
{
	return p->heard_ms && now - p->heard_ms < DGPATH_DEAD_MS;
}

bool dgpath_sending(struct dgpath *p)
{
	uint64_t now;
	bool on;

	if (p->state != DGPATH_KEYED)
		return false;
	now = loop_now_ms();
	on = p->hears_ms && now - p->hears_ms < DGPATH_DEAD_MS;
	if (on != p->active) {
		p->active = on;
		if (on)
			log_info("handler %lu: datagrams get through both ways: frames go as "
				 "datagrams", p->id);
		else
			log_warn("handler %lu: the peer has not said it hears our datagrams for %d ms: "
				 "frames go over the TCP link until datagrams get through again",
				 p->id, DGPATH_DEAD_MS);
	}
	return on;
}

void dgpath_clamp(const struct dgpath *p, const struct virtio_net_hdr *vh, uint8_t *eth,
		  size_t len)
{
	size_t l3 = 12, ip = 0;
	uint16_t type;

	/* The frame's own headers: up to two VLAN tags, then IPv4 (its IHL) or IPv6. */
	if (len < FRAME_ETH_MIN)
		return;
	type = (uint16_t)(eth[12] << 8 | eth[13]);
	for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2 && l3 + 8 <= len; tags++) {
		l3 += 4;
		type = (uint16_t)(eth[l3] << 8 | eth[l3 + 1]);
	}
	l3 += 2;
	if (type == 0x0800 && l3 < len)
		ip = (size_t)(eth[l3] & 0x0f) * 4;
	else if (type == 0x86dd)
		ip = 40;
	/* A segment of MSS bytes, TCP options included, then fits a datagram. */
	if (ip >= 20 && p->max_frame > l3 + ip + 20 + 500)
		gso_clamp_mss(vh, eth, len, (uint16_t)(p->max_frame - l3 - ip - 20));
}

static void seal_at(struct dgpath *p, uint8_t *q, size_t payload, uint8_t type, uint8_t flags)
{
	struct dgram_hdr h = { .type = type, .flags = flags, .receiver = p->peer_index,
			       .counter = p->tx_counter++ };

	if (heard(p, loop_now_ms()))
		h.flags |= DGRAM_F_HEARD;
	if (p->sealed)
		dgram_seal(p->keys.tx, &h, q, payload);
	else
		dgram_stamp(p->keys.stamp_tx, &h, q, payload);
}

static void send_probe(struct dgpath *p)
{
	uint8_t d[DGRAM_OVERHEAD];

	seal_at(p, d, 0, DGRAM_T_PROBE, 0);
	if (sendto(p->fd, d, sizeof(d), 0, (struct sockaddr *)&p->to, p->to_len) < 0)
		p->st.drop_send++;
	p->tx_ms = loop_now_ms();
}

/*
 * Message m's datagrams one by one, without UDP_SEGMENT, which a device
 * without checksum offload refuses (EIO), and a route refuses when its MTU
 * fell below the run's datagrams after the path was keyed (EMSGSIZE: then
 * each datagram fails too, and counts in drop_send).
 */
static void send_each(struct dgpath *p, const struct mmsghdr *m)
{
	for (size_t i = 0; i < m->msg_hdr.msg_iovlen; i++) {
		struct msghdr one = { .msg_name = m->msg_hdr.msg_name,
				      .msg_namelen = m->msg_hdr.msg_namelen,
				      .msg_iov = &m->msg_hdr.msg_iov[i], .msg_iovlen = 1 };

		if (sendmsg(p->fd, &one, 0) < 0)
			p->st.drop_send++;
	}
}

static void batch_send(void)
{
	unsigned int done = 0;

	while (done < tx.nmsg) {
		int n = sendmmsg(tx.owner->fd, tx.msgs + done, tx.nmsg - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EINVAL || errno == EIO || errno == EMSGSIZE) &&
			    tx.datagrams[done] > 1) {
				send_each(tx.owner, &tx.msgs[done++]);
				continue;
			}
			/* Lost, as on a congested link: the inner flows repair it. */
			for (; done < tx.nmsg; done++)
				tx.owner->st.drop_send += tx.datagrams[done];
			break;
		}
		done += (unsigned int)n;
	}
	tx.owner->tx_ms = loop_now_ms();
	tx.used = tx.nmsg = tx.niov = 0;
	tx.owner = NULL;
}

void dgpath_flush(struct dgpath *p)
{
	if (tx.owner == p && tx.nmsg)
		batch_send();
}

/* Make message k of the batch a run of equal datagrams of seg bytes (UDP_SEGMENT). */
static void batch_segment(unsigned int k, size_t seg)
{
	struct mmsghdr *m = &tx.msgs[k];
	struct cmsghdr *c;

	m->msg_hdr.msg_control = tx.cm[k].b;
	m->msg_hdr.msg_controllen = sizeof(tx.cm[k].b);
	c = CMSG_FIRSTHDR(&m->msg_hdr);
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
	*(uint16_t *)(void *)CMSG_DATA(c) = (uint16_t)seg;
}

/* One message of iovecs [iov0, iov0 + n), as equal datagrams of size seg (UDP_SEGMENT when n > 1). */
static void batch_msg(struct dgpath *p, unsigned int iov0, unsigned int n, size_t seg)
{
	struct mmsghdr *m = &tx.msgs[tx.nmsg];

	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = &p->to;
	m->msg_hdr.msg_namelen = p->to_len;
	m->msg_hdr.msg_iov = &tx.iov[iov0];
	m->msg_hdr.msg_iovlen = n;
	if (n > 1)
		batch_segment(tx.nmsg, seg);
	tx.datagrams[tx.nmsg++] = n;
}

/*
 * The datagram at iov i joins the batch's last message if that is a run of
 * datagrams of its length just before it, with room for one more: many
 * small frames of one size (a VoIP stream, a flood of minimum-size frames)
 * then cost the kernel one send and one buffer for up to GSO_GROUP_SEGS.
 */
static bool batch_join(unsigned int i)
{
	size_t len = tx.iov[i].iov_len;
	struct mmsghdr *m;
	size_t n;

	if (!tx.nmsg)
		return false;
	m = &tx.msgs[tx.nmsg - 1];
	n = m->msg_hdr.msg_iovlen;
	if (m->msg_hdr.msg_iov + n != &tx.iov[i] || n >= GSO_GROUP_SEGS ||
	    (n + 1) * len > GSO_GROUP_BYTES || m->msg_hdr.msg_iov[0].iov_len != len ||
	    m->msg_hdr.msg_iov[n - 1].iov_len != len)
		return false;
	if (n == 1)
		batch_segment(tx.nmsg - 1, len);
	m->msg_hdr.msg_iovlen = n + 1;
	tx.datagrams[tx.nmsg - 1]++;
	return true;
}

/*
 * Room in the batch for n datagrams of up to bytes in all, in up to msgs
 * messages, sending it first if needed (the caller keeps within an empty
 * batch's room).
 */
static void batch_room(struct dgpath *p, unsigned int n, unsigned int msgs, size_t bytes)
{
	if (tx.owner && (tx.owner != p || tx.nmsg + msgs > BATCH_MSGS ||
			 tx.niov + n > BATCH_IOVS || tx.used + bytes > BATCH_BYTES))
		batch_send();
	tx.owner = p;
}

/* The frame as one datagram: its message (offload header when vh says something). */
static void queue_one(struct dgpath *p, const struct virtio_net_hdr *vh, const uint8_t *eth,
		      size_t len, bool offload)
{
	size_t body = FRAME_HDR_LEN + (offload ? FRAME_OFFLOAD_LEN : 0) + len;
	uint8_t *q;

	batch_room(p, 1, 1, DGRAM_OVERHEAD + body);
	q = tx.buf + tx.used;
	frame_put_header(q + DGRAM_HDR_LEN, offload ? FRAME_T_OFFLOAD : FRAME_T_PLAIN,
			 body - FRAME_HDR_LEN);
	if (offload)
		frame_put_offload(q + DGRAM_HDR_LEN + FRAME_HDR_LEN, vh);
	memcpy(q + DGRAM_HDR_LEN + body - len, eth, len);
	seal_at(p, q, body, DGRAM_T_FRAME, 0);
	tx.iov[tx.niov] = (struct iovec){ q, DGRAM_OVERHEAD + body };
	if (!batch_join(tx.niov))
		batch_msg(p, tx.niov, 1, 0);
	tx.niov++;
	tx.used += DGRAM_OVERHEAD + body;
	p->st.out++;
	p->st.out_bytes += len;
}

/*
 * The longest headers a segment can have: Ethernet with two VLAN tags, IPv4
 * with options (60; IPv6 without extension headers is 40), TCP with options.
 */
#define SEG_HDR_MAX (14 + 8 + 60 + 60)

/*
 * Cut the frame into plain frames that each fit a datagram, each a
 * datagram; runs of equal ones go as one UDP_SEGMENT message. -EINVAL: it
 * cannot be cut (or into no more than the batch holds).
 */
static int queue_cut(struct dgpath *p, const struct virtio_net_hdr *vh, const uint8_t *eth,
		     size_t len)
{
	/* A segment of a super-frame is no longer than its headers and gso_size. */
	size_t max = vh->gso_size && (size_t)vh->gso_size + SEG_HDR_MAX < p->max_frame ?
		     (size_t)vh->gso_size + SEG_HDR_MAX : p->max_frame;
	size_t stride = DGRAM_OVERHEAD + FRAME_HDR_LEN + max;
	size_t per_msg = GSO_GROUP_BYTES / stride ? GSO_GROUP_BYTES / stride : 1;
	unsigned int most = FRAME_GSO_SEGS_MAX, first, group, msgs;
	bool partial;
	int n;

	if (per_msg > GSO_GROUP_SEGS)
		per_msg = GSO_GROUP_SEGS;
	if (most > BATCH_BYTES / stride)
		most = (unsigned int)(BATCH_BYTES / stride);
	/* Runs: every one full but the last, and the last datagram may be one of its own. */
	msgs = (unsigned int)((most + per_msg - 1) / per_msg) + 1;
	if (msgs > BATCH_MSGS)
		return -EINVAL;
	batch_room(p, most, msgs, most * stride);
	first = tx.niov;
	/* Checksums left partial where the stack left them so: the peer passes them on so. */
	n = gso_segment_partial(vh, eth, len, max, tx.buf + tx.used + DGRAM_HDR_LEN + FRAME_HDR_LEN,
				stride, most, seg_len, &partial);
	if (n <= 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		uint8_t *q = tx.buf + tx.used + (size_t)i * stride;

		frame_put_header(q + DGRAM_HDR_LEN, FRAME_T_PLAIN, seg_len[i]);
		seal_at(p, q, FRAME_HDR_LEN + seg_len[i], DGRAM_T_FRAME,
			partial ? DGRAM_F_PARTIAL : 0);
		tx.iov[first + (unsigned int)i] = (struct iovec){
			q, DGRAM_OVERHEAD + FRAME_HDR_LEN + seg_len[i] };
		p->st.out_bytes += seg_len[i];
	}
	tx.used += (size_t)n * stride;
	tx.niov += (unsigned int)n;
	/* Runs of equal datagrams (all but the last are), each within one UDP_SEGMENT send. */
	for (unsigned int i = 0; i < (unsigned int)n; i += group) {
		size_t seg = tx.iov[first + i].iov_len, bytes = 0;

		group = 0;
		while (i + group < (unsigned int)n && group < per_msg &&
		       (group == 0 || (bytes + tx.iov[first + i + group].iov_len <= GSO_GROUP_BYTES &&
				       (tx.iov[first + i + group].iov_len == seg ||
					i + group + 1 == (unsigned int)n)))) {
			bytes += tx.iov[first + i + group].iov_len;
			group++;
		}
		batch_msg(p, first + i, group, seg);
	}
	p->st.out += (uint64_t)n;
	p->st.cut++;
	return 0;
}

int dgpath_queue(struct dgpath *p, const struct virtio_net_hdr *vh, const uint8_t *eth,
		 size_t len)
{
	bool gso = vh->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	bool offload = vh->flags || gso;

	if (!gso && len + (offload ? FRAME_OFFLOAD_LEN : 0) <= p->max_frame) {
		queue_one(p, vh, eth, len, offload);
		return 0;
	}
	if (queue_cut(p, vh, eth, len) == 0)
		return 0;
	if (!gso && len <= p->max_frame && !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		queue_one(p, vh, eth, len, false);
		return 0;
	}
	p->st.big++;
	return -EMSGSIZE;
}

bool dgpath_input(struct dgpath *p, uint8_t *d, size_t len, const struct sockaddr *from,
		  socklen_t from_len, struct frame_msg *msg)
{
	struct dgram_hdr h;
	const char *err = "";
	size_t used = 0;
	uint64_t now;
	ssize_t n;

	if (p->state != DGPATH_KEYED || !dgram_peek(d, len, &h)) {
		p->st.drop_auth++;
		return false;
	}
	if (!dgram_replay_ok(&p->replay, h.counter)) {
		p->st.drop_replay++;
		return false;
	}
	n = p->sealed ? dgram_open(p->keys.rx, d, len) : dgram_check(p->keys.stamp_rx, d, len);
	if (n < 0) {
		p->st.drop_auth++;
		return false;
	}
	dgram_replay_note(&p->replay, h.counter);
	now = loop_now_ms();
	p->heard_ms = now;
	if (h.flags & DGRAM_F_HEARD)
		p->hears_ms = now;
	if (p->listening && from_len <= sizeof(p->to) &&
	    (from_len != p->to_len || memcmp(from, &p->to, from_len))) {
		memcpy(&p->to, from, from_len);     /* NAT: answer where it comes from */
		p->to_len = from_len;
	}
	if (!(h.flags & DGRAM_F_HEARD) && now - p->reply_ms >= DGPATH_REPLY_MS) {
		p->reply_ms = now;
		send_probe(p);      /* tell it at once that it is heard */
	}
	if (h.type != DGRAM_T_FRAME)
		return false;
	if (frame_decode(d + DGRAM_HDR_LEN, (size_t)n, msg, &used, &err) != FRAME_OK ||
	    used != (size_t)n || !msg->has_frame ||
	    ((h.flags & DGRAM_F_PARTIAL) &&
	     (msg->has_offload || !gso_partial_vh(msg->eth, msg->eth_len, &msg->vh)))) {
		p->st.drop_auth++;
		return false;
	}
	if (h.flags & DGRAM_F_PARTIAL)
		msg->has_offload = true;
	p->st.in++;
	p->st.in_bytes += msg->eth_len;
	return true;
}

static void dgpath_tick(struct loop_timer *t)
{
	struct dgpath *p = container_of(t, struct dgpath, timer);
	uint64_t now = loop_now_ms();

	if (p->state == DGPATH_OFFERED) {
		if (!p->unanswered_logged)
			log_info("handler %lu: the peer did not answer the datagram offer in %d ms "
				 "(a vnet without datagrams?): frames go over the TCP link", p->id,
				 DGPATH_ANSWER_MS);
		p->unanswered_logged = true;
		return;
	}
	if (p->state != DGPATH_KEYED)
		return;
	if (now - p->tx_ms >= DGPATH_PROBE_MS)
		send_probe(p);
	dgpath_sending(p);
	if (!p->hears_ms && !p->unanswered_logged && now - p->offered_ms >= DGPATH_ANSWER_MS) {
		p->unanswered_logged = true;
		log_warn("handler %lu: no datagram from the peer got through in %d ms (UDP blocked "
			 "on the way?): frames go over the TCP link, datagrams are tried every %d ms",
			 p->id, DGPATH_ANSWER_MS, DGPATH_PROBE_MS);
	}
	loop_timer_set(p->loop, &p->timer, now + DGPATH_PROBE_MS);
}

/* The segment size of a read joined by UDP_GRO, or 0. */
static size_t gro_size(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

unsigned int dgpath_rx(int fd)
{
	unsigned int count = 0;
	int n;

	for (unsigned int i = 0; i < RX_SLOTS; i++) {
		rx.iov[i] = (struct iovec){ rx.buf[i], RX_SLOT_BYTES };
		rx.msgs[i].msg_hdr = (struct msghdr){ .msg_name = &rx.from[i],
						      .msg_namelen = sizeof(rx.from[i]),
						      .msg_iov = &rx.iov[i], .msg_iovlen = 1,
						      .msg_control = rx.cm[i].b,
						      .msg_controllen = sizeof(rx.cm[i].b) };
	}
	n = recvmmsg(fd, rx.msgs, RX_SLOTS, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		size_t len = rx.msgs[i].msg_len, seg = gro_size(&rx.msgs[i].msg_hdr);

		if (!seg || seg > len)
			seg = len;
		for (size_t off = 0; off < len && count < RX_MAX; off += seg) {
			rx.dg[count].p = rx.buf[i] + off;
			rx.dg[count].len = (uint32_t)(len - off < seg ? len - off : seg);
			rx.dg[count++].slot = (uint16_t)i;
		}
		if (!len && count < RX_MAX) {     /* an empty datagram: counted, then refused */
			rx.dg[count].p = rx.buf[i];
			rx.dg[count].len = 0;
			rx.dg[count++].slot = (uint16_t)i;
		}
	}
	return count;
}

uint8_t *dgpath_rx_get(unsigned int i, size_t *len, const struct sockaddr **from,
		       socklen_t *from_len)
{
	unsigned int slot = rx.dg[i].slot;

	*len = rx.dg[i].len;
	*from = (const struct sockaddr *)&rx.from[slot];
	*from_len = rx.msgs[slot].msg_hdr.msg_namelen;
	return rx.dg[i].p;
}

const char *dgpath_name(const struct dgpath *p)
{
	if (p->state != DGPATH_KEYED)
		return "tcp";
	return p->active ? "udp" : "tcp-fallback";
}
