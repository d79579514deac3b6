/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hfile.h - vnet --handlers FILE: handlers established at start, and kept in step with it */
#ifndef VNET_HFILE_H
#define VNET_HFILE_H

#include <stddef.h>

struct daemon;

/*
 * Read the file: 0, or -errno if it cannot be read or is refused (group or
 * others may write it, or it belongs to neither root nor vnet's user, the
 * current one or user, the --user to come); a bad line is skipped,
 */
int hfile_load(struct daemon *d, const char *path, const char *user);
/* then, once the loop runs, dial its handlers; */
void hfile_start(struct daemon *d);
/* at the end, abandon the lines still dialing. */
void hfile_stop(struct daemon *d);

/*
 * Reading the file again (SIGHUP), in two steps so that nothing changes
 * unless everything read again passes. First the file, with every line
 * checked as at start, paired with the lines read before: 0 with *out, or
 * -errno with err set (the file cannot be read or is refused, or a line
 * is: FILE:LINE and why) and nothing changed.
 */
struct hfile_fresh;
int hfile_read_again(struct daemon *d, const char *path, const char *user,
		     struct hfile_fresh **out, char *err, size_t errlen);
/*
 * Then either apply it: a line equal to one read before (every field, the
 * password too) keeps that line's handler untouched, unless that handler is
 * gone (then it starts again); the lines before with no equal line now close
 * their handlers, the other lines now start theirs;
 */
struct hfile_changes {
	size_t kept, closed, started;
};
void hfile_apply(struct daemon *d, struct hfile_fresh *hf, struct hfile_changes *c);
/* or drop it (NULL: nothing). */
void hfile_discard(struct hfile_fresh *hf);

#endif
