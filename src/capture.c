// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * capture.c - a device's shared capture: one socket, one eBPF filter, frames to their handlers
 *
 * Per device: an eBPF socket filter and its two LPM-trie maps, made at start
 * while vnet may still create them, and a packet socket opened with the
 * device's first handler and closed with its last. Each handler's port is a
 * subscriber with a small id; its addresses enter the maps and the lookup
 * (macmap) when it starts, and leave when it closes.
 *
 * A frame is read once. It goes straight into the queue of the handler
 * that took the previous frame when that handler has room (a lone or busy
 * handler: the one copy a handler with a socket of its own makes), and is
 * copied to any other handler that wants it.
 *
 * A full queue is backpressure, not loss, as it was when each handler had
 * its own socket. A device with a single handler stops reading while that
 * handler is full: the socket's buffer (4 MiB) absorbs the burst. With
 * several, reading cannot stop for one without stalling the others (one
 * slow peer must not stall a device), so a full handler's queue grows
 * instead, past its usual bound, by up to VNET_QUEUE_DEEP (as much as the
 * socket would have held; the frames are still read once, into it): a *deep*
 * queue. A device's deep queues hold at most CAPTURE_DEEP_DEV bytes past
 * their usual bounds in all, and at most CAPTURE_DEEP_SUBS are deep at a
 * time. So a busy handler sees as much buffer with 4,000 handlers on its
 * device as alone, and TCP through it no more loss. Past those bounds, or
 * when the handler is not connected (reconnecting), a frame is dropped
 * (drop_queue). The handler gives the memory back as its queue drains.
 *
 * A frame costs the same however many handlers are stalled (their peer does
 * not read): queues drain between wake-ups, never during one, so what the
 * deep queues hold is summed once a wake-up and kept up to date as they take
 * frames, and a handler found without room is not asked again until the
 * next wake-up: its frames are counted lost on the spot. Frames the kernel
 * drops because the socket's buffer is full are a lone handler's drop_queue;
 * with several handlers, no one knows whose they were: each handler's
 * drop_device counts those lost while it was on the device.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vnet/capture.h"
#include "vnet/ebpf.h"
#include "vnet/frame.h"
#include "vnet/log.h"
#include "vnet/macmap.h"

#define CAPTURE_BUDGET  64      /* frames read per wake-up */
#define CAPTURE_SMALL   2048    /* after a frame this small, read in batches */
#define CAPTURE_DEEP_DEV (8u << 20)  /* bytes the device's deep queues hold past their bounds */
#define CAPTURE_DEEP_SUBS 64        /* deep queues at a time on a device */
#define VERIFIER_LOG    (64 * 1024)
#define NO_SUB          UINT32_MAX

struct capture_sub {
	struct capture *cap;
	uint32_t id;
	enum vnet_config cfg;
	bool started, blocked, touched;
	bool deep;                  /* in cap->deep */
	size_t deep_held;           /* of cap->deep_held, its part */
	uint32_t full;              /* the wake-up (cap->wake) in which it had no room */
	uint64_t shared_base;       /* cap->shared_drops when it came */
	const struct port_client *client;
	void *ctx;
	struct port_stats rx;       /* what the capture gave it, or dropped for it */
	uint64_t rx_errors_base;    /* cap->rx_errors when it started */
	size_t nmacs;
	struct mac_pattern macs[];  /* its addresses */
};

struct capture {
	struct capture *next;
	struct capture_set *set;
	char dev[IFNAMSIZ];
	int prog_fd, map_fd[EBPF_SIDES];
	int fd, ifindex;
	struct loop_io io;
	bool paused, down_logged;
	bool held, odd_logged;      /* an odd receive error: not read until hold; logged */
	struct loop_timer hold;
	struct capture_sub **subs;  /* by id */
	uint32_t nslots, nsubs, nstarted, nblocked;
	uint32_t last;              /* the id that took the last frame */
	uint32_t *hits, *touched;
	uint32_t ntouched;
	uint32_t deep[CAPTURE_DEEP_SUBS];  /* the ids whose queues may be deep */
	uint32_t ndeep;
	size_t deep_held;           /* what they hold past their usual bounds */
	uint32_t wake;              /* wake-ups that read frames, counted from 1 */
	struct macmap map;
	struct port_stats scratch_st;
	uint64_t loop_logged;       /* when a loop was last logged (0: never) */
	uint8_t scratch[FRAME_ETH_MAX];
	uint64_t shared_drops;      /* the socket's drops while handlers shared it */
	uint64_t rx_errors;         /* frames lost to receive errors since the socket opened */
	bool small;                 /* the last frame read was small: read in batches */
};

