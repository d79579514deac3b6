// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics_fmt.c - the Prometheus text exposition format, from tables (pure)
 *
 * Lines such as
 *   # HELP vnet_handler_dropped_frames_total Frames a handler dropped, by reason.
 *   # TYPE vnet_handler_dropped_frames_total counter
 *   vnet_handler_dropped_frames_total{id="1",peer="198.18.0.2:4455",device="eth0",reason="queue"} 0
 * written a chunk at a time: a walk stops before a line that does not fit
 * and goes on from there at the next call.
 */
#include <stdio.h>
#include <string.h>

#include "vnet/metrics_fmt.h"

bool metrics_fmt_escape(const char *v, char *out, size_t cap)
{
	size_t n = 0;

	for (; *v; v++) {
		const char *esc = *v == '\\' ? "\\\\" : *v == '"' ? "\\\"" : *v == '\n' ? "\\n" : NULL;
		size_t len = esc ? 2 : 1;

		if (n + len >= cap)
			return false;
		if (esc)
			memcpy(out + n, esc, 2);
		else
			out[n] = *v;
		n += len;
	}
	if (n >= cap)
		return false;
	out[n] = '\0';
	return true;
}

/* Append s to out at *pos; false (nothing to trust in out) if it does not fit. */
static bool put(char *out, size_t cap, size_t *pos, const char *s)
{
	size_t len = strlen(s);

	if (*pos + len >= cap)
		return false;
	memcpy(out + *pos, s, len + 1);
	*pos += len;
	return true;
}

static bool put_label(char *out, size_t cap, size_t *pos, const struct metrics_label *l, bool first)
{
	char v[METRICS_LINE_MAX / 2];

	return metrics_fmt_escape(l->value, v, sizeof(v)) && put(out, cap, pos, first ? "{" : ",") &&
	       put(out, cap, pos, l->name) && put(out, cap, pos, "=\"") &&
	       put(out, cap, pos, v) && put(out, cap, pos, "\"");
}

/* One sample line of row r for obj, at out[0..cap): its length, 0 if it does not fit. */
static size_t sample(const struct metrics_table *t, const struct metrics_row *r, const void *obj,
		     char *out, size_t cap)
{
	struct metrics_label l[METRICS_LABELS_MAX + 1];
	size_t nl = t->labels ? t->labels(obj, l) : 0, pos = 0;
	uint64_t v;
	char num[40];

	if (r->label)
		l[nl++] = (struct metrics_label){ r->label, r->value };
	memcpy(&v, (const char *)obj + r->off, sizeof(v));
	if (r->scale)
		snprintf(num, sizeof(num), " %.9g\n", (double)v * r->scale);
	else
		snprintf(num, sizeof(num), " %llu\n", (unsigned long long)v);
	if (!put(out, cap, &pos, r->name))
		return 0;
	for (size_t i = 0; i < nl; i++)
		if (!put_label(out, cap, &pos, &l[i], i == 0))
			return 0;
	if ((nl && !put(out, cap, &pos, "}")) || !put(out, cap, &pos, num))
		return 0;
	return pos;
}

/* The HELP and TYPE lines of r's family: their length, 0 if they do not fit. */
static size_t family(const struct metrics_row *r, char *out, size_t cap)
{
	int n = snprintf(out, cap, "# HELP %s %s\n# TYPE %s %s\n", r->name, r->help, r->name,
			 r->type);

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t metrics_fmt_walk(const struct metrics_table *tables, size_t n, struct metrics_walk *w,
			char *out, size_t cap)
{
	size_t pos = 0;

	while (w->table < n) {
		const struct metrics_table *t = &tables[w->table];
		const struct metrics_row *r = &t->rows[w->row];
		size_t len, head = 0;

		if (w->row == t->nrows || !t->nobjs) {
			*w = (struct metrics_walk){ .table = w->table + 1 };
			continue;
		}
		/* A family begins: its first row, before its first object. */
		if (w->obj == 0 && (w->row == 0 || strcmp(t->rows[w->row - 1].name, r->name))) {
			head = family(r, out + pos, cap - pos);
			if (!head)
				break;
			pos += head;
		}
		len = sample(t, r, (const char *)t->objs + w->obj * t->objsize, out + pos, cap - pos);
		if (!len) {
			pos -= head;    /* the header goes with its first sample, next time */
			break;
		}
		pos += len;
		if (++w->obj == t->nobjs) {
			w->obj = 0;
			w->row++;
		}
	}
	return pos;
}
