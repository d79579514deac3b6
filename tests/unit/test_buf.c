// SPDX-License-Identifier: GPL-2.0-or-later
/* test_buf.c - unit tests of the byte queue: put, consume, reserve, growth, shrink, lines */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "vnet/buf.h"

static void put_str(struct buf *b, const char *s)
{
	assert_true(buf_put(b, s, strlen(s)));
}

/* The buffered bytes are exactly s. */
static void assert_content(const struct buf *b, const char *s)
{
	assert_int_equal(buf_len(b), strlen(s));
	assert_memory_equal(buf_head(b), s, strlen(s));
}

static void test_init(void **state)
{
	struct buf b;

	assert_int_equal(buf_init(&b, 16, 64), 0);
	assert_non_null(b.data);
	assert_int_equal(b.cap, 16);
	assert_int_equal(b.max, 64);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(buf_room(&b), 16);
	assert_ptr_equal(buf_head(&b), b.data);
	assert_ptr_equal(buf_tail(&b), b.data);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 0);
	assert_int_equal(buf_len(&b), 0);

	/* max below cap is raised to cap. */
	assert_int_equal(buf_init(&b, 64, 16), 0);
	assert_int_equal(b.cap, 64);
	assert_int_equal(b.max, 64);
	buf_free(&b);
	buf_free(&b);   /* freeing twice is harmless */
	assert_null(b.data);
}

static void test_put_consume(void **state)
{
	struct buf b;

	assert_int_equal(buf_init(&b, 64, 64), 0);
	put_str(&b, "hello");
	assert_content(&b, "hello");
	assert_int_equal(buf_room(&b), 59);
	put_str(&b, " world");
	assert_content(&b, "hello world");
	assert_ptr_equal(buf_tail(&b), buf_head(&b) + 11);

	buf_consume(&b, 0);
	assert_content(&b, "hello world");
	buf_consume(&b, 6);
	assert_content(&b, "world");
	assert_int_equal(b.head, 6);
	buf_consume(&b, 1);
	assert_content(&b, "orld");

	/* Consuming everything resets the queue to the start of its memory. */
	buf_consume(&b, 4);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(b.head, 0);
	assert_int_equal(b.tail, 0);
	assert_int_equal(buf_room(&b), 64);

	/* Consuming more than is there consumes what is there. */
	put_str(&b, "abc");
	buf_consume(&b, 100);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(b.head, 0);
	assert_int_equal(b.tail, 0);
	buf_consume(&b, 1);
	assert_int_equal(buf_len(&b), 0);

	/* Zero bytes always fit. */
	assert_true(buf_put(&b, "", 0));
	assert_int_equal(buf_len(&b), 0);
	buf_free(&b);
}

static void test_reserve_with_room(void **state)
{
	struct buf b;
	uint8_t *data;

	assert_int_equal(buf_init(&b, 32, 32), 0);
	put_str(&b, "0123456789");
	buf_consume(&b, 4);
	data = b.data;
	assert_true(buf_reserve(&b, 22));   /* 32 - 10: room enough, nothing moves */
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.head, 4);
	assert_int_equal(b.tail, 10);
	assert_int_equal(b.cap, 32);
	assert_true(buf_reserve(&b, 0));
	assert_content(&b, "456789");
	buf_free(&b);
}

static void test_reserve_compacts(void **state)
{
	struct buf b;

	assert_int_equal(buf_init(&b, 16, 16), 0);
	put_str(&b, "0123456789ab");
	buf_consume(&b, 8);
	assert_int_equal(b.head, 8);
	assert_int_equal(b.tail, 12);
	assert_int_equal(buf_room(&b), 4);

	assert_true(buf_reserve(&b, 10));
	assert_int_equal(b.head, 0);
	assert_int_equal(b.tail, 4);
	assert_int_equal(b.cap, 16);        /* moving was enough: no growth */
	assert_memory_equal(b.data, "89ab", 4);
	assert_content(&b, "89ab");
	assert_true(buf_room(&b) >= 10);

	/* put compacts too, and everything comes out in order. */
	put_str(&b, "cdefghijkl");
	assert_content(&b, "89abcdefghijkl");
	buf_consume(&b, 13);
	put_str(&b, "0123456789abcde");   /* 1 + 15 == 16 == max */
	assert_content(&b, "l0123456789abcde");
	assert_int_equal(buf_room(&b), 0);
	assert_int_equal(b.cap, 16);
	buf_free(&b);
}