/*
 * Where batches of small frames are read (one loop: one set). A large frame
 * is read straight into its handler's queue, as it is the most to copy; a
 * small one costs less to copy than its own system call.
 */
static struct port_rx_slot capture_slots[PORT_RX_SLOTS];

/* ---- bpf(2) ---- */

static int sys_bpf(int cmd, union bpf_attr *a)
{
	long ret = syscall(SYS_bpf, cmd, a, sizeof(*a));

	return ret < 0 ? -errno : (int)ret;
}

static int map_create(const char *name)
{
	union bpf_attr a = { .map_type = BPF_MAP_TYPE_LPM_TRIE, .key_size = EBPF_KEY_LEN,
			     .value_size = EBPF_VALUE_LEN, .max_entries = CAPTURE_MAP_ENTRIES,
			     .map_flags = BPF_F_NO_PREALLOC };

	snprintf(a.map_name, sizeof(a.map_name), "%s", name);
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static int map_change(int fd, const struct mac_pattern *p, bool add)
{
	uint8_t key[EBPF_KEY_LEN];
	uint32_t one = 1;
	union bpf_attr a = { .map_fd = (uint32_t)fd };

	ebpf_key_of(p, key);
	a.key = (uint64_t)(uintptr_t)key;
	if (add)    /* a delete must leave the fields after the key zero */
		a.value = (uint64_t)(uintptr_t)&one;
	return sys_bpf(add ? BPF_MAP_UPDATE_ELEM : BPF_MAP_DELETE_ELEM, &a);
}

/* Load the filter of c's maps; on a refusal, why gets the verifier's last words. */
static int prog_load(struct capture *c, char *why, size_t len)
{
	struct bpf_insn prog[EBPF_PROG_LEN];
	union bpf_attr a = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER };
	int n = ebpf_build(VNET_MARK, c->map_fd, prog, ARRAY_SIZE(prog)), ret;
	char *log;

	if (n < 0)
		return n;
	log = calloc(1, VERIFIER_LOG);
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "vnet_capture");
	if (log) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = VERIFIER_LOG;
		a.log_level = 1;
	}
	ret = sys_bpf(BPF_PROG_LOAD, &a);
	if (ret == -ENOSPC && log) {  /* the log was too small: try without one */
		a.log_buf = 0;
		a.log_size = a.log_level = 0;
		ret = sys_bpf(BPF_PROG_LOAD, &a);
	}
	if (ret < 0) {
		size_t l = log ? strlen(log) : 0;
		const char *last;

		while (l && log[l - 1] == '\n')
			log[--l] = '\0';
		last = l ? strrchr(log, '\n') : NULL;
		snprintf(why, len, "the kernel refused the eBPF filter: %s%s%s", strerror(-ret),
			 l ? ": " : "", l ? (last ? last + 1 : log) : "");
	}
	free(log);
	return ret;
}

/* ---- the set ---- */

static void capture_unhold(struct loop_timer *t);

static void capture_free(struct capture *c)
{
	if (c->fd >= 0)     /* ports still open: not expected at the end */
		loop_close(c->set->loop, &c->io);
	loop_timer_cancel(c->set->loop, &c->hold);
	if (c->prog_fd >= 0)
		close(c->prog_fd);
	for (int s = 0; s < EBPF_SIDES; s++)
		if (c->map_fd[s] >= 0)
			close(c->map_fd[s]);
	macmap_free(&c->map);
	free(c->subs);
	free(c->hits);
	free(c->touched);
	free(c);
}

static void set_clear(struct capture_set *cs)
{
	while (cs->first) {
		struct capture *c = cs->first;

		cs->first = c->next;
		capture_free(c);
	}
	cs->shared = false;
}

