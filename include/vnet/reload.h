/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reload.h - SIGHUP: the password file, the certificates and the handlers file read again */
#ifndef VNET_RELOAD_H
#define VNET_RELOAD_H

#include <stddef.h>

struct daemon;

/*
 * Read again what the daemon was given in files (--password-file, --cert,
 * --key, --ca, --handlers) and, only if all of it passes the checks made at
 * start, use it. 0 with msg saying what changed, or -errno with msg saying
 * why nothing did (the reasons are logged too).
 */
int reload_run(struct daemon *d, char *msg, size_t len);

#endif
