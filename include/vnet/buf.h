/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * buf.h - a bounded byte queue: bytes are appended at the tail, consumed at
 * the head. Memory is taken when bytes come (up to max) and given back by
 * buf_release() once the queue is empty: an idle queue holds none. What is
 * given back is wiped first, as far as bytes were written: pages never
 * touched stay untouched (a 4-byte keepalive read into a 128 KiB buffer
 * must not make it resident).
 */
#ifndef VNET_BUF_H
#define VNET_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUF_MIN_ALLOC 1024   /* the smallest allocation, so that growth takes few steps */
#define BUF_MOVE_SMALL (64 * 1024) /* buf_reserve_lazy moves this much content down at any time */

struct buf {
	uint8_t *data;
	size_t cap;     /* allocated */
	size_t max;     /* the most it may grow to */
	size_t head;    /* first unconsumed byte */
	size_t tail;    /* one past the last byte */
	size_t dirty;   /* how far from data bytes may have been written: what a wipe covers */
};

/* Allocate cap bytes (0: none until needed), growing on demand up to max; 0 or -ENOMEM. */
int buf_init(struct buf *b, size_t cap, size_t max);
void buf_free(struct buf *b);
/* Empty: give the memory back (wiped), keeping max. True if there was some to give. */
bool buf_release(struct buf *b);
/* Can n more bytes be appended (within max), whether or not the memory is there yet? */
static inline bool buf_fits(const struct buf *b, size_t n) { return b->max - (b->tail - b->head) >= n; }
static inline size_t buf_len(const struct buf *b) { return b->tail - b->head; }
static inline uint8_t *buf_head(const struct buf *b) { return b->data + b->head; }
static inline uint8_t *buf_tail(const struct buf *b) { return b->data + b->tail; }
static inline size_t buf_room(const struct buf *b) { return b->cap - b->tail; }
/*
 * Make at least n bytes of room at the tail: move the content down, or grow
 * the allocation within max. False if it cannot.
 */
bool buf_reserve(struct buf *b, size_t n);
/*
 * The same for a long-lived queue that may be large (a handler's link
 * queue): the content is moved down only when that moves no more than was
 * consumed since the last move, or than the room it leaves (half the
 * allocation), or little (BUF_MOVE_SMALL); else the allocation grows, and
 * when it cannot, this fails until more is consumed.
 * Each byte is thus moved about once, where buf_reserve could move a full
 * queue for every frame appended to it.
 */
bool buf_reserve_lazy(struct buf *b, size_t n);
/*
 * Keep at most cap bytes allocated, if the content fits in half of that
 * (moved to the front; none: the memory is released). The bytes given back.
 */
size_t buf_shrink(struct buf *b, size_t cap);
/* Append n bytes; false (nothing appended) if they do not fit. */
bool buf_put(struct buf *b, const void *p, size_t n);
void buf_consume(struct buf *b, size_t n);
/*
 * Find a complete line at the head. Returns its length without the end of line
 * ("\n" or "\r\n"), sets *used to the bytes it occupies, and NUL-terminates it
 * in place. Returns -1 if no complete line is buffered.
 */
long buf_line(struct buf *b, size_t *used);

/*
 * A producer of lines: writes the next one (no newline) into line[0..cap)
 * and returns its length, or -1 when there are no more.
 */
typedef int (*buf_line_fn)(void *arg, char *line, size_t cap);
/*
 * Append the producer's lines, each with a newline, while b holds fewer than
 * low bytes: an answer of any length is produced as it is read, in bounded
 * memory. line is the scratch space (cap bytes: the longest line and its
 * newline). True once the producer has no more lines; false if it has, or
 * if one did not fit in b (then it is lost: size b's max for low plus a line).
 */
bool buf_fill_lines(struct buf *b, size_t low, buf_line_fn next, void *arg, char *line,
		    size_t cap);

#endif
