/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hfile_line.h - one line of a handlers file (vnet --handlers FILE) */
#ifndef VNET_HFILE_LINE_H
#define VNET_HFILE_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vnet/proto.h"
#include "vnet/pwfile.h"

/* What the file's lines are checked against. */
struct hfile_ctx {
	bool exposed;               /* group or others may read the handlers file */
	uid_t owner;                /* the handlers file's owner */
	pwfile_read_fn read_pw;     /* reads an @PATH password (pwfile_read) */
	bool (*device_allowed)(void *arg, const char *dev);    /* one of the -d devices? */
	void *arg;
};

enum hfile_line {
	HFILE_LINE_EMPTY,           /* blank or only a comment */
	HFILE_LINE_REQ,             /* a HANDLE or RHANDLE request, in req */
	HFILE_LINE_BAD,             /* refused: err says why */
};

/*
 * Parse one line of a handlers file (NUL-terminated, with or without its
 * line end; cap is the size of its buffer, which receives the password in
 * place of an @PATH word). '#' starts a comment. On HFILE_LINE_REQ, req
 * holds the request (proto_req_wipe it); on HFILE_LINE_BAD, nothing is kept
 * and err says why. The line is changed in place: wipe it after.
 */
enum hfile_line hfile_line_parse(char *line, size_t cap, const struct hfile_ctx *c,
				 struct proto_req *req, char *err, size_t errlen);

#endif
