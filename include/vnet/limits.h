/* SPDX-License-Identifier: GPL-2.0-or-later */
/* limits.h - what the daemon's limits allow (pure; the numbers are in common.h) */
#ifndef VNET_LIMITS_H
#define VNET_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

/* Descriptors kept for the daemon itself: listeners, epoll, signals, netlink, TAPs, logs. */
#define LIMITS_FD_SPARE 64

/*
 * May one more handler with nmacs addresses be made, when the daemon has
 * nhandlers and its device dev has dev_macs addresses listed by its
 * handlers? False with a reason fit for "NOK reason" in why.
 */
bool limits_handler_fits(size_t nhandlers, const char *dev, size_t dev_macs, size_t nmacs,
			 char *why, size_t len);
/* Descriptors the limits may need at once: 2 a handler, 1 a connection, and the spare. */
unsigned long limits_fds_needed(void);

#endif