static void test_growth_doubles(void **state)
{
	struct buf b;
	uint8_t chunk[256];

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)i;
	assert_int_equal(buf_init(&b, 16, 256), 0);
	assert_true(buf_put(&b, chunk, 16));
	assert_int_equal(b.cap, 16);
	assert_true(buf_put(&b, chunk + 16, 1));
	assert_int_equal(b.cap, 32);
	assert_true(buf_put(&b, chunk + 17, 15));
	assert_int_equal(b.cap, 32);
	assert_true(buf_put(&b, chunk + 32, 40));   /* 72: 32 -> 64 -> 128 */
	assert_int_equal(b.cap, 128);
	assert_true(buf_reserve(&b, 256 - 72));
	assert_int_equal(b.cap, 256);
	assert_true(buf_put(&b, chunk + 72, 256 - 72));
	assert_int_equal(b.cap, 256);
	assert_int_equal(buf_len(&b), 256);
	assert_memory_equal(buf_head(&b), chunk, 256);   /* content kept across reallocs */
	buf_free(&b);
}

static void test_growth_capped_at_max(void **state)
{
	struct buf b;
	uint8_t chunk[100];

	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(buf_init(&b, 16, 100), 0);
	assert_true(buf_put(&b, chunk, 40));        /* 16 -> 32 -> 64 */
	assert_int_equal(b.cap, 64);
	assert_true(buf_put(&b, chunk, 30));        /* 64 -> 100, not 128 */
	assert_int_equal(b.cap, 100);
	assert_true(buf_put(&b, chunk, 30));
	assert_int_equal(buf_len(&b), 100);
	assert_int_equal(b.cap, 100);
	assert_false(buf_put(&b, chunk, 1));
	buf_free(&b);

	/* One big reservation goes straight to max. */
	assert_int_equal(buf_init(&b, 16, 100), 0);
	assert_true(buf_reserve(&b, 100));
	assert_int_equal(b.cap, 100);
	buf_free(&b);
}

static void test_refuses_beyond_max(void **state)
{
	struct buf b;
	uint8_t chunk[64];

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(i + 1);
	assert_int_equal(buf_init(&b, 16, 64), 0);
	assert_false(buf_reserve(&b, 65));
	assert_false(buf_reserve(&b, SIZE_MAX));
	assert_int_equal(b.cap, 16);
	assert_true(buf_put(&b, chunk, 64));
	assert_int_equal(b.cap, 64);

	/* Full: nothing appended, nothing changed. */
	assert_false(buf_put(&b, "z", 1));
	assert_false(buf_reserve(&b, 1));
	assert_int_equal(buf_len(&b), 64);
	assert_memory_equal(buf_head(&b), chunk, 64);

	/* Room made by consuming is reused, by moving, but no more than that. */
	buf_consume(&b, 10);
	assert_false(buf_put(&b, chunk, 11));
	assert_int_equal(buf_len(&b), 54);
	assert_memory_equal(buf_head(&b), chunk + 10, 54);
	assert_true(buf_put(&b, chunk, 10));
	assert_int_equal(buf_len(&b), 64);
	assert_memory_equal(buf_head(&b), chunk + 10, 54);
	assert_memory_equal(buf_head(&b) + 54, chunk, 10);
	assert_int_equal(b.cap, 64);
	assert_false(buf_put(&b, chunk, 1));
	assert_false(buf_reserve(&b, SIZE_MAX));
	buf_free(&b);
}