static int capture_new(struct capture_set *cs, const char *dev, char *why, size_t len)
{
	struct capture *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	c->set = cs;
	c->fd = c->io.fd = -1;
	loop_timer_init(&c->hold, capture_unhold);
	c->last = NO_SUB;
	snprintf(c->dev, sizeof(c->dev), "%s", dev);
	c->map_fd[EBPF_DST] = c->map_fd[EBPF_SRC] = c->prog_fd = -1;
	c->next = cs->first;
	cs->first = c;
	for (int s = 0; s < EBPF_SIDES; s++) {
		if ((ret = map_create(s == EBPF_DST ? "vnet_dst" : "vnet_src")) < 0) {
			snprintf(why, len, "cannot create an eBPF map: %s%s", strerror(-ret),
				 ret == -EPERM ? " (CAP_BPF is missing)" : "");
			return ret;
		}
		c->map_fd[s] = ret;
	}
	if ((ret = prog_load(c, why, len)) < 0)
		return ret;
	c->prog_fd = ret;
	return 0;
}

void capture_setup(struct capture_set *cs, struct loop *loop, char *const *devs, size_t n,
		   const struct port_taps *taps)
{
	cs->loop = loop;
	cs->shared = true;
	for (size_t i = 0; i < n; i++) {
		if (port_tap_owned(taps, devs[i]))
			continue;
		if (capture_new(cs, devs[i], cs->why, sizeof(cs->why)) < 0) {
			set_clear(cs);
			return;
		}
	}
	if (!cs->first) {
		cs->shared = false;
		snprintf(cs->why, sizeof(cs->why), "no device but TAP devices");
	}
}

void capture_probe(struct capture_set *cs)
{
	struct mac_pattern p = { { 0 }, MAC_BITS };
	int ret;

	if (cs->shared) {
		ret = map_change(cs->first->map_fd[EBPF_SRC], &p, true);
		if (ret == 0)
			ret = map_change(cs->first->map_fd[EBPF_SRC], &p, false);
		if (ret < 0) {
			snprintf(cs->why, sizeof(cs->why), "its maps cannot be changed without "
				 "CAP_BPF (%s): this kernel is older than Linux 6.5", strerror(-ret));
			set_clear(cs);
		}
	}
	if (cs->shared)
		log_info("capture: one socket per device, eBPF filter of the handlers' addresses");
	else
		log_info("capture: one socket and classic BPF filter per handler: shared capture "
			 "not used: %s", cs->why);
}

const char *capture_engine(const struct capture_set *cs)
{
	return cs && cs->shared ? "shared" : "own";
}

void capture_fini(struct capture_set *cs)
{
	set_clear(cs);
}

/* ---- the socket ---- */

static void capture_event(struct loop_io *io, uint32_t events);

static void set_interest(struct capture *c)
{
	loop_mod(c->set->loop, &c->io, (c->paused || c->held ? 0 : EPOLLIN) |
				       (c->nblocked ? EPOLLOUT : 0));
}

/* After an odd receive error: read the socket again. */
static void capture_unhold(struct loop_timer *t)
{
	struct capture *c = container_of(t, struct capture, hold);

	c->held = false;
	if (c->fd >= 0)
		set_interest(c);
}

/*
 * An odd receive error may not have taken anything off the socket: leave it
 * alone a moment, or a persistent one would wake us without end.
 */
static void capture_hold(struct capture *c, ssize_t err)
{
	if (c->held)
		return;
	if (!c->odd_logged)
		log_warn("capture: %s: receive error: %s: reading waits %d ms after each such "
			 "error (logged once)", c->dev, strerror((int)-err), PORT_RX_ODD_HOLD_MS);
	c->odd_logged = c->held = true;
	loop_timer_set(c->set->loop, &c->hold, loop_now_ms() + PORT_RX_ODD_HOLD_MS);
	set_interest(c);
}

