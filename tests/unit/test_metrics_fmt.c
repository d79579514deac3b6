// SPDX-License-Identifier: GPL-2.0-or-later
/* test_metrics_fmt.c - unit tests of the Prometheus text format: escaping, families, chunks */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/metrics_fmt.h"

struct obj {
	const char *name;
	uint64_t a, b, us;
};

static size_t obj_labels(const void *o, struct metrics_label *l)
{
	l[0] = (struct metrics_label){ "name", ((const struct obj *)o)->name };
	return 1;
}

static const struct metrics_row rows[] = {
	{ "t_a_total", "counter", "A.", NULL, NULL, offsetof(struct obj, a), 0 },
	{ "t_drop_total", "counter", "Drops.", "reason", "x", offsetof(struct obj, a), 0 },
	{ "t_drop_total", "counter", "Drops.", "reason", "y", offsetof(struct obj, b), 0 },
	{ "t_rtt_seconds", "gauge", "RTT.", NULL, NULL, offsetof(struct obj, us), 1e-6 },
};

static const struct obj objs[] = {
	{ "plain", 1, 2, 1500 },
	{ "q\"uo\\te\nnl", 3, 4, 0 },
};

static const struct metrics_table table = {
	rows, sizeof(rows) / sizeof(rows[0]), objs, 2, sizeof(objs[0]), obj_labels,
};

static const char expected[] =
	"# HELP t_a_total A.\n# TYPE t_a_total counter\n"
	"t_a_total{name=\"plain\"} 1\n"
	"t_a_total{name=\"q\\\"uo\\\\te\\nnl\"} 3\n"
	"# HELP t_drop_total Drops.\n# TYPE t_drop_total counter\n"
	"t_drop_total{name=\"plain\",reason=\"x\"} 1\n"
	"t_drop_total{name=\"q\\\"uo\\\\te\\nnl\",reason=\"x\"} 3\n"
	"t_drop_total{name=\"plain\",reason=\"y\"} 2\n"
	"t_drop_total{name=\"q\\\"uo\\\\te\\nnl\",reason=\"y\"} 4\n"
	"# HELP t_rtt_seconds RTT.\n# TYPE t_rtt_seconds gauge\n"
	"t_rtt_seconds{name=\"plain\"} 0.0015\n"
	"t_rtt_seconds{name=\"q\\\"uo\\\\te\\nnl\"} 0\n";

/* The whole body, written into chunks of cap bytes. */
static void walk_all(size_t cap, char *body, size_t bodycap)
{
	struct metrics_walk w = { 0 };
	char chunk[4096];
	size_t len, pos = 0;

	assert_true(cap <= sizeof(chunk));
	while ((len = metrics_fmt_walk(&table, 1, &w, chunk, cap)) > 0) {
		assert_true(len < cap);
		assert_true(pos + len < bodycap);
		assert_int_equal(chunk[len - 1], '\n');     /* whole lines only */
		memcpy(body + pos, chunk, len);
		pos += len;
	}
	body[pos] = '\0';
}

static void test_escape(void **state)
{
	char out[16];

	assert_true(metrics_fmt_escape("a\"b\\c\nd", out, sizeof(out)));
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	assert_false(metrics_fmt_escape("\"\"\"\"\"\"\"\"", out, sizeof(out)));  /* 16 + NUL */
	assert_true(metrics_fmt_escape("", out, 1));
	assert_string_equal(out, "");
}

static void test_families(void **state)
{
	char body[4096];

	walk_all(METRICS_LINE_MAX * 2, body, sizeof(body));
	assert_string_equal(body, expected);
}

/* Small chunks: the same body, each HELP and TYPE once, never cut from its first sample. */
static void test_chunks(void **state)
{
	char body[4096];

	walk_all(METRICS_LINE_MAX, body, sizeof(body));
	assert_string_equal(body, expected);
	walk_all(128, body, sizeof(body));      /* a header and a sample at most */
	assert_string_equal(body, expected);
}

static void test_empty_table(void **state)
{
	struct metrics_table t[2] = { table, table };
	struct metrics_walk w = { 0 };
	char out[METRICS_LINE_MAX * 4];

	t[0].nobjs = 0;     /* a family without samples has no HELP either */
	assert_int_equal(metrics_fmt_walk(t, 2, &w, out, sizeof(out)), strlen(expected));
	assert_memory_equal(out, expected, strlen(expected));
	assert_int_equal(metrics_fmt_walk(t, 2, &w, out, sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
