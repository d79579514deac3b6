/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_fmt.h - the Prometheus text exposition format (0.0.4), from tables
 *
 * A family of metrics is one or more rows of a table that share a name;
 * each row reads one number from every object of the table (a handler's
 * counters, a device's), at an offset, and may add one label of its own
 * (reason="queue"). The walk writes a family's HELP and TYPE lines once,
 * before its first row, then one sample line per row and object, so that
 * a new counter is one more row. It writes into chunks of any size and
 * resumes where it stopped: the body of a scrape is made as it is sent.
 */
#ifndef VNET_METRICS_FMT_H
#define VNET_METRICS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line the walk writes: a chunk must hold at least this much. */
#define METRICS_LINE_MAX 1024
#define METRICS_LABELS_MAX 4    /* labels of an object, the row's own not counted */

struct metrics_label {
	const char *name, *value;
};

struct metrics_row {
	const char *name;       /* vnet_..., the family: rows of one name are adjacent */
	const char *type;       /* "counter" or "gauge" */
	const char *help;       /* the family's HELP text (its first row's) */
	const char *label, *value;  /* the row's own label (reason="queue"), or NULL */
	size_t off;             /* of a uint64_t in each object */
	double scale;           /* 0: the integer as it is; else it times scale (us to s) */
};

struct metrics_table {
	const struct metrics_row *rows;
	size_t nrows;
	const void *objs;       /* nobjs objects of objsize bytes */
	size_t nobjs, objsize;
	/* The labels of one object into l (at most METRICS_LABELS_MAX): how many. */
	size_t (*labels)(const void *obj, struct metrics_label *l);
};

/* Where a walk over tables stands. Zero it to start. */
struct metrics_walk {
	size_t table, row, obj;
};

/*
 * Write the next lines of tables[0..n) into out[0..cap) (cap at least
 * METRICS_LINE_MAX), whole lines only: the number of bytes written, 0 once
 * every line is written.
 */
size_t metrics_fmt_walk(const struct metrics_table *tables, size_t n, struct metrics_walk *w,
			char *out, size_t cap);
/*
 * A label value escaped as the format wants (backslash, double quote and
 * newline escaped), NUL-terminated; false if it does not fit in cap.
 */
bool metrics_fmt_escape(const char *v, char *out, size_t cap);

#endif
