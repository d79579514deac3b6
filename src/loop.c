// SPDX-License-Identifier: GPL-2.0-or-later
/* loop.c - the one epoll loop */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "vnet/log.h"
#include "vnet/loop.h"

struct loop_deferred {
	struct loop_deferred *next;
	void (*fn)(void *);
	void *arg;
};

#define LOOP_EVENTS 64

int loop_init(struct loop *l)
{
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->stop = false;
	l->deferred = NULL;
	l->kicks = NULL;
	l->dispatch = NULL;
	l->timers = NULL;
	l->ntimers = l->timers_cap = 0;
	l->timer_seq = 0;
	return l->epfd < 0 ? -errno : 0;
}

static void run_deferred(struct loop *l)
{
	while (l->deferred) {
		struct loop_deferred *d = l->deferred;

		l->deferred = d->next;
		d->fn(d->arg);
		free(d);
	}
}

void loop_fini(struct loop *l)
{
	run_deferred(l);
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
	for (size_t i = 0; i < l->ntimers; i++)
		l->timers[i]->slot = 0;
	free(l->timers);
	l->timers = NULL;
	l->ntimers = l->timers_cap = 0;
}

int loop_add(struct loop *l, struct loop_io *io, int fd, uint32_t events, loop_cb cb)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->kicked = false;
	io->kick_next = NULL;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		io->fd = -1;
		return -errno;
	}
	return 0;
}

int loop_mod(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	if (io->fd < 0 || io->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -errno;
	io->events = events;
	return 0;
}

int loop_want(struct loop *l, struct loop_io *io, uint32_t bits, bool on)
{
	return loop_mod(l, io, on ? io->events | bits : io->events & ~bits);
}

static void unlink_kick(struct loop_io **list, struct loop_io *io)
{
	for (struct loop_io **p = list; *p; p = &(*p)->kick_next) {
		if (*p == io) {
			*p = io->kick_next;
			return;
		}
	}
}

static void unkick(struct loop *l, struct loop_io *io)
{
	unlink_kick(&l->kicks, io);
	unlink_kick(&l->dispatch, io);
	io->kicked = false;
	io->kick_next = NULL;
}

void loop_kick(struct loop *l, struct loop_io *io)
{
	if (io->fd < 0 || io->kicked)
		return;
	io->kicked = true;
	io->kick_next = l->kicks;
	l->kicks = io;
}

int loop_detach(struct loop *l, struct loop_io *io)
{
	int fd = io->fd;

	if (io->kicked)
		unkick(l, io);
	if (fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	io->fd = -1;
	return fd;
}

void loop_close(struct loop *l, struct loop_io *io)
{
	if (io->kicked)
		unkick(l, io);
	if (io->fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	close(io->fd);
	io->fd = -1;
}

int loop_defer(struct loop *l, void (*fn)(void *), void *arg)
{
	struct loop_deferred *d = malloc(sizeof(*d));

	if (!d) {
		/* Out of memory: better leak the object than use it after free. */
		log_err("loop_defer: out of memory");
		return -ENOMEM;
	}
	d->fn = fn;
	d->arg = arg;
	d->next = l->deferred;
	l->deferred = d;
	return 0;
}

/* ---- timers: a binary min-heap of pointers, each timer knowing its slot */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_place(struct loop *l, size_t i, struct loop_timer *t)
{
	l->timers[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->timers[i];

	while (i > 0 && timer_before(t, l->timers[(i - 1) / 2])) {
		heap_place(l, i, l->timers[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_place(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->timers[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->ntimers)
			break;
		if (c + 1 < l->ntimers && timer_before(l->timers[c + 1], l->timers[c]))
			c++;
		if (!timer_before(l->timers[c], t))
			break;
		heap_place(l, i, l->timers[c]);
		i = c;
	}
	heap_place(l, i, t);
}

static void heap_remove(struct loop *l, size_t i)
{
	struct loop_timer *last = l->timers[--l->ntimers];

	l->timers[i]->slot = 0;
	if (i == l->ntimers)
		return;
	heap_place(l, i, last);
	heap_down(l, i);
	heap_up(l, last->slot - 1);
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb)
{
	t->when = 0;
	t->seq = 0;
	t->slot = 0;
	t->cb = cb;
}

int loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t when)
{
	if (t->slot)
		heap_remove(l, t->slot - 1);
	if (l->ntimers == l->timers_cap) {
		size_t cap = l->timers_cap ? 2 * l->timers_cap : 64;
		struct loop_timer **more = realloc(l->timers, cap * sizeof(*more));

		if (!more) {
			log_err("loop_timer_set: out of memory");
			return -ENOMEM;
		}
		l->timers = more;
		l->timers_cap = cap;
	}
	t->when = when;
	t->seq = l->timer_seq++;
	l->timers[l->ntimers++] = t;
	heap_up(l, l->ntimers - 1);
	return 0;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (t->slot)
		heap_remove(l, t->slot - 1);
}

int loop_timer_timeout(const struct loop *l, uint64_t now)
{
	uint64_t when;

	if (!l->ntimers)
		return -1;
	when = l->timers[0]->when;
	if (when <= now)
		return 0;
	return when - now > INT_MAX ? INT_MAX : (int)(when - now);
}

void loop_timer_expire(struct loop *l, uint64_t now)
{
	/*
	 * Only timers set before this call: one a callback sets (again) for now
	 * waits a round, however many others are armed. The clock is held for
	 * the round (loop_clock_hold), so "now" does not move on meanwhile.
	 */
	uint64_t first_new = l->timer_seq;

	while (l->ntimers && l->timers[0]->when <= now && l->timers[0]->seq < first_new) {
		struct loop_timer *t = l->timers[0];

		heap_remove(l, 0);
		t->cb(t);
	}
}

int loop_run_once(struct loop *l, int max_ms)
{
	struct epoll_event evs[LOOP_EVENTS];
	int wait = l->kicks ? 0 : loop_timer_timeout(l, loop_now_ms());
	int n;

	if (max_ms >= 0 && (wait < 0 || wait > max_ms))
		wait = max_ms;
	n = epoll_wait(l->epfd, evs, LOOP_EVENTS, wait);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	loop_clock_hold(true);
	for (int i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;

		if (io->fd >= 0)
			io->cb(io, evs[i].events);
	}
	/* Kicks made from here on wait for the next round: every handle gets its turn. */
	l->dispatch = l->kicks;
	l->kicks = NULL;
	while (l->dispatch) {
		struct loop_io *io = l->dispatch;

		l->dispatch = io->kick_next;
		io->kicked = false;
		io->kick_next = NULL;
		if (io->fd >= 0)
			io->cb(io, EPOLLIN);
	}
	loop_clock_hold(true);  /* the timers see the time after the round's work */
	loop_timer_expire(l, loop_now_ms());
	run_deferred(l);
	loop_clock_hold(false);
	return n;
}

int loop_run(struct loop *l)
{
	while (!l->stop) {
		int ret = loop_run_once(l, -1);

		if (ret < 0)
			return ret;
	}
	return 0;
}
