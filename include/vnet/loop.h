/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.h - the one epoll loop
 *
 * An I/O handle is embedded in the object that owns the file descriptor,
 * and so is a timer in the object it times (a session's deadline, a
 * handler's keepalive): the callbacks find their owner with container_of.
 * Objects are never freed in the middle of a batch of events: loop_defer()
 * frees them once the batch is done, and loop_detach() marks a handle dead
 * so that a later event of the same batch is ignored; an object cancels its
 * timers when it closes.
 *
 * A round: wait for events (at most until the earliest timer), dispatch
 * them, then the kicks, then the timers that are due, then the deferred
 * frees. The timers are a binary min-heap: setting or cancelling one costs
 * O(log n), finding the earliest O(1), whatever their number.
 */
#ifndef VNET_LOOP_H
#define VNET_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop_io;
typedef void (*loop_cb)(struct loop_io *io, uint32_t events);

struct loop_io {
	int fd;             /* -1 when not registered */
	uint32_t events;    /* current interest */
	loop_cb cb;
	bool kicked;        /* on the kick list */
	struct loop_io *kick_next;
};

struct loop_timer;
typedef void (*loop_timer_cb)(struct loop_timer *t);

struct loop_timer {
	uint64_t when;      /* due then (loop_now_ms) */
	uint64_t seq;       /* timers due at once run in the order they were set */
	size_t slot;        /* 1 + its index in the heap; 0 when not set */
	loop_timer_cb cb;
};

struct loop_deferred;

struct loop {
	int epfd;
	bool stop;
	struct loop_deferred *deferred;
	struct loop_io *kicks;      /* kicked during this round */
	struct loop_io *dispatch;   /* kicks being dispatched */
	struct loop_timer **timers; /* min-heap on (when, seq) */
	size_t ntimers, timers_cap;
	uint64_t timer_seq;
};

int loop_init(struct loop *l);
void loop_fini(struct loop *l);
/* Register fd with interest events; 0 or -errno. */
int loop_add(struct loop *l, struct loop_io *io, int fd, uint32_t events, loop_cb cb);
/* Change the interest (no system call if unchanged). */
int loop_mod(struct loop *l, struct loop_io *io, uint32_t events);
/* Set or clear some bits of the interest. */
int loop_want(struct loop *l, struct loop_io *io, uint32_t bits, bool on);
/* Unregister the descriptor without closing it (handing it over); returns it. */
int loop_detach(struct loop *l, struct loop_io *io);
/* Unregister and close the descriptor. */
void loop_close(struct loop *l, struct loop_io *io);
/*
 * Call io's callback with EPOLLIN after the current batch, although the
 * descriptor shows nothing: for data a library buffered (TLS records).
 */
void loop_kick(struct loop *l, struct loop_io *io);
/* Run fn(arg) after the current batch of events. */
int loop_defer(struct loop *l, void (*fn)(void *), void *arg);
/* A timer not set yet, whose callback is cb. */
void loop_timer_init(struct loop_timer *t, loop_timer_cb cb);
/* (Re)set t to run at when (ms on the monotonic clock); 0 or -ENOMEM. */
int loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t when);
/* t will not run (nothing if it is not set). */
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline bool loop_timer_pending(const struct loop_timer *t)
{
	return t->slot != 0;
}
/* Milliseconds from now until the earliest timer (0 if one is due), -1 if none. */
int loop_timer_timeout(const struct loop *l, uint64_t now);
/* Run the timers due at now (each is unset before its callback runs). */
void loop_timer_expire(struct loop *l, uint64_t now);
/* Wait and dispatch until l->stop; 0 or -errno. */
int loop_run(struct loop *l);
/*
 * One round of loop_run, waiting at most max_ms (-1: until the earliest
 * timer or an event): the number of events dispatched, or -errno. For tests.
 */
int loop_run_once(struct loop *l, int max_ms);
/* Milliseconds on the monotonic clock (loop_clock.c). */
uint64_t loop_now_ms(void);
/*
 * on: read the clock now and have loop_now_ms answer that reading (in this
 * thread) until the next call; off: read the clock on every call again.
 * loop_run_once holds it while it dispatches a round.
 */
void loop_clock_hold(bool on);
/* If held, read the clock again (after a long step within a round). */
void loop_clock_refresh(void);

#endif
