// SPDX-License-Identifier: GPL-2.0-or-later
/* buf.c - a byte queue that takes memory when bytes come and gives it back when asked */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/buf.h"

int buf_init(struct buf *b, size_t cap, size_t max)
{
	b->data = NULL;
	if (cap && !(b->data = malloc(cap)))
		return -ENOMEM;
	b->cap = cap;
	b->max = max < cap ? cap : max;
	b->head = b->tail = b->dirty = 0;
	return 0;
}

/* Note how far bytes were written (callers append at buf_tail() and move tail themselves). */
static void mark_dirty(struct buf *b)
{
	if (b->tail > b->dirty)
		b->dirty = b->tail;
}

/* Wipe what was written of the allocation. */
static void wipe(struct buf *b)
{
	mark_dirty(b);
	explicit_bzero(b->data, b->dirty < b->cap ? b->dirty : b->cap);
}

void buf_free(struct buf *b)
{
	/* Control lines carry passwords: leave nothing behind. */
	if (b->data)
		wipe(b);
	free(b->data);
	b->data = NULL;
	b->cap = b->max = b->head = b->tail = b->dirty = 0;
}

bool buf_release(struct buf *b)
{
	if (buf_len(b) || !b->data)
		return false;
	wipe(b);
	free(b->data);
	b->data = NULL;
	b->cap = b->head = b->tail = b->dirty = 0;
	return true;
}

/* Move the content to the front of the allocation. */
static void move_down(struct buf *b)
{
	memmove(b->data, b->data + b->head, buf_len(b));
	b->tail -= b->head;
	b->head = 0;
}

/* A new allocation of cap bytes, the content at its front (the old one wiped and freed). */
static bool reallocate(struct buf *b, size_t cap)
{
	size_t len = buf_len(b);
	uint8_t *p = malloc(cap);

	if (!p)
		return false;
	if (b->data) {
		memcpy(p, b->data + b->head, len);
		wipe(b);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	b->head = 0;
	b->tail = b->dirty = len;
	return true;
}

/* A larger allocation (within max), with n bytes of room after the content. */
static bool grow(struct buf *b, size_t n)
{
	size_t cap = b->cap;

	if (cap == 0)     /* from nothing: a first step that is not a byte */
		cap = BUF_MIN_ALLOC < b->max ? BUF_MIN_ALLOC : b->max;
	else
		cap = cap > b->max / 2 ? b->max : cap * 2;
	while (cap - buf_len(b) < n)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	return reallocate(b, cap);
}

bool buf_reserve(struct buf *b, size_t n)
{
	mark_dirty(b);
	if (b->cap - b->tail >= n)
		return true;
	if (b->max - buf_len(b) < n)
		return false;
	if (b->head)
		move_down(b);
	return b->cap - b->tail >= n || grow(b, n);
}

bool buf_reserve_lazy(struct buf *b, size_t n)
{
	size_t len = buf_len(b);

	mark_dirty(b);
	if (b->cap - b->tail >= n)
		return true;
	if (b->max - len < n)
		return false;
	if (b->head && (b->head >= len || len <= BUF_MOVE_SMALL || len <= b->cap / 2))
		move_down(b);
	if (b->cap - b->tail >= n)
		return true;
	return b->cap < b->max && grow(b, n);
}

size_t buf_shrink(struct buf *b, size_t cap)
{
	size_t old = b->cap, len = buf_len(b);

	if (old <= cap || len > cap / 2)
		return 0;
	if (!len)
		return buf_release(b) ? old : 0;
	return reallocate(b, cap) ? old - cap : 0;
}

bool buf_put(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return true;
	if (!buf_reserve(b, n))
		return false;
	memcpy(b->data + b->tail, p, n);
	b->tail += n;
	return true;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n > buf_len(b))
		n = buf_len(b);
	mark_dirty(b);
	b->head += n;
	if (b->head == b->tail)
		b->head = b->tail = 0;
}

long buf_line(struct buf *b, size_t *used)
{
	uint8_t *start = buf_head(b);
	uint8_t *nl = buf_len(b) ? memchr(start, '\n', buf_len(b)) : NULL;
	size_t len;

	if (!nl)
		return -1;
	len = (size_t)(nl - start);
	*used = len + 1;
	if (len > 0 && start[len - 1] == '\r')
		len--;
	start[len] = '\0';
	return (long)len;
}

bool buf_fill_lines(struct buf *b, size_t low, buf_line_fn next, void *arg, char *line,
		    size_t cap)
{
	while (buf_len(b) < low) {
		int n = next(arg, line, cap - 1);

		if (n < 0)
			return true;
		line[n++] = '\n';
		if (!buf_put(b, line, (size_t)n))
			return false;
	}
	return false;
}
