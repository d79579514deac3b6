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
#include "vnet/hfile.h"
#include "vnet/hfile_line.h"
#include "vnet/log.h"

#define HFILE_DIALS 16

static void hfile_next(struct daemon *d);

/* A line read, on the daemon's list until its handler is made (or not). */
struct boot {
	struct list node;
	struct handle_job job;  /* its request, port and dial (handle.c) */
	bool started;       /* its dial was started (counted in boot_dials) */
	char where[96];     /* FILE:LINE */
};

static void boot_free(struct boot *b)
{
	if (b->started)
		b->job.d->boot_dials--;
	daemon_boot_del(b->job.d, &b->node);
	handle_end(&b->job);
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
	boot_free(b);
	hfile_next(d);
}

static bool device_allowed(void *arg, const char *dev)
{
	return daemon_device_allowed(arg, dev);
}

/* Parse one line (hfile_line.c) and put its request on the daemon's list. */
static void read_line(struct daemon *d, const char *path, unsigned int lineno, char *line,
		      size_t cap, const struct stat *st)
{
	const struct hfile_ctx ctx = { .exposed = st->st_mode & 077, .owner = st->st_uid,
				       .read_pw = pwfile_read, .device_allowed = device_allowed,
				       .arg = d };
	char err[320];
	struct boot *b;
	struct proto_req req;

	switch (hfile_line_parse(line, cap, &ctx, &req, err, sizeof(err))) {
	case HFILE_LINE_EMPTY:
		return;
	case HFILE_LINE_BAD:
		log_err("%s:%u: %s: line skipped", path, lineno, err);
		return;
	case HFILE_LINE_REQ:
		break;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		log_err("%s:%u: out of memory", path, lineno);
		proto_req_wipe(&req);
		return;
	}
	/* The request stays with the handler: it dials again when its device comes back. */
	b->job = (struct handle_job){ .d = d, .req = req, .standing = true,
				      .done = boot_handled, .arg = b };
	daemon_boot_add(d, &b->node);
	req.macs = NULL;    /* the address list moves with it */
	proto_req_wipe(&req);
	snprintf(b->where, sizeof(b->where), "%.80s:%u", path, lineno);
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
		if (b->started)
			continue;
		if (handle_start(&b->job, err, sizeof(err)) < 0) {
			log_err("%s: %s: line skipped", b->where, err);
			boot_free(b);
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

void hfile_stop(struct daemon *d)
{
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &d->boots) {
		struct boot *b = list_entry(pos, struct boot, node);

		boot_free(b);
	}
}

/* Whose handlers file vnet obeys: root's or its user's, which only its owner may change. */
static bool hfile_trusted(const char *path, const struct stat *st, const char *user)
{
	const struct passwd *pw = user ? getpwnam(user) : NULL;

	if (st->st_mode & 022) {
		log_err("%s may be written by group or others: refusing it (chmod go-w %s)", path,
			path);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid() && !(pw && pw->pw_uid == st->st_uid)) {
		log_err("%s belongs to UID %u, neither root nor the user vnet runs as: refusing it "
			"(chown root %s)", path, (unsigned int)st->st_uid, path);
		return false;
	}
	return true;
}

int hfile_load(struct daemon *d, const char *path, const char *user)
{
	char line[VNET_LINE_MAX + 2];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	struct stat st;

	if (!f) {
		int ret = -errno;

		log_err("cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fileno(f), &st) < 0) {
		int ret = -errno;

		log_err("cannot check %s: %s", path, strerror(errno));
		fclose(f);
		return ret;
	}
	if (!hfile_trusted(path, &st, user)) {
		fclose(f);
		return -EPERM;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		lineno++;
		if (len && line[len - 1] != '\n' && !feof(f)) {
			int c;

			log_err("%s:%u: line too long: skipped", path, lineno);
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		read_line(d, path, lineno, line, sizeof(line), &st);
		explicit_bzero(line, sizeof(line));
	}
	fclose(f);
	return 0;
}
