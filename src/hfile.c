// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hfile.c - vnet --handlers FILE: handlers established at start
 *
 * One handler a line, in the words of a HANDLE (or RHANDLE, reconnecting)
 * request; '#' starts a comment. The password word may be @PATH: the first
 * line of that file, which only its owner may read (a line is parsed by
 * hfile_line.c). A bad line is reported with its number and skipped. The file (and the password files) are read
 * at start, before vnet drops its privileges; then every good line is
 * dialed, in the loop, like a HANDLE from a client.
 *
 * At most HFILE_DIALS lines are dialed at a time: thousands of lines to one
 * peer would otherwise all wait at its door together, beyond what it lets in
 * from one network before they log in (vnet(8), LIMITS).
 *
 * Read as root, a line could send any root-only file to any address: the
 * file must belong to root or to vnet's user and be writable by its owner
 * only, and the password files named by a file that is not root's must
 * belong to its owner.
 *
 * Every line stays on the daemon's list with its handler's id while it is
 * in the file. Read again (SIGHUP), the file is first read whole and must
 * pass every check a line at a time, or nothing changes; then its lines are
 * paired with those read before (hfile_diff.c): a line equal to one before
 * keeps that line's handler untouched, the others close and start.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vnet/daemon.h"
#include "vnet/handle.h"
#include "vnet/handler.h"
#include "vnet/hfile.h"
#include "vnet/hfile_diff.h"
#include "vnet/hfile_line.h"
#include "vnet/log.h"

#define HFILE_DIALS 16

static void hfile_next(struct daemon *d);

/* A line of the file, on the daemon's list (in the file's order) while it is in the file. */
struct boot {
	struct list node;
	struct handle_job job;  /* its request, port and dial (handle.c), while pending */
	bool pending;       /* its handler is not made yet: the job holds its request */
	bool started;       /* its dial was started (counted in boot_dials) */
	unsigned long id;   /* its handler once made (0: none, it failed) */
	struct hfile_key key;   /* what it asks for, every field (hfile_diff.c) */
	char where[96];     /* FILE:LINE */
};

/* The file read again, checked, paired with the lines before, not applied yet. */
struct hfile_fresh {
	struct list lines;      /* struct boot, pending, in the file's order */
	size_t n, nold;
	struct boot **fresh, **old;     /* the same and d->boots, as arrays */
	size_t *match;          /* for each fresh line: the old one it equals, or HFILE_NONE */
};

/* Its job is over (or abandoned): its dial, its port and its request go. */
static void boot_settle(struct boot *b)
{
	if (b->started)
		b->job.d->boot_dials--;
	b->started = false;
	if (b->pending)
		handle_end(&b->job);
	b->pending = false;
}

static void boot_free(struct boot *b)
{
	boot_settle(b);
	free(b);
}

/* A line's HANDLE is over: its handler, or why not. */
static void boot_handled(struct handle_job *j, unsigned long id, const char *err, bool dialed)
{
	struct boot *b = j->arg;
	struct daemon *d = j->d;

	if (id && !dialed)
		log_warn("%s: handler %lu not connected yet (%s): it will keep trying",
			 b->where, id, err);
	else if (id)
		log_info("%s: handler %lu established", b->where, id);
	else
		log_err("%s: handler not established: %s", b->where, err);
	b->id = id;
	boot_settle(b);
	hfile_next(d);
}

static bool device_allowed(void *arg, const char *dev)
{
	return daemon_device_allowed(arg, dev);
}

/*
 * Parse one line (hfile_line.c) and put its request on lines. False if it
 * is refused (err says why, the caller logs it), true for a request or
 * nothing (an empty line).
 */
static bool read_line(struct daemon *d, struct list *lines, const char *where, char *line,
		      size_t cap, const struct stat *st, char *err, size_t errlen)
{
	const struct hfile_ctx ctx = { .exposed = st->st_mode & 077, .owner = st->st_uid,
				       .read_pw = pwfile_read, .device_allowed = device_allowed,
				       .arg = d };
	struct boot *b;
	struct proto_req req;

	switch (hfile_line_parse(line, cap, &ctx, &req, err, errlen)) {
	case HFILE_LINE_EMPTY:
		return true;
	case HFILE_LINE_BAD:
		return false;
	case HFILE_LINE_REQ:
		break;
	}
	b = calloc(1, sizeof(*b));
	if (!b || !hfile_key_of(&req, &b->key)) {
		snprintf(err, errlen, b ? "line too long" : "out of memory");
		free(b);
		proto_req_wipe(&req);
		return false;
	}
	/* The request stays with the handler: it dials again when its device comes back. */
	b->job = (struct handle_job){ .d = d, .req = req, .standing = true,
				      .done = boot_handled, .arg = b };
	b->pending = true;
	list_add_tail(lines, &b->node);
	req.macs = NULL;    /* the address list moves with it */
	proto_req_wipe(&req);
	snprintf(b->where, sizeof(b->where), "%s", where);
	return true;
}