static int socket_open(struct capture *c, int ifindex, char *err, size_t errlen)
{
	int fd = port_packet_socket(ifindex, c->dev, SO_ATTACH_BPF, &c->prog_fd,
				    sizeof(c->prog_fd), err, errlen), ret;

	if (fd < 0)
		return fd;
	if ((ret = port_packet_bind(fd, ifindex, ETH_P_ALL)) < 0 ||
	    (ret = loop_add(c->set->loop, &c->io, fd, EPOLLIN, capture_event)) < 0) {
		snprintf(err, errlen, "cannot start capture on %s: %s", c->dev, strerror(-ret));
		close(fd);
		return ret;
	}
	c->fd = fd;
	c->ifindex = ifindex;
	c->paused = c->down_logged = c->odd_logged = false;
	c->rx_errors = 0;
	return 0;
}

static void socket_close(struct capture *c)
{
	loop_close(c->set->loop, &c->io);
	c->fd = c->io.fd = -1;
	c->nblocked = 0;
	c->last = NO_SUB;
	loop_timer_cancel(c->set->loop, &c->hold);
	c->held = false;
}

/* Frames queued while the lone handler was away (reconnecting) are stale. */
static void socket_drain(struct capture *c)
{
	uint8_t scrap[64];

	for (int i = 0; i < 8192; i++)
		if (recv(c->fd, scrap, sizeof(scrap), MSG_DONTWAIT | MSG_TRUNC) < 0)
			break;
}

/*
 * The frames the kernel dropped since last asked (it resets its count then):
 * a lone handler's drop_queue (as with a socket of its own), else the
 * device's, which each handler's drop_device shows.
 */
static void drops_collect(struct capture *c)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (c->fd < 0 || getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0 ||
	    !st.tp_drops)
		return;
	for (uint32_t id = 0; c->nstarted == 1 && id < c->nslots; id++) {
		if (c->subs[id] && c->subs[id]->started) {
			c->subs[id]->rx.queue_drops += st.tp_drops;
			return;
		}
	}
	c->shared_drops += st.tp_drops;
}

/* ---- frames to their handlers ---- */

static void touch(struct capture *c, struct capture_sub *s)
{
	if (!s->touched) {
		s->touched = true;
		c->touched[c->ntouched++] = s->id;
	}
}

/* s took the frame of n bytes written at its room(). */
static void taken(struct capture *c, struct capture_sub *s, const struct virtio_net_hdr *vh,
		  size_t n)
{
	s->client->take(s->ctx, vh, n);
	s->rx.rx_frames++;
	s->rx.rx_bytes += n;
	if (s->deep) {
		size_t held = s->client->deep_bytes(s->ctx);

		c->deep_held = c->deep_held - s->deep_held + held;
		s->deep_held = held;
	}
	touch(c, s);
	c->last = s->id;
}

/* s leaves the deep queues (at slot i of cap->deep). */
static void deep_leave(struct capture *c, struct capture_sub *s, uint32_t i)
{
	s->deep = false;
	c->deep_held -= s->deep_held;
	s->deep_held = 0;
	c->deep[i] = c->deep[--c->ndeep];
}

/*
 * At a wake-up: what the deep queues hold now (they drained meanwhile); those
 * back within their usual bounds leave the list.
 */
static void deep_refresh(struct capture *c)
{
	for (uint32_t i = 0; i < c->ndeep;) {
		struct capture_sub *d = c->subs[c->deep[i]];
		size_t held = d->client->deep_bytes(d->ctx);

		c->deep_held = c->deep_held - d->deep_held + held;
		d->deep_held = held;
		if (!held) {
			deep_leave(c, d, i);
			continue;   /* the last one moved to slot i */
		}
		i++;
	}
}

/*
 * Room for one frame for s when its queue is full: past its usual bound, if
 * the device's deep queues stay within theirs. NULL: the frame is lost for s.
 */
static uint8_t *deep_room(struct capture *c, struct capture_sub *s)
{
	uint8_t *room;

	if ((!s->deep && c->ndeep == CAPTURE_DEEP_SUBS) ||
	    c->deep_held + FRAME_MSG_MAX > CAPTURE_DEEP_DEV || !(room = s->client->room(s->ctx, true)))
		return NULL;
	if (!s->deep) {
		s->deep = true;
		c->deep[c->ndeep++] = s->id;
	}
	return room;
}

/*
 * Room for one frame for s: within its queue's usual bound, or deep_room.
 * Without, s has none until the next wake-up (nothing drains meanwhile).
 */
