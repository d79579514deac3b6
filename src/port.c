// SPDX-License-Identifier: GPL-2.0-or-later
/* port.c - open the right kind of port for a device */
#include "vnet/port.h"

int port_open(struct port *p, const char *dev, enum vnet_config cfg, const struct mac *macs,
	      size_t nmacs, char *err, size_t errlen)
{
	if (port_tap_owned(dev))
		return port_tap_open(p, dev, cfg, macs, nmacs, err, errlen);
	return port_packet_open(p, dev, cfg, macs, nmacs, err, errlen);
}