/* A queue that starts empty (cap 0) still grows on demand up to max. */
static void test_growth_from_zero(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct buf b;
		int ok;

		alarm(2);   /* an endless growth loop is a failure, not a hang */
		if (buf_init(&b, 0, 64) < 0)
			_exit(0);       /* malloc(0) may return NULL: an acceptable refusal */
		ok = buf_reserve(&b, 10) && b.cap >= 10 && b.cap <= 64 &&
		     buf_put(&b, "0123456789", 10) && buf_len(&b) == 10;
		buf_free(&b);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("buf_reserve(cap 0 -> 10) did not return (killed by signal %d)",
			 WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- lines ---- */

static void test_line_lf(void **state)
{
	struct buf b;
	size_t used = 0;

	assert_int_equal(buf_init(&b, 64, 64), 0);
	put_str(&b, "abc\n");
	assert_int_equal(buf_line(&b, &used), 3);
	assert_int_equal(used, 4);
	assert_string_equal((const char *)buf_head(&b), "abc");
	buf_consume(&b, used);
	assert_int_equal(buf_len(&b), 0);
	buf_free(&b);
}

static void test_line_crlf(void **state)
{
	struct buf b;
	size_t used = 0;

	assert_int_equal(buf_init(&b, 64, 64), 0);
	put_str(&b, "HELLO pw 1.0\r\n");
	assert_int_equal(buf_line(&b, &used), 12);
	assert_int_equal(used, 14);
	assert_string_equal((const char *)buf_head(&b), "HELLO pw 1.0");
	buf_consume(&b, used);
	assert_int_equal(buf_len(&b), 0);

	/* Only a CR right before the LF is part of the end of line. */
	put_str(&b, "a\rb\n");
	assert_int_equal(buf_line(&b, &used), 3);
	assert_int_equal(used, 4);
	assert_memory_equal(buf_head(&b), "a\rb", 4);
	buf_consume(&b, used);
	put_str(&b, "x\r\r\n");
	assert_int_equal(buf_line(&b, &used), 2);
	assert_int_equal(used, 4);
	assert_memory_equal(buf_head(&b), "x\r", 3);
	buf_free(&b);
}

static void test_line_incomplete(void **state)
{
	struct buf b;
	size_t used = 777;

	assert_int_equal(buf_init(&b, 64, 64), 0);
	assert_int_equal(buf_line(&b, &used), -1);      /* empty */
	put_str(&b, "abc");
	assert_int_equal(buf_line(&b, &used), -1);
	put_str(&b, "\r");
	assert_int_equal(buf_line(&b, &used), -1);      /* CR alone ends nothing */
	assert_content(&b, "abc\r");                    /* and the bytes are untouched */
	put_str(&b, "\n");
	assert_int_equal(buf_line(&b, &used), 3);
	assert_int_equal(used, 5);
	buf_free(&b);
}

static void test_line_empty(void **state)
{
	struct buf b;
	size_t used = 0;

	assert_int_equal(buf_init(&b, 64, 64), 0);
	put_str(&b, "\n");
	assert_int_equal(buf_line(&b, &used), 0);
	assert_int_equal(used, 1);
	assert_int_equal(buf_head(&b)[0], '\0');
	buf_consume(&b, used);
	put_str(&b, "\r\n");
	assert_int_equal(buf_line(&b, &used), 0);
	assert_int_equal(used, 2);
	assert_int_equal(buf_head(&b)[0], '\0');
	buf_consume(&b, used);
	assert_int_equal(buf_len(&b), 0);
	buf_free(&b);
}

static void test_several_lines(void **state)
{
	static const struct {
		const char *text;
		size_t used;
	} want[] = {
		{ "one", 4 }, { "two", 5 }, { "", 1 }, { "three", 6 }, { "", 2 }, { "4", 2 },
	};
	struct buf b;

	assert_int_equal(buf_init(&b, 8, 256), 0);
	put_str(&b, "one\ntwo\r\n\nthree\n\r\n4\nrest");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t used = 0;
		long len = buf_line(&b, &used);

		assert_int_equal(len, strlen(want[i].text));
		assert_int_equal(used, want[i].used);
		assert_string_equal((const char *)buf_head(&b), want[i].text);
		buf_consume(&b, used);
	}
	{
		size_t used = 0;

		assert_int_equal(buf_line(&b, &used), -1);
		assert_content(&b, "rest");
		put_str(&b, " of it\r\n");
		assert_int_equal(buf_line(&b, &used), 10);
		assert_string_equal((const char *)buf_head(&b), "rest of it");
		buf_consume(&b, used);
		assert_int_equal(buf_len(&b), 0);
	}
	buf_free(&b);
}

/* The line is terminated in place: in the queue's memory, over its end of line. */
static void test_line_nul_in_place(void **state)
{
	struct buf b;
	size_t used = 0;
	uint8_t *head;

	assert_int_equal(buf_init(&b, 32, 32), 0);
	put_str(&b, "xx");
	buf_consume(&b, 2);
	put_str(&b, "first\nsecond\r\nthird");
	head = buf_head(&b);
	assert_int_equal(buf_line(&b, &used), 5);
	assert_ptr_equal(buf_head(&b), head);
	assert_int_equal(head[5], '\0');
	assert_memory_equal(head + 6, "second\r\n", 8);     /* the next line untouched */
	assert_int_equal(buf_len(&b), 19);                  /* nothing consumed */
	buf_consume(&b, used);
	head = buf_head(&b);
	assert_int_equal(buf_line(&b, &used), 6);
	assert_int_equal(head[6], '\0');                    /* over the CR */
	assert_int_equal(head[7], '\n');
	buf_consume(&b, used);
	assert_content(&b, "third");
	buf_free(&b);
}

/* A NUL byte inside a line does not end it: the length says where it ends. */
static void test_line_embedded_nul(void **state)
{
	struct buf b;
	size_t used = 0;

	assert_int_equal(buf_init(&b, 32, 32), 0);
	assert_true(buf_put(&b, "a\0b\n", 4));
	assert_int_equal(buf_line(&b, &used), 3);
	assert_int_equal(used, 4);
	buf_free(&b);
}

/* Lines that straddle a compaction and a growth. */
static void test_line_after_growth(void **state)
{
	struct buf b;
	size_t used = 0;
	char big[100];

	memset(big, 'L', sizeof(big));
	assert_int_equal(buf_init(&b, 8, 512), 0);
	put_str(&b, "abcdef");
	buf_consume(&b, 4);
	assert_true(buf_put(&b, big, sizeof(big)));
	put_str(&b, "\n");
	assert_int_equal(buf_line(&b, &used), 102);
	assert_int_equal(used, 103);
	assert_memory_equal(buf_head(&b), "ef", 2);
	assert_memory_equal(buf_head(&b) + 2, big, sizeof(big));
	assert_int_equal(buf_head(&b)[102], '\0');
	buf_free(&b);
}


/* Lazy memory: none until bytes come, given back once empty, and again on demand. */
static void test_lazy_and_release(void **state)
{
	struct buf b;

	assert_int_equal(buf_init(&b, 0, 256 * 1024), 0);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	assert_true(buf_fits(&b, 256 * 1024));
	assert_false(buf_fits(&b, 256 * 1024 + 1));
	assert_null(b.data);    /* asking costs nothing */
	assert_false(buf_release(&b));  /* nothing to give back */
	assert_true(buf_put(&b, "", 0));
	assert_null(b.data);
	put_str(&b, "ab");
	assert_non_null(b.data);
	assert_int_equal(b.cap, BUF_MIN_ALLOC);
	assert_false(buf_release(&b));  /* not empty: kept */
	assert_content(&b, "ab");
	buf_consume(&b, 2);
	assert_true(buf_release(&b));
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 256 * 1024);
	/* A big reservation from nothing: one allocation, within max. */
	assert_true(buf_reserve(&b, 70000));
	assert_true(b.cap >= 70000 && b.cap <= 256 * 1024);
	put_str(&b, "x\n");
	{
		size_t used;

		assert_int_equal(buf_line(&b, &used), 1);
		buf_consume(&b, used);
	}
	assert_true(buf_release(&b));
	buf_free(&b);
}