static uint8_t *sub_room(struct capture *c, struct capture_sub *s)
{
	uint8_t *room;

	if (s->full == c->wake)
		return NULL;
	if (!(room = s->client->room(s->ctx, false)) && !(room = deep_room(c, s)))
		s->full = c->wake;
	return room;
}

/*
 * Give the frame at buf (n bytes) to the ids in hits; own: the one whose queue
 * holds buf. One without room loses it (counted).
 */
static void deliver(struct capture *c, size_t nhits, struct capture_sub *own, const uint8_t *buf,
		    const struct virtio_net_hdr *vh, size_t n)
{
	bool own_wants = false;

	for (size_t i = 0; i < nhits; i++) {
		struct capture_sub *s = c->subs[c->hits[i]];
		uint8_t *room;

		if (own && s == own) {
			own_wants = true;
			continue;
		}
		if (!(room = sub_room(c, s))) {
			s->rx.queue_drops++;
			continue;
		}
		memcpy(room, buf, n);
		taken(c, s, vh, n);
	}
	if (own && own_wants)   /* last: the others copied from its queue before it moved on */
		taken(c, own, vh, n);
}

/* The device went down: every handler on it is told, once until it is up again. */
static void capture_down(struct capture *c)
{
	if (c->down_logged)
		return;
	c->down_logged = true;
	for (uint32_t id = 0; id < c->nslots; id++) {
		struct capture_sub *s = c->subs[id];

		if (s && s->client && s->started)
			s->client->down(s->ctx);
	}
}

/* The capture failed: every handler on it goes. */
static void capture_failed(struct capture *c, const char *why)
{
	for (uint32_t id = 0; id < c->nslots && c->fd >= 0; id++) {
		struct capture_sub *s = c->subs[id];

		if (s && s->client)
			s->client->failed(s->ctx, why);
	}
}

/*
 * A frame this daemon injected lately came back to this device's capture,
 * which had taken it already (a loop through the network): not forwarded, counted against the handlers that wanted it, and
 * logged at most once a minute per device.
 */
static bool capture_echo(struct capture *c, size_t nhits, const struct virtio_net_hdr *vh,
			 const uint8_t *buf, size_t n)
{
	uint64_t now = loop_now_ms();
	unsigned long by;

	if (!c->set->guard || !loopguard_echo(c->set->guard, vh, buf, n, (uint64_t)c->ifindex, now,
						    &by))
		return false;
	if (loopguard_unreported(buf, n))
		return true;
	for (size_t h = 0; h < nhits; h++)
		c->subs[c->hits[h]]->rx.loop_drops++;
	if (!c->loop_logged || now - c->loop_logged >= LOOPGUARD_LOG_MS) {
		c->loop_logged = now;
		log_warn("capture: %s: a frame this daemon injected (handler %lu) came back: a "
			 "forwarding loop; not forwarded again (counted in drop_loop, logged at "
			 "most once a minute)", c->dev, by);
	}
	return true;
}

/*
 * A frame lost to a receive error (port_rx_error: the kernel could not hand
 * it over). Its addresses are unknown: it counts for every handler on the
 * device. The first of the socket's is logged.
 */
static void capture_lost(struct capture *c, ssize_t err)
{
	if (c->rx_errors++ == 0)
		log_warn("capture: %s: a frame was lost: %s (offload metadata the kernel cannot "
			 "hand over, such as UDP fragmentation from a guest?); further ones are "
			 "counted in drop_capture, not logged", c->dev, strerror((int)-err));
}

/*
 * A frame read at buf (in own's room; own NULL: a buffer of ours), n its length or
 * the read's -errno: to the handlers that want it. false: read no more now.
 */
