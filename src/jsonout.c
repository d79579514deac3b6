// SPDX-License-Identifier: GPL-2.0-or-later
/* jsonout.c - vnetclient --json: list answers as JSON documents */
#include <stdlib.h>
#include <string.h>

#include "vnet/jsonout.h"

#define FIELDS_MAX 96

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A word that says "-" where there is no value: a string, or null. */
static void json_str_or_null(FILE *f, const char *s)
{
	if (strcmp(s, "-"))
		json_str(f, s);
	else
		fputs("null", f);
}

/* A decimal number, written as a JSON number. */
static bool is_number(const char *s)
{
	if (!*s || strlen(s) > 20)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Split a copy of line into words; the copy is *buf (to free). */
static size_t words(const char *line, char **w, size_t cap, char **buf)
{
	size_t n = 0;
	char *save, *t;

	*buf = strdup(line);
	if (!*buf)
		return 0;
	for (t = strtok_r(*buf, " \t", &save); t && n < cap; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	return n;
}

bool json_devices(FILE *f, char *const *lines, size_t n)
{
	fputs("{\"devices\": [", f);
	for (size_t i = 0; i < n; i++) {
		char *w[FIELDS_MAX], *buf;
		size_t k = words(lines[i], w, FIELDS_MAX, &buf);

		if (k != 4 || !is_number(w[2])) {
			free(buf);
			return false;
		}
		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		json_str(f, w[0]);
		fputs(", \"mac\": ", f);
		json_str_or_null(f, w[1]);
		fprintf(f, ", \"mtu\": %s, \"state\": ", w[2]);
		json_str(f, w[3]);
		fputc('}', f);
		free(buf);
	}
	fputs("]}\n", f);
	return true;
}

static void json_side(FILE *f, char **w)
{
	fputs("{\"config\": ", f);
	json_str(f, w[0]);
	fputs(", \"address\": ", f);
	json_str_or_null(f, w[1]);
	fprintf(f, ", \"port\": %s, \"device\": ", w[2]);
	json_str(f, w[3]);
	fputc('}', f);
}

/*
 * What STATS? lines ("ID ... state=S ... reconnecting=yes ... path=P") say
 * of handler id: its state into state if it reconnects or waits for its
 * device (else ""), its data path into path (else ""). False if it is not
 * listed (it may have gone between the two requests).
 */
static bool stats_of(char *const *stats, size_t ns, const char *id, char *state, size_t cap,
		     char *path, size_t pcap)
{
	for (size_t i = 0; i < ns; i++) {
		char *w[FIELDS_MAX], *buf;
		size_t k = words(stats[i], w, FIELDS_MAX, &buf);
		bool yes = false;

		state[0] = path[0] = '\0';
		if (k && !strcmp(w[0], id)) {
			for (size_t m = 1; m < k; m++) {
				if (!strncmp(w[m], "state=", 6))
					snprintf(state, cap, "%s", w[m] + 6);
				else if (!strncmp(w[m], "path=", 5))
					snprintf(path, pcap, "%s", w[m] + 5);
				else if (!strcmp(w[m], "reconnecting=yes"))
					yes = true;
			}
			free(buf);
			/* A handler from a handlers file waits for its device, reconnecting or not. */
			if (!yes && strcmp(state, "nodevice"))
				state[0] = '\0';
			return true;
		}
		free(buf);
	}
	state[0] = path[0] = '\0';
	return false;
}

static void json_nonempty(FILE *f, const char *s)
{
	if (s[0])
		json_str(f, s);
	else
		fputs("null", f);
}

bool json_handlers(FILE *f, char *const *lines, size_t n, char *const *stats, size_t ns)
{
	fputs("{\"handlers\": [", f);
	for (size_t i = 0; i < n; i++) {
		char *w[FIELDS_MAX], *buf, state[32], path[32];
		size_t k = words(lines[i], w, FIELDS_MAX, &buf), end = k;

		if (end < 11 || strcmp(w[5], "<->") || !is_number(w[0]) || !is_number(w[3]) ||
		    !is_number(w[8])) {
			free(buf);
			return false;
		}
		fprintf(f, "%s{\"id\": %s, \"local\": ", i ? ", " : "", w[0]);
		json_side(f, w + 1);
		fputs(", \"remote\": ", f);
		json_side(f, w + 6);
		fputs(", \"addresses\": [", f);
		for (size_t m = 10; m < end; m++) {
			if (m > 10)
				fputs(", ", f);
			json_str(f, w[m]);
		}
		stats_of(stats, ns, w[0], state, sizeof(state), path, sizeof(path));
		fputs("], \"reconnect\": ", f);
		json_nonempty(f, state);
		fputs(", \"path\": ", f);
		json_nonempty(f, path);
		fputc('}', f);
		free(buf);
	}
	fputs("]}\n", f);
	return true;
}

bool json_stats(FILE *f, char *const *lines, size_t n)
{
	fputs("{\"stats\": [", f);
	for (size_t i = 0; i < n; i++) {
		char *w[FIELDS_MAX], *buf;
		size_t k = words(lines[i], w, FIELDS_MAX, &buf);

		if (k < 1 || !is_number(w[0])) {
			free(buf);
			return false;
		}
		fprintf(f, "%s{\"id\": %s", i ? ", " : "", w[0]);
		for (size_t m = 1; m < k; m++) {
			char *eq = strchr(w[m], '=');

			if (!eq || eq == w[m]) {
				free(buf);
				return false;
			}
			*eq = '\0';
			fputs(", ", f);
			json_str(f, w[m]);
			fputs(": ", f);
			if (is_number(eq + 1))
				fputs(eq + 1, f);
			else
				json_str(f, eq + 1);
		}
		fputc('}', f);
		free(buf);
	}
	fputs("]}\n", f);
	return true;
}

void json_id(FILE *f, const char *key, const char *id)
{
	fputc('{', f);
	json_str(f, key);
	fputs(": ", f);
	if (is_number(id))
		fputs(id, f);
	else
		json_str(f, id);
	fputs("}\n", f);
}