/* Append n bytes of pattern (byte i of the stream: (uint8_t)(*seq + i)) at the tail. */
static void put_seq(struct buf *b, size_t n, uint32_t *seq)
{
	for (size_t i = 0; i < n; i++)
		buf_tail(b)[i] = (uint8_t)(*seq + i);
	b->tail += n;
	*seq += (uint32_t)n;
}

/* The content is the stream from *first on; consume n of it. */
static void take_seq(struct buf *b, size_t n, uint32_t *first)
{
	for (size_t i = 0; i < buf_len(b); i++)
		assert_int_equal(buf_head(b)[i], (uint8_t)(*first + i));
	buf_consume(b, n);
	*first += (uint32_t)n;
}

/*
 * A large queue kept full: buf_reserve_lazy moves about as many bytes as
 * were appended (buf_reserve moves the whole content for each frame appended
 * to a full queue: 60 times as many here), and refuses room only while the
 * queue is more than half full. Frames of 64 KiB, a 4 MiB queue, a link that
 * takes two frames for three offered.
 */
static void test_reserve_lazy_amortized(void **state)
{
	const size_t frame = 64 * 1024, max = 4u << 20;
	size_t appended = 0, moved = 0, refused = 0;
	uint32_t seq = 0, first = 0;
	struct buf b;

	assert_int_equal(buf_init(&b, 0, max), 0);
	for (int i = 0; i < 3000; i++) {
		size_t head = b.head, len = buf_len(&b);
		uint8_t *data = b.data;

		if (len + frame <= max && buf_reserve_lazy(&b, frame)) {
			if (b.data == data && head && !b.head)
				moved += len;   /* moved down in place */
			put_seq(&b, frame, &seq);
			appended += frame;
		} else if (len + frame <= max) {
			refused++;          /* fits, but only by moving much: later */
			assert_true(len > max / 2 - frame);
		}
		if (i % 3 != 2)
			take_seq(&b, frame, &first);
	}
	assert_true(appended > 1500 * frame);
	assert_true(moved <= appended);
	assert_true(refused > 0);       /* the case above was met */
	buf_free(&b);
}