static bool capture_frame(struct capture *c, struct capture_sub *own, uint8_t *buf,
			  const struct virtio_net_hdr *vh, ssize_t n)
{
	size_t nhits;

	if (n < 0) {
		enum port_rx_err e = port_rx_error(n);
		char why[128];

		switch (e) {
		case PORT_RX_AGAIN:
			return false;
		case PORT_RX_DOWN:
			capture_down(c);
			return true;
		case PORT_RX_OVERSIZE:
			/* Too large to forward: counted against every handler that wanted it. */
			nhits = macmap_lookup(&c->map, buf, c->hits, c->nslots);
			for (size_t h = 0; h < nhits; h++)
				c->subs[c->hits[h]]->rx.rx_oversize++;
			return true;
		case PORT_RX_GONE:
			snprintf(why, sizeof(why), "device %s: %s", c->dev, strerror((int)-n));
			capture_failed(c, why);
			return false;   /* its handlers are gone; the others still get their flush */
		default:
			capture_lost(c, n);
			if (e == PORT_RX_ODD) {
				capture_hold(c, n);
				return false;
			}
			return true;
		}
	}
	c->down_logged = false;
	if (n < FRAME_ETH_MIN)
		return true;
	nhits = macmap_lookup(&c->map, buf, c->hits, c->nslots);
	if (nhits && capture_echo(c, nhits, vh, buf, (size_t)n))
		return true;
	deliver(c, nhits, own, buf, vh, (size_t)n);
	return true;
}

/*
 * Small frames, read in batches (one recvmmsg) into slots, then copied to
 * their handlers: up to budget of them. How many were read (0: stop).
 */
static int capture_read_batch(struct capture *c, int budget)
{
	int got = port_packet_read_many(c->fd, &c->scratch_st, capture_slots,
					budget < PORT_RX_SLOTS ? (unsigned int)budget : PORT_RX_SLOTS);
	bool more = true;

	if (got < 0)    /* read on (1) after a frame lost alone, or a device down */
		return capture_frame(c, NULL, capture_slots[0].frame, &capture_slots[0].vh, got);
	for (int k = 0; k < got && c->fd >= 0; k++) {
		struct port_rx_slot *sl = &capture_slots[k];

		more = capture_frame(c, NULL, sl->frame, &sl->vh, sl->len) && more;
		if (sl->len >= 0)
			c->small = sl->len <= CAPTURE_SMALL;
	}
	return more ? got : 0;
}

static void capture_read(struct capture *c)
{
	if (++c->wake == 0)
		c->wake = 1;    /* 0 is no wake-up: a handler never full */
	deep_refresh(c);
	for (int i = 0; i < CAPTURE_BUDGET && c->fd >= 0;) {
		struct capture_sub *own = c->last < c->nslots ? c->subs[c->last] : NULL;
		struct virtio_net_hdr vh;
		/* Into the queue of the last taker. */
		uint8_t *buf = own && own->started && own->full != c->wake ?
			       own->client->room(own->ctx, false) : NULL;
		ssize_t n;
		int got;

		if (!buf && own && own->started) {
			if (c->nstarted == 1) {
				/* A lone handler is full: let the socket hold the frames meanwhile. */
				c->paused = true;
				set_interest(c);
				break;
			}
			if (!c->small)
				buf = sub_room(c, own);
		}
		if (c->small) {
			if ((got = capture_read_batch(c, CAPTURE_BUDGET - i)) <= 0)
				break;
			i += got;
			continue;
		}
		if (!buf) {
			own = NULL;
			buf = c->scratch;
		}
		n = port_packet_read(c->fd, &c->scratch_st, &vh, buf, FRAME_ETH_MAX);
		if (n >= 0)
			c->small = n <= CAPTURE_SMALL;
		if (!capture_frame(c, own, buf, &vh, n))
			break;
		i++;
	}
	/* Send what was queued; a handler may close meanwhile (its slot then empties). */
	for (uint32_t t = 0; t < c->ntouched; t++) {
		struct capture_sub *s = c->touched[t] < c->nslots ? c->subs[c->touched[t]] : NULL;

		if (s) {
			s->touched = false;
			s->client->flush(s->ctx);
		}
	}
	c->ntouched = 0;
}

static void capture_writable(struct capture *c)
{
	for (uint32_t id = 0; id < c->nslots && c->nblocked; id++) {
		struct capture_sub *s = c->subs[id];

		if (s && s->blocked) {
			s->blocked = false;
			c->nblocked--;
			s->client->writable(s->ctx);
		}
	}
	if (c->fd >= 0)
		set_interest(c);
}

