// SPDX-License-Identifier: GPL-2.0-or-later
/* loop.c - the one epoll loop */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
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

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_EVENTS];

	while (!l->stop) {
		int n = epoll_wait(l->epfd, evs, LOOP_EVENTS, l->kicks ? 0 : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
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
		run_deferred(l);
	}
	return 0;
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
