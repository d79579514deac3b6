/* SPDX-License-Identifier: GPL-2.0-or-later */
/* priv.h - keep only the privileges vnet needs */
#ifndef VNET_PRIV_H
#define VNET_PRIV_H

#include <stddef.h>

/*
 * Become user (if not NULL) and keep only CAP_NET_RAW and CAP_NET_ADMIN,
 * dropping every other capability, from the bounding set too where
 * allowed, and forbid gaining privileges again (no_new_privs). Warns if
 * the process is still root (UID 0) afterwards.
 * 0, or -errno with err set: the caller must treat that as fatal.
 */
int priv_drop(const char *user, char *err, size_t errlen);

#endif
