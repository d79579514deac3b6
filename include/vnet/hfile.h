/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hfile.h - vnet --handlers FILE: handlers established at start */
#ifndef VNET_HFILE_H
#define VNET_HFILE_H

struct daemon;

/*
 * Read the file: 0, or -errno if it cannot be read or is refused (group or
 * others may write it, or it belongs to neither root nor vnet's user, the
 * current one or user, the --user to come),
 */
int hfile_load(struct daemon *d, const char *path, const char *user);
/* then, once the loop runs, dial its handlers; */
void hfile_start(struct daemon *d);
/* at the end, abandon the lines still dialing. */
void hfile_stop(struct daemon *d);

#endif