static void capture_event(struct loop_io *io, uint32_t events)
{
	struct capture *c = container_of(io, struct capture, io);

	if (events & EPOLLERR) {
		/* A socket error (device down) is reported until read: read it. */
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ENETDOWN)
			capture_down(c);
	}
	if (events & EPOLLOUT)
		capture_writable(c);
	if (c->fd >= 0 && (events & EPOLLIN))
		capture_read(c);
}

/* ---- the ports ---- */

static struct capture_sub *sub_of(struct port *p)
{
	return p->backend;
}

static enum macmap_side side_of(enum vnet_config cfg)
{
	return cfg == VNET_LOCAL ? MACMAP_DST : MACMAP_SRC;
}

/* Take the addresses of s[0..n) out of the lookup and, when no one else lists them, the maps. */
static void sub_unlist(struct capture_sub *s, size_t n)
{
	struct capture *c = s->cap;

	for (size_t i = 0; i < n; i++) {
		int side = side_of(s->cfg), ret = macmap_del(&c->map, s->id, side, &s->macs[i]);

		if (ret == 1 && (ret = map_change(c->map_fd[side], &s->macs[i], false)) < 0)
			log_warn("capture: %s: cannot remove an address from the filter: %s", c->dev,
				 strerror(-ret));
	}
}

static int shared_start(struct port *p)
{
	struct capture_sub *s = sub_of(p);
	struct capture *c = s->cap;
	size_t i;
	int ret = 0;

	if (s->started) {
		/* A reconnection: what the socket held is stale. */
		if (c->nstarted == 1)
			socket_drain(c);
		return 0;
	}
	drops_collect(c);   /* those before it came are not its */
	for (i = 0; i < s->nmacs; i++) {
		int side = side_of(s->cfg);

		ret = macmap_add(&c->map, s->id, side, &s->macs[i]);
		if (ret == 1 && (ret = map_change(c->map_fd[side], &s->macs[i], true)) < 0) {
			macmap_del(&c->map, s->id, side, &s->macs[i]);
			break;
		}
		if (ret < 0)
			break;
	}
	if (ret < 0) {
		sub_unlist(s, i);
		return ret;
	}
	s->started = true;
	s->rx_errors_base = c->rx_errors;
	c->nstarted++;
	if (c->paused && c->nstarted != 1) {
		/* A lone handler had paused reading for itself: the device is shared now. */
		c->paused = false;
		set_interest(c);
	}
	return 0;
}

static ssize_t shared_recv(struct port *p, struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	return -EAGAIN;     /* frames are pushed to the client */
}

/* An injection's result: -EAGAIN has s wait for the socket to be writable. */
static int sub_sent(struct capture_sub *s, int ret)
{
	struct capture *c = s->cap;

	if (ret == -EAGAIN && !s->blocked) {
		s->blocked = true;
		c->nblocked++;
		set_interest(c);
	}
	return ret;
}

static int shared_send(struct port *p, const struct virtio_net_hdr *vh, const uint8_t *frame,
		       size_t len)
{
	struct capture_sub *s = sub_of(p);
	struct capture *c = s->cap;

	return sub_sent(s, port_packet_write(p, c->fd, vh, frame, len));
}

static int shared_send_many(struct port *p, struct mmsghdr *msgs, unsigned int n)
{
	struct capture_sub *s = sub_of(p);
	struct capture *c = s->cap;

	return sub_sent(s, port_packet_write_many(p, c->fd, msgs, n));
}

static void shared_close(struct port *p)
{
	struct capture_sub *s = sub_of(p);
	struct capture *c;

	if (!s)
		return;
	c = s->cap;
	drops_collect(c);
	if (s->started) {
		sub_unlist(s, s->nmacs);
		c->nstarted--;
	}
	if (s->blocked)
		c->nblocked--;
	for (uint32_t i = 0; s->deep && i < c->ndeep; i++)
		if (c->deep[i] == s->id)
			deep_leave(c, s, i);
	c->subs[s->id] = NULL;
	if (c->last == s->id)
		c->last = NO_SUB;
	if (--c->nsubs == 0)
		socket_close(c);
	else if (c->paused && c->nstarted != 1) {
		c->paused = false;   /* no lone handler any more: read again */
		set_interest(c);
	}
	free(s);
	p->backend = NULL;
	p->fd = -1;
}