/* Start the next lines' dials, up to HFILE_DIALS at a time. */
static void hfile_next(struct daemon *d)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->boots) {
		struct boot *b = list_entry(pos, struct boot, node);
		char err[256];

		if (d->boot_dials >= HFILE_DIALS)
			break;
		if (!b->pending || b->started)
			continue;
		if (handle_start(&b->job, err, sizeof(err)) < 0) {
			log_err("%s: %s: line skipped", b->where, err);
			boot_settle(b);
			continue;
		}
		b->started = true;
		d->boot_dials++;
	}
}

void hfile_start(struct daemon *d)
{
	size_t lines = 0;

	for (struct list *pos = d->boots.next; pos != &d->boots; pos = pos->next)
		lines++;
	if (lines)
		log_info("establishing %zu handler%s from the handlers file", lines,
			 lines == 1 ? "" : "s");
	hfile_next(d);
}

static void free_lines(struct list *lines)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, lines) {
		list_del(pos);
		boot_free(list_entry(pos, struct boot, node));
	}
}

void hfile_stop(struct daemon *d)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->boots) {
		daemon_boot_del(d, pos);
		boot_free(list_entry(pos, struct boot, node));
	}
}

/* Whose handlers file vnet obeys: root's or its user's, which only its owner may change. */
static bool hfile_trusted(const char *path, const struct stat *st, const char *user, char *err,
			  size_t errlen)
{
	const struct passwd *pw = user ? getpwnam(user) : NULL;

	if (st->st_mode & 022) {
		snprintf(err, errlen, "%s may be written by group or others: refusing it "
			 "(chmod go-w %s)", path, path);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid() && !(pw && pw->pw_uid == st->st_uid)) {
		snprintf(err, errlen, "%s belongs to UID %u, neither root nor the user vnet runs "
			 "as: refusing it (chown root %s)", path, (unsigned int)st->st_uid, path);
		return false;
	}
	return true;
}

/*
 * Read the file's lines onto lines: 0, or -errno with err set if it cannot
 * be read or is refused. A bad line is logged and skipped; strict, it also
 * makes the whole file refused (-EINVAL, err: the first one).
 */
static int hfile_read(struct daemon *d, const char *path, const char *user, struct list *lines,
		      bool strict, char *err, size_t errlen)
{
	char line[VNET_LINE_MAX + 2], why[320], where[96];
	unsigned int lineno = 0, bad = 0;
	FILE *f = fopen(path, "re");
	struct stat st;
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fileno(f), &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot check %s: %s", path, strerror(errno));
		goto out;
	}
	if (!hfile_trusted(path, &st, user, err, errlen)) {
		ret = -EPERM;
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		bool ok;

		lineno++;
		snprintf(where, sizeof(where), "%.80s:%u", path, lineno);
		if (len && line[len - 1] != '\n' && !feof(f)) {
			int c;

			snprintf(why, sizeof(why), "line too long");
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			ok = false;
		} else {
			ok = read_line(d, lines, where, line, sizeof(line), &st, why, sizeof(why));
		}
		explicit_bzero(line, sizeof(line));
		if (ok)
			continue;
		log_err("%s: %s: line %s", where, why, strict ? "refused" : "skipped");
		if (strict && !bad++)
			snprintf(err, errlen, "%s: %s", where, why);
	}
	if (bad) {
		ret = -EINVAL;
		free_lines(lines);
	}
out:
	fclose(f);
	return ret;
}

int hfile_load(struct daemon *d, const char *path, const char *user)
{
	struct list lines, *pos, *tmp;
	char err[400];
	int ret;

	list_init(&lines);
	ret = hfile_read(d, path, user, &lines, false, err, sizeof(err));
	if (ret < 0) {
		log_err("%s", err);
		return ret;
	}
	list_for_each(pos, tmp, &lines) {
		list_del(pos);
		daemon_boot_add(d, pos);
	}
	return 0;
}