static void test_reserve_lazy_cases(void **state)
{
	uint32_t seq = 0, first = 0;
	uint8_t *data;
	struct buf b;

	assert_int_equal(buf_init(&b, 0, 1u << 20), 0);
	assert_true(buf_reserve_lazy(&b, 900 * 1024));
	assert_int_equal(b.cap, 1u << 20);
	put_seq(&b, 900 * 1024, &seq);
	take_seq(&b, 100 * 1024, &first);
	data = b.data;
	/* 800 KiB to move for 200 KiB of room, after 100 KiB consumed: not now. */
	assert_false(buf_reserve_lazy(&b, 200 * 1024));
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.head, 100 * 1024);
	assert_true(buf_reserve(&b, 200 * 1024));  /* buf_reserve would */
	assert_int_equal(b.head, 0);
	put_seq(&b, 200 * 1024, &seq);
	/* Once as much was consumed as remains, it moves. */
	take_seq(&b, 500 * 1024, &first);
	assert_true(buf_reserve_lazy(&b, 400 * 1024));
	assert_int_equal(b.head, 0);
	put_seq(&b, 400 * 1024, &seq);
	take_seq(&b, 0, &first);
	/* Small content moves at any time; beyond max, never. */
	take_seq(&b, buf_len(&b) - 1000, &first);
	assert_true(buf_reserve_lazy(&b, b.cap - 1000));
	assert_false(buf_reserve_lazy(&b, b.cap - 999));
	buf_free(&b);

	/* Room is made by growing, not moving, while below max; the content follows. */
	seq = first = 0;
	assert_int_equal(buf_init(&b, 0, 4u << 20), 0);
	assert_true(buf_reserve_lazy(&b, 200 * 1024));
	put_seq(&b, 200 * 1024, &seq);
	take_seq(&b, 10 * 1024, &first);
	assert_true(buf_reserve_lazy(&b, 200 * 1024));
	assert_true(b.cap >= 390 * 1024);
	assert_int_equal(b.head, 0);
	take_seq(&b, 0, &first);
	buf_free(&b);
}

/*
 * A queue used within a bound far below its max (a lone handler's: 256 KiB
 * of 4.25 MiB): its allocation settles at twice the bound at most, so that
 * the handler never has to shrink it while busy.
 */
static void test_reserve_lazy_within_a_bound(void **state)
{
	const size_t frame = 65 * 1024 + 17, bound = 256 * 1024;
	uint32_t seq = 0, first = 0;
	size_t most = 0;
	struct buf b;

	assert_int_equal(buf_init(&b, 0, bound + (4u << 20)), 0);
	for (int i = 0; i < 5000; i++) {
		while (buf_len(&b) + frame <= bound && buf_reserve_lazy(&b, frame))
			put_seq(&b, frame, &seq);
		if (b.cap > most)
			most = b.cap;
		take_seq(&b, (size_t)(i * 7919) % buf_len(&b) + 1, &first);
	}
	assert_true(most <= 2 * bound);
	buf_free(&b);
}

static void test_shrink(void **state)
{
	uint32_t seq = 0, first = 0;
	struct buf b;

	assert_int_equal(buf_init(&b, 0, 4u << 20), 0);
	assert_int_equal(buf_shrink(&b, 1024), 0);         /* nothing held */
	assert_true(buf_reserve(&b, 1u << 20));
	put_seq(&b, 1u << 20, &seq);
	assert_int_equal(b.cap, 1u << 20);
	take_seq(&b, (1u << 20) - 200 * 1024, &first);
	assert_int_equal(buf_shrink(&b, 256 * 1024), 0);   /* 200 KiB: more than half */
	take_seq(&b, 100 * 1024, &first);
	assert_int_equal(buf_shrink(&b, 256 * 1024), (1u << 20) - 256 * 1024);
	assert_int_equal(b.cap, 256 * 1024);
	assert_int_equal(b.head, 0);
	assert_int_equal(buf_len(&b), 100 * 1024);
	take_seq(&b, 0, &first);                            /* the content came along */
	assert_int_equal(buf_shrink(&b, 256 * 1024), 0);   /* no larger than asked */
	take_seq(&b, buf_len(&b), &first);
	assert_int_equal(buf_shrink(&b, 1024), 256 * 1024); /* empty: all of it */
	assert_null(b.data);
	assert_int_equal(b.max, 4u << 20);
	buf_free(&b);
}

