// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hfile_line.c - one line of a handlers file, parsed without I/O of its own
 *
 * A line is a HANDLE or RHANDLE request in the words of the protocol; '#'
 * starts a comment. The password word may be @PATH: the first line of that
 * file, read through the context's function (pwfile_read in the daemon, a
 * stub in the tests and the fuzz target). Read as root, a line could send
 * any root-only file to any address: a password written out is refused if
 * others may read the handlers file, and a password file is refused unless
 * only its owner may read it and it belongs to the handlers file's owner
 * (or that owner is root). The device must be one of the daemon's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vnet/hfile_line.h"

/* Replace an @PATH password word in line with the password it names. */
static bool resolve_password(char *line, size_t cap, const struct hfile_ctx *c, char *err,
			     size_t errlen)
{
	char *at = line, *end, path[4096], pw[VNET_PASSWORD_MAX + 3], rest[VNET_LINE_MAX];
	uid_t uid = 0;
	int ret;

	/* The second word is the password. */
	at += strspn(at, " \t");
	at += strcspn(at, " \t");
	at += strspn(at, " \t");
	if (*at != '@') {
		if (!c->exposed)
			return true;
		snprintf(err, errlen, "a password written in a file that group or others can "
			 "read: use @PATH, or chmod 600 the file");
		return false;
	}
	end = at + strcspn(at, " \t");
	snprintf(path, sizeof(path), "%.*s", (int)(end - at - 1), at + 1);
	ret = c->read_pw(path, pw, sizeof(pw), &uid);
	if (ret == -EPERM) {
		snprintf(err, errlen, "password file %.160s is readable by group or others (chmod 600)",
			 path);
		return false;
	}
	if (ret < 0) {
		snprintf(err, errlen, "cannot open password file %.160s: %s", path, strerror(-ret));
		return false;
	}
	if (c->owner != 0 && uid != c->owner) {
		explicit_bzero(pw, sizeof(pw));
		snprintf(err, errlen, "password file %.160s belongs to UID %u, the handlers file to "
			 "UID %u: only a handlers file of root's may name another user's file",
			 path, (unsigned int)uid, (unsigned int)c->owner);
		return false;
	}
	snprintf(rest, sizeof(rest), "%s", end);
	if ((size_t)(at - line) + strlen(pw) + strlen(rest) + 1 > cap) {
		snprintf(err, errlen, "line too long");
		explicit_bzero(pw, sizeof(pw));
		return false;
	}
	memcpy(at, pw, strlen(pw));
	strcpy(at + strlen(pw), rest);
	explicit_bzero(pw, sizeof(pw));
	return true;
}

enum hfile_line hfile_line_parse(char *line, size_t cap, const struct hfile_ctx *c,
				 struct proto_req *req, char *err, size_t errlen)
{
	char *p;

	if ((p = strchr(line, '#')))
		*p = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	p = line + strspn(line, " \t");
	if (!*p)
		return HFILE_LINE_EMPTY;
	if (!resolve_password(p, cap - (size_t)(p - line), c, err, errlen))
		return HFILE_LINE_BAD;
	if (!proto_parse(p, req, err, errlen))
		return HFILE_LINE_BAD;
	if (req->cmd != PROTO_HANDLE) {
		snprintf(err, errlen, "only HANDLE and RHANDLE lines belong here");
		proto_req_wipe(req);
		return HFILE_LINE_BAD;
	}
	if (!c->device_allowed(c->arg, req->ldev)) {
		snprintf(err, errlen, "device %s is not one of this daemon's devices", req->ldev);
		proto_req_wipe(req);
		return HFILE_LINE_BAD;
	}
	return HFILE_LINE_REQ;
}
