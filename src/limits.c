// SPDX-License-Identifier: GPL-2.0-or-later
/* limits.c - what the daemon's limits allow */
#include <stdio.h>

#include "vnet/common.h"
#include "vnet/limits.h"

bool limits_handler_fits(size_t nhandlers, const char *dev, size_t dev_macs, size_t nmacs,
			 char *why, size_t len)
{
	if (nhandlers >= VNET_HANDLERS_MAX) {
		snprintf(why, len, "too many handlers (at most %d)", VNET_HANDLERS_MAX);
		return false;
	}
	if (nmacs > VNET_MACS_MAX) {
		snprintf(why, len, "too many addresses (at most %d)", VNET_MACS_MAX);
		return false;
	}
	if (dev_macs > VNET_DEV_MACS_MAX || nmacs > VNET_DEV_MACS_MAX - dev_macs) {
		snprintf(why, len, "too many addresses on device %s: its handlers list %zu, "
			 "at most %d in all", dev, dev_macs, VNET_DEV_MACS_MAX);
		return false;
	}
	return true;
}

unsigned long limits_fds_needed(void)
{
	/*
	 * A handler: its port, its link and, one that dialed, its datagram
	 * socket (and, while it redials, the dial's socket).
	 */
	return 3ul * VNET_HANDLERS_MAX + VNET_CONN_MAX + LIMITS_FD_SPARE;
}
