/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.h - the one epoll loop
 *
 * An I/O handle is embedded in the object that owns the file descriptor.
 * Objects are never freed in the middle of a batch of events: loop_defer()
 * frees them once the batch is done, and loop_del() marks a handle dead so
 * that a later event of the same batch is ignored.
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

struct loop_deferred;

struct loop {
	int epfd;
	bool stop;
	struct loop_deferred *deferred;
	struct loop_io *kicks;      /* kicked during this round */
	struct loop_io *dispatch;   /* kicks being dispatched */
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
/* Wait and dispatch until l->stop; 0 or -errno. */
int loop_run(struct loop *l);
/* Milliseconds on the monotonic clock. */
uint64_t loop_now_ms(void);

#endif