static void shared_update_stats(struct port *p)
{
	struct capture_sub *s = sub_of(p);
	struct capture *c = s->cap;

	drops_collect(c);
	p->stats.device_drops = c->shared_drops - s->shared_base;
	p->stats.rx_frames = s->rx.rx_frames;
	p->stats.rx_bytes = s->rx.rx_bytes;
	p->stats.rx_oversize = s->rx.rx_oversize;
	p->stats.queue_drops = s->rx.queue_drops;
	p->stats.loop_drops = s->rx.loop_drops;
	p->stats.rx_errors = s->started ? c->rx_errors - s->rx_errors_base : 0;
}

static void shared_bind(struct port *p, const struct port_client *client, void *ctx)
{
	struct capture_sub *s = sub_of(p);

	s->client = client;
	s->ctx = ctx;
}

static void shared_resume(struct port *p)
{
	struct capture_sub *s = sub_of(p);
	struct capture *c = s->cap;

	if (c->paused && c->fd >= 0) {
		c->paused = false;
		set_interest(c);
	}
}

static const struct port_ops shared_ops = {
	.start = shared_start,
	.recv = shared_recv,
	.send = shared_send,
	.send_many = shared_send_many,
	.close = shared_close,
	.update_stats = shared_update_stats,
	.bind = shared_bind,
	.resume = shared_resume,
};

/* A free id, the tables grown if need be. */
static int sub_slot(struct capture *c, uint32_t *id)
{
	uint32_t n;
	struct capture_sub **subs;
	uint32_t *hits, *touched;

	for (uint32_t i = 0; i < c->nslots; i++) {
		if (!c->subs[i]) {
			*id = i;
			return 0;
		}
	}
	n = c->nslots ? c->nslots * 2 : 16;
	if (!(subs = realloc(c->subs, n * sizeof(*subs))))
		return -ENOMEM;
	c->subs = subs;
	memset(subs + c->nslots, 0, (n - c->nslots) * sizeof(*subs));
	if (!(hits = realloc(c->hits, n * sizeof(*hits))))
		return -ENOMEM;
	c->hits = hits;
	if (!(touched = realloc(c->touched, n * sizeof(*touched))))
		return -ENOMEM;
	c->touched = touched;
	*id = c->nslots;
	c->nslots = n;
	return 0;
}

int capture_port_open(struct capture_set *cs, struct port *p, const struct port_want *w,
		      char *err, size_t errlen)
{
	const char *dev = w->dev;
	size_t nmacs = w->nmacs;
	struct capture *c = NULL;
	struct capture_sub *s;
	unsigned int ifindex;
	int ret;

	if (cs && cs->shared)
		for (c = cs->first; c && strcmp(c->dev, dev); c = c->next)
			;
	if (!c)
		return -ENOENT;
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->ops = &shared_ops;
	if (!(ifindex = if_nametoindex(dev))) {
		snprintf(err, errlen, "device %s does not exist", dev);
		return -ENODEV;
	}
	if (c->fd >= 0 && c->ifindex != (int)ifindex) {
		/* Its handlers are closing (link notification): a moment later it is free. */
		snprintf(err, errlen, "device %s was replaced: try again", dev);
		return -EAGAIN;
	}
	if (nmacs > VNET_MACS_MAX || !(s = calloc(1, sizeof(*s) + nmacs * sizeof(*w->macs)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((ret = sub_slot(c, &s->id)) < 0) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	if (c->fd < 0 && (ret = socket_open(c, (int)ifindex, err, errlen)) < 0) {
		free(s);
		return ret;
	}
	drops_collect(c);
	s->cap = c;
	s->cfg = w->cfg;
	s->shared_base = c->shared_drops;
	memcpy(s->macs, w->macs, nmacs * sizeof(*w->macs));
	s->nmacs = nmacs;
	c->subs[s->id] = s;
	c->nsubs++;
	if (c->paused && c->nstarted != 1) {
		c->paused = false;
		set_interest(c);
	}
	p->backend = s;
	p->fd = c->fd;
	p->ifindex = c->ifindex;
	snprintf(p->name, sizeof(p->name), "%s", dev);
	return 0;
}