static void test_line_unallocated(void **state)
{
	struct buf b;
	size_t used = 99;

	assert_int_equal(buf_init(&b, 0, 64), 0);
	assert_int_equal(buf_line(&b, &used), -1);
	assert_int_equal(used, 99);
	buf_free(&b);
}

/* A max below the smallest allocation: that max. */
static void test_small_max(void **state)
{
	struct buf b;

	assert_int_equal(buf_init(&b, 0, 8), 0);
	put_str(&b, "12345678");
	assert_int_equal(b.cap, 8);
	assert_false(buf_put(&b, "9", 1));
	buf_free(&b);
}

struct producer {
	int next, count, made;
};

static int produce(void *arg, char *line, size_t cap)
{
	struct producer *p = arg;

	if (p->next == p->count)
		return -1;
	p->made++;
	return snprintf(line, cap, "line %04d", p->next++);
}

/* Lines are made while fewer than low bytes wait, not all at once. */
static void test_fill_lines(void **state)
{
	struct producer p = { 0, 100, 0 };
	struct buf b;
	char line[64];
	int seen = 0;

	assert_int_equal(buf_init(&b, 0, 256), 0);
	/* Each line is 10 bytes: 5 lines fill 50 >= 45. */
	assert_false(buf_fill_lines(&b, 45, produce, &p, line, sizeof(line)));
	assert_int_equal(p.made, 5);
	assert_int_equal(buf_len(&b), 50);
	assert_memory_equal(buf_head(&b), "line 0000\nline 0001\n", 20);
	/* Nothing more while the reader has not taken any. */
	assert_false(buf_fill_lines(&b, 45, produce, &p, line, sizeof(line)));
	assert_int_equal(p.made, 5);
	/* Read as it comes: every line once, in order, the buffer never above low + a line. */
	for (;;) {
		size_t used;
		long len;
		bool over;

		while ((len = buf_line(&b, &used)) >= 0) {
			char want[16];

			snprintf(want, sizeof(want), "line %04d", seen++);
			assert_string_equal((char *)buf_head(&b), want);
			buf_consume(&b, used);
			if (seen % 3 == 0)
				break;  /* a slow reader */
		}
		over = buf_fill_lines(&b, 45, produce, &p, line, sizeof(line));
		assert_true(buf_len(&b) < 45 + 10);
		if (over && buf_len(&b) == 0)
			break;
	}
	assert_int_equal(seen, 100);
	assert_int_equal(p.made, 100);
	assert_true(buf_fill_lines(&b, 45, produce, &p, line, sizeof(line)));
	buf_free(&b);
}

/* A line that does not fit: false, not a loop. */
static void test_fill_lines_full(void **state)
{
	struct producer p = { 0, 100, 0 };
	struct buf b;
	char line[64];

	assert_int_equal(buf_init(&b, 0, 25), 0);
	assert_false(buf_fill_lines(&b, 1000, produce, &p, line, sizeof(line)));
	assert_int_equal(buf_len(&b), 20);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_put_consume),
		cmocka_unit_test(test_reserve_with_room),
		cmocka_unit_test(test_reserve_compacts),
		cmocka_unit_test(test_growth_doubles),
		cmocka_unit_test(test_growth_capped_at_max),
		cmocka_unit_test(test_refuses_beyond_max),
		cmocka_unit_test(test_growth_from_zero),
		cmocka_unit_test(test_line_lf),
		cmocka_unit_test(test_line_crlf),
		cmocka_unit_test(test_line_incomplete),
		cmocka_unit_test(test_line_empty),
		cmocka_unit_test(test_several_lines),
		cmocka_unit_test(test_line_nul_in_place),
		cmocka_unit_test(test_line_embedded_nul),
		cmocka_unit_test(test_line_after_growth),
		cmocka_unit_test(test_lazy_and_release),
		cmocka_unit_test(test_reserve_lazy_amortized),
		cmocka_unit_test(test_reserve_lazy_cases),
		cmocka_unit_test(test_reserve_lazy_within_a_bound),
		cmocka_unit_test(test_shrink),
		cmocka_unit_test(test_line_unallocated),
		cmocka_unit_test(test_small_max),
		cmocka_unit_test(test_fill_lines),
		cmocka_unit_test(test_fill_lines_full),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
