/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.h - a fixed-capacity byte queue: bytes are appended at the tail, consumed at the head */
#ifndef VNET_BUF_H
#define VNET_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t cap;     /* allocated */
	size_t max;     /* the most it may grow to */
	size_t head;    /* first unconsumed byte */
	size_t tail;    /* one past the last byte */
};

/* Allocate cap bytes, growing on demand up to max; 0 or -ENOMEM. */
int buf_init(struct buf *b, size_t cap, size_t max);
void buf_free(struct buf *b);
static inline size_t buf_len(const struct buf *b) { return b->tail - b->head; }
static inline uint8_t *buf_head(const struct buf *b) { return b->data + b->head; }
static inline uint8_t *buf_tail(const struct buf *b) { return b->data + b->tail; }
static inline size_t buf_room(const struct buf *b) { return b->cap - b->tail; }
/*
 * Make at least n bytes of room at the tail: move the content down, or grow
 * the allocation within max. False if it cannot.
 */
bool buf_reserve(struct buf *b, size_t n);
/* Append n bytes; false (nothing appended) if they do not fit. */
bool buf_put(struct buf *b, const void *p, size_t n);
void buf_consume(struct buf *b, size_t n);
/*
 * Find a complete line at the head. Returns its length without the end of line
 * ("\n" or "\r\n"), sets *used to the bytes it occupies, and NUL-terminates it
 * in place. Returns -1 if no complete line is buffered.
 */
long buf_line(struct buf *b, size_t *used);

#endif