/* The lines of a list as an array (*n of them); NULL if out of memory. */
static struct boot **lines_array(struct list *lines, size_t *n)
{
	struct boot **a;
	struct list *pos;
	size_t i = 0;

	*n = 0;
	for (pos = lines->next; pos != lines; pos = pos->next)
		(*n)++;
	a = calloc(*n ? *n : 1, sizeof(*a));
	if (!a)
		return NULL;
	for (pos = lines->next; pos != lines && i < *n; pos = pos->next)
		a[i++] = list_entry(pos, struct boot, node);
	*n = i;     /* the same list: as many as counted */
	return a;
}

static int pair_lines(struct hfile_fresh *hf, struct daemon *d)
{
	struct hfile_key *ko, *kf;
	int ret = -ENOMEM;

	hf->fresh = lines_array(&hf->lines, &hf->n);
	hf->old = lines_array(&d->boots, &hf->nold);
	hf->match = calloc(hf->n ? hf->n : 1, sizeof(*hf->match));
	ko = calloc(hf->nold ? hf->nold : 1, sizeof(*ko));
	kf = calloc(hf->n ? hf->n : 1, sizeof(*kf));
	if (hf->fresh && hf->old && hf->match && ko && kf) {
		for (size_t i = 0; i < hf->nold; i++)
			ko[i] = hf->old[i]->key;
		for (size_t i = 0; i < hf->n; i++)
			kf[i] = hf->fresh[i]->key;
		ret = hfile_diff(ko, hf->nold, kf, hf->n, hf->match);
	}
	free(ko);
	free(kf);
	return ret;
}

void hfile_discard(struct hfile_fresh *hf)
{
	if (!hf)
		return;
	free_lines(&hf->lines);
	free(hf->fresh);
	free(hf->old);
	free(hf->match);
	free(hf);
}

int hfile_read_again(struct daemon *d, const char *path, const char *user,
		     struct hfile_fresh **out, char *err, size_t errlen)
{
	struct hfile_fresh *hf = calloc(1, sizeof(*hf));
	int ret;

	*out = NULL;
	if (!hf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	list_init(&hf->lines);
	ret = hfile_read(d, path, user, &hf->lines, true, err, errlen);
	if (ret == 0 && (ret = pair_lines(hf, d)) < 0)
		snprintf(err, errlen, "out of memory");
	if (ret < 0) {
		hfile_discard(hf);
		return ret;
	}
	*out = hf;
	return 0;
}

/* Does the line read before still stand: its handler open, or on its way? */
static bool boot_alive(const struct daemon *d, const struct boot *b)
{
	return b->pending || (b->id && daemon_handler_find(d, b->id));
}

void hfile_apply(struct daemon *d, struct hfile_fresh *hf, struct hfile_changes *c)
{
	bool *kept = calloc(hf->nold ? hf->nold : 1, sizeof(*kept));

	*c = (struct hfile_changes){ 0 };
	if (!kept) {    /* keep everything as it was rather than close what stands */
		log_err("reload: out of memory: the handlers file's lines are left as they were");
		hfile_discard(hf);
		return;
	}
	for (size_t i = 0; i < hf->n; i++) {
		size_t o = hf->match[i];

		if (o != HFILE_NONE && boot_alive(d, hf->old[o]))
			kept[o] = true;
	}
	for (size_t o = 0; o < hf->nold; o++) {
		struct boot *b = hf->old[o];

		daemon_boot_del(d, &b->node);
		if (kept[o])
			continue;
		if (b->pending || (b->id && handler_close_id(d, b->id,
							      "its line left the handlers file")))
			c->closed++;
		boot_free(b);
	}
	for (size_t i = 0; i < hf->n; i++) {
		struct boot *f = hf->fresh[i];
		size_t o = hf->match[i];

		list_del(&f->node);
		if (o != HFILE_NONE && kept[o]) {
			snprintf(hf->old[o]->where, sizeof(hf->old[o]->where), "%s", f->where);
			daemon_boot_add(d, &hf->old[o]->node);
			boot_free(f);
			c->kept++;
		} else {
			daemon_boot_add(d, &f->node);
			c->started++;
		}
	}
	free(kept);
	hfile_discard(hf);
	hfile_next(d);
}
