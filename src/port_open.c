// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * port_open.c - open the right kind of port for a device: a TAP vnet owns,
 * the device's shared capture, or an AF_PACKET socket of its own
 */
#include <errno.h>

#include "vnet/capture.h"
#include "vnet/port.h"

int port_open(struct port *p, struct port_taps *taps, const struct port_want *w, char *err,
	      size_t errlen)
{
	int ret;

	if (port_tap_owned(taps, w->dev))
		return port_tap_open(p, taps, w, err, errlen);
	/* The device's shared capture if it has one, else a socket and filter of its own. */
	ret = capture_port_open(taps->shared, p, w, err, errlen);
	if (ret != -ENOENT)
		return ret;
	return port_packet_open(p, w, err, errlen);
}
