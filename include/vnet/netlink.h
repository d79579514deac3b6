/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - network devices through rtnetlink (libmnl) */
#ifndef VNET_NETLINK_H
#define VNET_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/mac.h"

struct nl_link {
	int index;
	char name[IFNAMSIZ];
	bool has_mac;
	struct mac mac;
	unsigned int mtu;
	bool up;            /* administratively up (IFF_UP) */
	bool running;       /* carrier (IFF_RUNNING) */
	uint64_t rx_packets, tx_packets, tx_dropped;   /* IFLA_STATS64, 0 if absent */
	uint64_t rx_bytes, tx_bytes, rx_dropped;       /* the same */
};

/* Every link of this network namespace: *links is malloc'ed; 0 or -errno. */
int nl_links(struct nl_link **links, size_t *n);
/* One link by index, asked alone (no dump): 0, -ENODEV if there is none, or -errno. */
int nl_link_by_index(int index, struct nl_link *link);
/* One link by name: 0, -ENODEV if there is none, or -errno. */
int nl_link_by_name(const char *name, struct nl_link *link);

/*
 * Link notifications: cb(arg, link, removed) for every link that appears,
 * changes (name, flags, ...) or goes. Read when the descriptor is readable.
 */
struct nl_monitor;
typedef void (*nl_link_cb)(void *arg, const struct nl_link *link, bool removed);
struct nl_monitor *nl_monitor_open(nl_link_cb cb, void *arg);
int nl_monitor_fd(const struct nl_monitor *m);
/* Handle what is queued; 0, or -ENOBUFS when notifications were lost. */
int nl_monitor_read(struct nl_monitor *m);
void nl_monitor_close(struct nl_monitor *m);

#endif
